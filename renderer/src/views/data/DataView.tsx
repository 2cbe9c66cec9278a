/** The Data view. */
export function DataView() {
  return (
    <div className="view-body" data-view-ready="data">
      <div className="panel-title">Data</div>
    </div>
  );
}
