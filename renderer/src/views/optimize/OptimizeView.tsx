/** The Optimize view. */
export function OptimizeView() {
  return (
    <div className="view-body" data-view-ready="optimize">
      <div className="panel-title">Optimize</div>
    </div>
  );
}
