/** The Chart view. */
export function ChartView() {
  return (
    <div className="view-body" data-view-ready="chart">
      <div className="panel-title">Chart</div>
    </div>
  );
}
