/** Formatters for figures: tabular, compact, a dash for missing values. All dates are UTC. */

const DASH = '—';

function finite(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

// One formatter per digit count: `toLocaleString` with options builds a new one on every call (costly in tables that repaint often).
const numberFormats = new Map<number, Intl.NumberFormat>();

/** `1234.5` → `1,234.50` (fixed digits, thousands separators); NaN/null → `—`. */
export function fmtNum(x: number | null | undefined, digits = 2): string {
  if (!finite(x)) return DASH;
  let f = numberFormats.get(digits);
  if (!f)
    numberFormats.set(
      digits,
      (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })),
    );
  return f.format(x);
}

/** A price with digits chosen by magnitude: 2 above 1, 4 below. */
export function fmtPrice(x: number | null | undefined): string {
  if (!finite(x)) return DASH;
  return fmtNum(x, Math.abs(x) >= 1 || x === 0 ? 2 : 4);
}

/** A fraction as a percentage: `0.1234` → `12.34%`; `signed` adds `+` to positives. */
export function fmtPct(x: number | null | undefined, digits = 2, signed = false): string {
  if (!finite(x)) return DASH;
  const s = (x * 100).toFixed(digits);
  return `${signed && x > 0 ? '+' : ''}${s === `-${(0).toFixed(digits)}` ? (0).toFixed(digits) : s}%`;
}

/** Whole numbers with separators: `1234567` → `1,234,567`. */
export function fmtInt(x: number | null | undefined): string {
  if (!finite(x)) return DASH;
  return Math.round(x).toLocaleString('en-US');
}

/** Compact magnitude: `1234` → `1.23K`, `5.6e6` → `5.60M`, `7e9` → `7.00B`. */
export function fmtCompact(x: number | null | undefined): string {
  if (!finite(x)) return DASH;
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(2)}K`;
  return fmtNum(x, a >= 100 || Number.isInteger(x) ? 0 : 2);
}

/** Money with sign and separators: `-1234.5` → `-1,234.50`. */
export function fmtMoney(x: number | null | undefined): string {
  return fmtNum(x, 2);
}

/** EpochMs → `YYYY-MM-DD` (UTC). */
export function fmtDate(ms: number | null | undefined): string {
  if (!finite(ms)) return DASH;
  return new Date(ms).toISOString().slice(0, 10);
}

/** EpochMs → `YYYY-MM-DD HH:MM:SS` (UTC). */
export function fmtDateTime(ms: number | null | undefined): string {
  if (!finite(ms)) return DASH;
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** A duration in ms as `1h 02m`, `3m 05s` or `12s`; used for ETAs. */
export function fmtDuration(ms: number | null | undefined): string {
  if (!finite(ms) || ms < 0) return DASH;
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

/** CSS class for a signed figure: `pos`, `neg` or none. */
export function signClass(x: number | null | undefined): string {
  if (!finite(x) || x === 0) return '';
  return x > 0 ? 'pos' : 'neg';
}

/**
 * Remaining time from progress: elapsed × (1 − f) / f. NaN before any progress, 0 when done.
 * `done`/`total` are units of work (jobs, bars), `elapsedMs` the time since start.
 */
export function etaMs(done: number, total: number, elapsedMs: number): number {
  if (total <= 0 || done <= 0) return Number.NaN;
  if (done >= total) return 0;
  return (elapsedMs * (total - done)) / done;
}
