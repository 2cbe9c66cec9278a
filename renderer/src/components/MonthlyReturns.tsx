import { heatColor } from '../lib/heatmap';
import { fmtPct } from '../lib/format';
import type { YearRow } from '../lib/series-math';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Monthly returns heatmap: one row per year, green/red by sign, the compounded year in the last column. */
export function MonthlyReturns({ rows }: { rows: readonly YearRow[] }) {
  let bound = 0;
  for (const r of rows) for (const m of r.months) if (Number.isFinite(m)) bound = Math.max(bound, Math.abs(m));
  return (
    <table className="grid" data-testid="monthly-returns">
      <thead>
        <tr>
          <th>Year</th>
          {MONTHS.map((m) => (
            <th key={m} className="num">
              {m}
            </th>
          ))}
          <th className="num">Year</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.year}>
            <td className="mono">{r.year}</td>
            {r.months.map((m, i) => (
              <td key={i} className="num" style={{ background: heatColor(m, -bound, bound, 0) }}>
                {Number.isFinite(m) ? fmtPct(m, 1) : ''}
              </td>
            ))}
            <td className="num" style={{ fontWeight: 600 }}>
              {fmtPct(r.total, 1)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
