import { DAY_MS, formatTime } from '../model/time';
import { drawdownOf, type ResultColumns, type ResultOpenPosition, type ResultTrade } from '../model/result-columns';
import type { BacktestSpec } from './spec';
import type { BacktestResult, Metrics } from './types';

/** A backtest's result as columns (`core/model/result-columns.ts`) with the engine's spec and metrics types. */
export type BacktestColumns = ResultColumns<Metrics> & { readonly spec: BacktestSpec };

/** What {@link toOutput} reads: an engine result or a run's columns. */
type Printable = Pick<BacktestResult, 'spec' | 'metrics'> & {
  readonly trades: readonly ResultTrade[];
  readonly openPositions: readonly ResultOpenPosition[];
  readonly equity: { readonly time: Float64Array; readonly value: Float64Array };
};

/** A trade as printed: times as `YYYY-MM-DD` for daily bars (ISO datetimes otherwise). */
export interface TradeJson {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: string;
  readonly entryPrice: number;
  readonly exitTime: string;
  readonly exitPrice: number;
  readonly pnl: number;
  readonly commission: number;
  readonly returnPct: number;
  readonly ambiguous: boolean;
  readonly exitReason: string;
  /** Shares at the exit per share bought, when a split fell inside the trade (see `Trade.splitRatio`). */
  readonly splitRatio?: number;
}

/** An open position as printed. */
export interface OpenPositionJson {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: string;
  readonly entryPrice: number;
  readonly lastPrice: number;
  readonly unrealizedPnl: number;
  readonly commission: number;
}

/** What `quantdesk backtest --json` prints and `backtest:run` returns: exactly these keys. */
export interface BacktestOutput {
  readonly spec: BacktestSpec;
  readonly metrics: Metrics;
  readonly trades: readonly TradeJson[];
  readonly openPositions: readonly OpenPositionJson[];
  readonly equity: readonly { readonly time: string; readonly equity: number }[];
  readonly runId: string;
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad3 = (n: number) => (n < 10 ? '00' : n < 100 ? '0' : '') + n;

/**
 * `formatTime` without a `Date` per call: midnight-UTC instants (daily bars) become `YYYY-MM-DD` by
 * civil-from-days arithmetic (Howard Hinnant's algorithm), anything else falls back to `formatTime`.
 * Equity curves print one time per bar, so this is the output's hot path.
 */
export function fastFormatTime(ms: number): string {
  if (ms % DAY_MS !== 0) return fastIsoTime(ms);
  if (ms < 0) return formatTime(ms);
  return civilDate(ms / DAY_MS);
}

/** `new Date(ms).toISOString()` for instants from year 1000 to 9999 without a `Date` (intraday bars print one per bar). */
function fastIsoTime(ms: number): string {
  if (!(ms >= 0 && ms < 253_402_300_800_000)) return formatTime(ms);
  const days = Math.floor(ms / DAY_MS);
  const date = civilDate(days);
  if (date.length !== 10) return formatTime(ms);
  let r = ms - days * DAY_MS;
  const h = Math.floor(r / 3_600_000);
  r -= h * 3_600_000;
  const m = Math.floor(r / 60_000);
  r -= m * 60_000;
  const s = Math.floor(r / 1000);
  return `${date}T${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(r - s * 1000)}Z`;
}

/** `YYYY-MM-DD` of a day number since 1970-01-01 (≥ 0), Howard Hinnant's civil-from-days; formatTime below year 1000. */
function civilDate(day: number): string {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y < 1000 ? formatTime(day * DAY_MS) : `${y}-${pad2(m)}-${pad2(d)}`;
}

/** A run's columns from an engine result: the same arrays (no copy), drawdown added, trades and positions as the API types them. */
export function toColumns(r: BacktestResult, runId: string): BacktestColumns {
  return {
    runId,
    spec: r.spec,
    metrics: r.metrics,
    trades: r.trades.map((t) => ({
      symbol: t.symbol,
      side: t.side,
      qty: t.qty,
      entryTime: t.entryTime,
      entryPrice: t.entryPrice,
      exitTime: t.exitTime,
      exitPrice: t.exitPrice,
      pnl: t.pnl,
      commission: t.commission,
      returnPct: t.returnPct,
      ambiguous: t.ambiguous,
      exitReason: t.exitReason,
      ...(t.splitRatio !== undefined ? { splitRatio: t.splitRatio } : {}),
    })),
    openPositions: r.openPositions.map((p) => ({
      symbol: p.symbol,
      side: p.side,
      qty: p.qty,
      entryTime: p.entryTime,
      entryPrice: p.entryPrice,
      lastPrice: p.lastPrice,
      unrealizedPnl: p.unrealizedPnl,
      commission: p.commission,
    })),
    equity: lazyDrawdown(r.equity.time, r.equity.value),
  };
}

/**
 * Equity columns whose drawdown is computed on first read (then kept): `backtest --json` and the registry
 * never read it, and a cold 100,000-bar loop is milliseconds of a CLI process. An enumerable getter, so
 * JSON, structured clone and spreads see a plain `drawdown` array.
 */
function lazyDrawdown(time: Float64Array, value: Float64Array): ResultColumns['equity'] {
  let drawdown: Float64Array | undefined;
  return {
    time,
    value,
    get drawdown() {
      return (drawdown ??= drawdownOf(value));
    },
  };
}

/** Shapes an engine result or a run's columns for JSON output (times formatted, no typed arrays). */
export function toOutput(r: Printable, runId: string): BacktestOutput {
  const equity = new Array<{ time: string; equity: number }>(r.equity.time.length);
  for (let i = 0; i < equity.length; i++)
    equity[i] = { time: fastFormatTime(r.equity.time[i]), equity: r.equity.value[i] };
  return {
    spec: r.spec,
    metrics: r.metrics,
    trades: r.trades.map((t) => ({
      symbol: t.symbol,
      side: t.side,
      qty: t.qty,
      entryTime: formatTime(t.entryTime),
      entryPrice: t.entryPrice,
      exitTime: formatTime(t.exitTime),
      exitPrice: t.exitPrice,
      pnl: t.pnl,
      commission: t.commission,
      returnPct: t.returnPct,
      ambiguous: t.ambiguous,
      exitReason: t.exitReason,
      ...(t.splitRatio !== undefined ? { splitRatio: t.splitRatio } : {}),
    })),
    openPositions: r.openPositions.map((p) => ({
      symbol: p.symbol,
      side: p.side,
      qty: p.qty,
      entryTime: formatTime(p.entryTime),
      entryPrice: p.entryPrice,
      lastPrice: p.lastPrice,
      unrealizedPnl: p.unrealizedPnl,
      commission: p.commission,
    })),
    equity,
    runId,
  };
}

/** `THH:MM:SS.mmmZ` of `r` ms after midnight UTC (0 < r < one day). */
function timeOfDay(r: number): string {
  const h = Math.floor(r / 3_600_000);
  const m = Math.floor(r / 60_000) % 60;
  const s = Math.floor(r / 1000) % 60;
  return `T${pad2(h)}:${pad2(m)}:${pad2(s)}.${pad3(r % 1000)}Z`;
}

/** Points per text chunk written into the buffer at once. */
const CHUNK = 1024;

/**
 * The equity curve as printed, `{"time":"…","equity":…}` joined by commas, written into `buf` at `at` (grown
 * when needed, `reserve` bytes kept free after it): the text of a chunk of points built by string
 * concatenation and written with one native call (a few operations per point: a new process runs this loop
 * cold, before V8 optimises it, where a per-byte loop costs ~100 interpreted operations a point). The date
 * is formatted once per day, the time of day once per distinct value (minute bars repeat them every day), the
 * value as `JSON.stringify` writes a number (`String(x)`, non-finite as null) and not again while it repeats.
 * Every character is ASCII. Returns the buffer and the end offset.
 */
function writeEquity(
  buf: Buffer,
  at: number,
  time: Float64Array,
  value: Float64Array,
  reserve: number,
): { buf: Buffer; at: number } {
  const n = time.length;
  const tods = new Map<number, string>();
  let day = Number.NaN;
  let date = '';
  let prev = Number.NaN;
  let prevText = '';
  let chunk = '';
  for (let i = 0; i < n; i++) {
    const t = time[i];
    const v = value[i];
    const d = Math.floor(t / DAY_MS);
    if (d !== day && t >= 0 && t < 253_402_300_800_000 && Number.isInteger(t)) {
      day = d;
      date = civilDate(d);
    }
    let ts: string;
    if (d === day && date.length === 10 && Number.isInteger(t)) {
      const r = t - d * DAY_MS;
      if (r === 0) ts = date;
      else {
        let tod = tods.get(r);
        if (tod === undefined) {
          if (tods.size >= 100_000) tods.clear();
          tod = timeOfDay(r);
          tods.set(r, tod);
        }
        ts = date + tod;
      }
    } else ts = fastFormatTime(t); // before 1970, after 9999, or a fraction of a millisecond
    let vs: string;
    if (v === prev) vs = prevText;
    else {
      vs = Number.isFinite(v) ? String(v) : 'null';
      prev = v;
      prevText = vs;
    }
    chunk += (i > 0 ? ',{"time":"' : '{"time":"') + ts + '","equity":' + vs + '}';
    if (i % CHUNK === CHUNK - 1 || i === n - 1) {
      if (at + chunk.length + reserve > buf.length) {
        const next = Buffer.allocUnsafe(Math.max(buf.length * 2, at + chunk.length + reserve));
        buf.copy(next, 0, 0, at);
        buf = next;
      }
      at += buf.write(chunk, at, 'latin1');
      chunk = '';
    }
  }
  return { buf, at };
}

/**
 * `JSON.stringify(toOutput(cols, cols.runId)) + suffix` as UTF-8 bytes, byte for byte, in one buffer and
 * without building an object or a string per equity point: the curve (one entry per bar, the bulk of the
 * text) is written as bytes directly, and the caller writes the buffer as it is (no text to encode again).
 */
export function outputJsonBytes(cols: BacktestColumns, suffix = ''): Buffer {
  const out = toOutput({ ...cols, equity: { time: new Float64Array(0), value: new Float64Array(0) } }, cols.runId);
  const head = `${JSON.stringify({
    spec: out.spec,
    metrics: out.metrics,
    trades: out.trades,
    openPositions: out.openPositions,
  }).slice(0, -1)},"equity":[`;
  const tail = `],"runId":${JSON.stringify(cols.runId)}}${suffix}`;
  const headLen = Buffer.byteLength(head, 'utf8');
  const tailLen = Buffer.byteLength(tail, 'utf8');
  const n = cols.equity.time.length;
  // Room for every point at its longest through the fast path (64 bytes: ISO time, a 24-character number).
  const first = Buffer.allocUnsafe(headLen + n * 64 + tailLen);
  first.write(head, 0, 'utf8');
  const { buf, at } = writeEquity(first, headLen, cols.equity.time, cols.equity.value, tailLen);
  buf.write(tail, at, 'utf8');
  return buf.subarray(0, at + tailLen);
}

/** {@link outputJsonBytes} as text. */
export function outputJson(cols: BacktestColumns): string {
  return outputJsonBytes(cols).toString('utf8');
}

const CSV_COLUMNS = [
  'symbol',
  'side',
  'qty',
  'entryTime',
  'entryPrice',
  'exitTime',
  'exitPrice',
  'pnl',
  'commission',
  'returnPct',
  'ambiguous',
  'exitReason',
] as const;

/** The trade list as CSV (header first, one trade per line, full float precision). */
export function tradesCsv(trades: readonly TradeJson[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of trades) lines.push(CSV_COLUMNS.map((c) => String(t[c])).join(','));
  return lines.join('\n') + '\n';
}
