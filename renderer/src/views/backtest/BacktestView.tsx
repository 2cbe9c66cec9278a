/** The Backtest view. */
export function BacktestView() {
  return (
    <div className="view-body" data-view-ready="backtest">
      <div className="panel-title">Backtest</div>
    </div>
  );
}
