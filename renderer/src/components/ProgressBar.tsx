import { etaMs, fmtDuration } from '../lib/format';

/** A progress bar with done/total, percentage and ETA. */
export function ProgressBar({
  done,
  total,
  startedAt,
  label,
  etaMs: given,
  showCounts = true,
}: {
  done: number;
  total: number;
  startedAt: number;
  label?: string;
  etaMs?: number | null;
  showCounts?: boolean;
}) {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  // The core's ETA (from its measured rate) when it gives one; else extrapolated from elapsed time.
  const eta = given ?? etaMs(done, total, Date.now() - startedAt);
  return (
    <div className="toolbar" style={{ gap: 10 }} data-testid="progress" data-progress={f.toFixed(3)}>
      {label && <span className="muted">{label}</span>}
      <div className="progress">
        <div style={{ width: `${(f * 100).toFixed(1)}%` }} />
      </div>
      <span className="mono">
        {showCounts ? `${done}/${total} · ` : ''}
        {(f * 100).toFixed(0)}%
      </span>
      <span className="muted mono">ETA {fmtDuration(eta)}</span>
    </div>
  );
}
