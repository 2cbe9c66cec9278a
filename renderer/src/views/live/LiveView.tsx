/** The Live view. */
export function LiveView() {
  return (
    <div className="view-body" data-view-ready="live">
      <div className="panel-title">Live</div>
    </div>
  );
}
