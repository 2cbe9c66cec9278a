import { fmtInt, fmtMoney, fmtPrice, signClass } from '../../lib/format';
import { showSignalsOnChart, useLiveStore } from '../../stores/live-store';

/** Open positions with live PnL. */
export function PositionsTable() {
  const positions = useLiveStore((s) => s.positions);
  return (
    <table className="grid" data-testid="positions" data-positions={positions.length}>
      <thead>
        <tr>
          <th>Symbol</th>
          <th className="num">Qty</th>
          <th className="num">Avg cost</th>
          <th className="num">Last</th>
          <th className="num">Unrealized</th>
          <th className="num">Realized</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {positions.map((p) => (
          <tr key={p.symbol}>
            <td className="mono">{p.symbol}</td>
            <td className={`num ${signClass(p.qty)}`}>{fmtInt(p.qty)}</td>
            <td className="num">{fmtPrice(p.avgCost)}</td>
            {/* No mark (a session restored from the journal before its first price): a dash, never a price of 0.00. */}
            <td className="num">{p.last > 0 ? fmtPrice(p.last) : '—'}</td>
            <td className={`num ${signClass(p.unrealized)}`}>
              {p.last > 0 || p.qty === 0 ? fmtMoney(p.unrealized) : '—'}
            </td>
            <td className={`num ${signClass(p.realized)}`}>{fmtMoney(p.realized)}</td>
            <td>
              <button
                className="btn-ghost"
                onClick={() => void showSignalsOnChart(p.symbol)}
                title="Open the chart with this session's signals"
                data-testid="signals-on-chart"
              >
                Chart ▸
              </button>
            </td>
          </tr>
        ))}
        {positions.length === 0 && (
          <tr>
            <td colSpan={7} className="muted">
              Flat.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
