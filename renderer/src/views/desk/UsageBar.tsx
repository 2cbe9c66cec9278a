import { fmtPct } from '../../lib/format';

/** A limit's usage as a small bar (green < 80 %, amber < 100 %, red at or over the limit); a dash when there is no limit. */
export function UsageBar({ value, label }: { value: number | null; label: string }) {
  if (value === null)
    return (
      <span className="muted" title={`${label}: no limit`}>
        —
      </span>
    );
  const cls = value >= 1 ? 'bad' : value >= 0.8 ? 'warn' : 'ok';
  return (
    <span
      className={`usage usage-${cls}`}
      title={`${label}: ${fmtPct(value, 0)} of the limit`}
      data-usage={value.toFixed(3)}
    >
      <span className="usage-fill" style={{ width: `${Math.min(100, value * 100)}%` }} />
      <span className="usage-text">{fmtPct(value, 0)}</span>
    </span>
  );
}
