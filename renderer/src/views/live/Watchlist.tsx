import { useMemo } from 'react';
import { fmtPct, fmtPrice, signClass } from '../../lib/format';
import { useLiveStore } from '../../stores/live-store';

/** Last price and change per symbol, refreshed once per frame at most. */
export function Watchlist() {
  const watch = useLiveStore((s) => s.watch);
  const rows = useMemo(() => [...watch.values()].sort((a, b) => a.symbol.localeCompare(b.symbol)), [watch]);
  return (
    <table className="grid" data-testid="watchlist">
      <thead>
        <tr>
          <th>Symbol</th>
          <th className="num">Last</th>
          <th className="num">Chg</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.symbol}>
            <td className="mono">{r.symbol}</td>
            <td className={`num ${signClass(r.change)}`}>{fmtPrice(r.last)}</td>
            <td className={`num ${signClass(r.change)}`}>{fmtPct(r.change, 2, true)}</td>
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={3} className="muted">
              Waiting for ticks.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
