import { useMemo } from 'react';
import { fmtPct, fmtPrice, signClass } from '../../lib/format';
import { useLiveStore } from '../../stores/live-store';
import { useWatchIndicatorsStore, valueAt, WATCH_INDICATORS } from '../../stores/watch-indicators';

/** Last price and the day's change per symbol, refreshed once per frame at most. */
export function Watchlist() {
  const watch = useLiveStore((s) => s.watch);
  const series = useWatchIndicatorsStore((s) => s.series);
  const rows = useMemo(() => [...watch.values()].sort((a, b) => a.symbol.localeCompare(b.symbol)), [watch]);
  return (
    <table className="grid" data-testid="watchlist">
      <thead>
        <tr>
          <th>Symbol</th>
          <th className="num">Last</th>
          <th
            className="num"
            title="The day's change: last price against the previous day's close (the previous bar's close on a daily feed)"
          >
            Day chg
          </th>
          {WATCH_INDICATORS.map((i) => (
            <th key={i.key} className="num">
              {i.label}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.symbol}>
            <td className="mono">{r.symbol}</td>
            <td className={`num ${signClass(r.change)}`}>{fmtPrice(r.last)}</td>
            <td className={`num ${signClass(r.change)}`}>{fmtPct(r.change, 2, true)}</td>
            {WATCH_INDICATORS.map((i) => {
              const v = valueAt(series[r.symbol]?.[i.key], 'value', r.time);
              const cls = i.name === 'rsi' ? (v >= 70 ? 'neg' : v <= 30 ? 'pos' : '') : r.last >= v ? 'pos' : 'neg';
              return (
                <td key={i.key} className={`num ${Number.isFinite(v) ? cls : ''}`}>
                  {fmtPrice(v)}
                </td>
              );
            })}
          </tr>
        ))}
        {rows.length === 0 && (
          <tr>
            <td colSpan={3 + WATCH_INDICATORS.length} className="muted">
              Waiting for ticks.
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
