/**
 * Milliseconds since the Unix epoch, UTC. Daily bars sit at 00:00 UTC of their date.
 *
 * A name for the unit, not a brand: times cross JSON, IPC, SQLite and typed-array columns as plain numbers, so a
 * brand would hold only between casts at every boundary. Every time in the tree is EpochMs unless its name says
 * otherwise (`…Sec`), and the contract's inputs check them with `epochMs` (`core/contract/define.ts`).
 */
export type EpochMs = number;

/** One calendar day in milliseconds. */
export const DAY_MS = 86_400_000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses `YYYY-MM-DD` (as 00:00 UTC of that date) or an ISO-8601 datetime that carries a zone
 * (`Z` or `±hh:mm`). Returns `null` for anything else, including impossible dates (2021-02-30)
 * and datetimes without a zone, whose instant would depend on the machine's time zone.
 */
export function parseDate(text: string): EpochMs | null {
  const m = DATE_RE.exec(text);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
    return ms;
  }
  if (DATETIME_RE.test(text)) {
    const ms = Date.parse(text);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

/** Formats as `YYYY-MM-DD` (UTC). */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Formats as `YYYY-MM-DD` when the instant is midnight UTC, else as a full ISO datetime. */
export function formatTime(ms: number): string {
  return ms % DAY_MS === 0 ? formatDate(ms) : new Date(ms).toISOString();
}

/** The 00:00 UTC instant of the day containing `ms`. */
export function startOfDay(ms: number): EpochMs {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
