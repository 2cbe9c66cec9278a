import type { OhlcvColumns } from '../charts/adapters';

/**
 * Chart timeframes built from the stored bars: the stored bars as they are, intraday aggregates (when the store
 * holds intraday bars for the symbol: minutes and hours), and daily, weekly and monthly aggregates.
 */
export type Timeframe = '1m' | '5m' | '15m' | '30m' | '1h' | '4h' | 'D' | 'W' | 'M';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** Length of each intraday timeframe. */
const INTRADAY_MS: Readonly<Record<string, number>> = {
  '1m': MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '4h': 240 * MINUTE,
};

export const TIMEFRAME_LABELS: Readonly<Record<Timeframe, string>> = {
  '1m': '1 minute',
  '5m': '5 minutes',
  '15m': '15 minutes',
  '30m': '30 minutes',
  '1h': '1 hour',
  '4h': '4 hours',
  D: 'Daily',
  W: 'Weekly',
  M: 'Monthly',
};

/** True for a known timeframe name (prefs read from localStorage are checked with it). */
export function isTimeframe(x: unknown): x is Timeframe {
  return typeof x === 'string' && Object.hasOwn(TIMEFRAME_LABELS, x);
}

/**
 * The spacing of the stored bars: the smallest positive gap between consecutive bar times, in ms (a day or
 * more for daily bars; less when the store holds intraday bars). NaN with fewer than two bars.
 */
export function storedSpacing(time: ArrayLike<number>): number {
  let min = Number.POSITIVE_INFINITY;
  for (let i = 1; i < time.length; i++) {
    const d = time[i] - time[i - 1];
    if (d > 0 && d < min) min = d;
  }
  return Number.isFinite(min) ? min : Number.NaN;
}

/**
 * The timeframes the stored bars allow: with daily bars D/W/M; with intraday bars also every intraday
 * timeframe at least as long as the stored spacing (1-minute bars: 1m … 4h, 5-minute bars: 5m … 4h).
 */
export function timeframesFor(time: ArrayLike<number>): Timeframe[] {
  const s = storedSpacing(time);
  const intraday =
    Number.isFinite(s) && s < DAY ? (Object.keys(INTRADAY_MS) as Timeframe[]).filter((k) => INTRADAY_MS[k] >= s) : [];
  return [...intraday, 'D', 'W', 'M'];
}

/** The timeframe the stored bars are in (indicators are computed on those): the intraday one matching the spacing, else D. */
export function storedTimeframe(time: ArrayLike<number>): Timeframe {
  const s = storedSpacing(time);
  if (!(s < DAY)) return 'D';
  return (Object.keys(INTRADAY_MS) as Timeframe[]).find((k) => INTRADAY_MS[k] === s) ?? 'D';
}

/** The period key of a UTC instant: its intraday bucket, its UTC day (D), the Monday of its week (W) or its month (M). */
function periodOf(ms: number, tf: Timeframe): number {
  if (tf === 'M') {
    const d = new Date(ms);
    return d.getUTCFullYear() * 12 + d.getUTCMonth();
  }
  if (tf !== 'W') return Math.floor(ms / (INTRADAY_MS[tf] ?? DAY));
  const day = Math.floor(ms / DAY);
  // 1970-01-01 was a Thursday: (day + 3) % 7 is days since Monday.
  return day - ((day + 3) % 7);
}

/**
 * Aggregates the stored bars into a longer timeframe: open of the first bar, highest high, lowest low, close of the
 * last, summed volume; the bar is stamped with its first stored bar's time. Intraday buckets and days are UTC
 * (minute/hour buckets aligned to the epoch), weeks start on Monday. Bars with a NaN close are skipped. Bars already
 * at the timeframe (or a shorter timeframe than stored) come back as given.
 */
export function aggregateBars(bars: OhlcvColumns, tf: Timeframe): OhlcvColumns {
  const spacing = storedSpacing(bars.time);
  const len = INTRADAY_MS[tf] ?? (tf === 'D' ? DAY : Number.POSITIVE_INFINITY);
  if (!(spacing < len) || Number.isNaN(spacing)) return bars;
  const time: number[] = [];
  const open: number[] = [];
  const high: number[] = [];
  const low: number[] = [];
  const close: number[] = [];
  const volume: number[] = [];
  let key = Number.NaN;
  for (let i = 0; i < bars.time.length; i++) {
    if (!Number.isFinite(bars.close[i])) continue;
    const k = periodOf(bars.time[i], tf);
    if (k !== key) {
      key = k;
      time.push(bars.time[i]);
      open.push(bars.open[i]);
      high.push(bars.high[i]);
      low.push(bars.low[i]);
      close.push(bars.close[i]);
      volume.push(bars.volume[i]);
      continue;
    }
    const j = time.length - 1;
    if (bars.high[i] > high[j]) high[j] = bars.high[i];
    if (bars.low[i] < low[j]) low[j] = bars.low[i];
    close[j] = bars.close[i];
    volume[j] += bars.volume[i];
  }
  const f = Float64Array.from.bind(Float64Array);
  return { time: f(time), open: f(open), high: f(high), low: f(low), close: f(close), volume: f(volume) };
}

/**
 * `k` bar times after the last one, for series drawn ahead of the data (Ichimoku's spans): daily or longer bars
 * step by the stored spacing skipping Saturdays and Sundays when the bars are daily; intraday bars by the spacing.
 */
export function futureTimes(time: ArrayLike<number>, k: number): number[] {
  const n = time.length;
  if (n === 0 || k <= 0) return [];
  const s = storedSpacing(time);
  const step = Number.isFinite(s) ? s : DAY;
  const out: number[] = [];
  let t = time[n - 1];
  while (out.length < k) {
    t += step;
    if (step === DAY) {
      const dow = new Date(t).getUTCDay();
      if (dow === 0 || dow === 6) continue;
    }
    out.push(t);
  }
  return out;
}

/** A series plotted `k` bars ahead: times extended by `k` future bars, value j = values[j − k] (NaN for the first k). */
export function displaceForward(
  time: ArrayLike<number>,
  values: ArrayLike<number>,
  k: number,
): { time: number[]; values: Float64Array } {
  const t = [...Array.from(time), ...futureTimes(time, k)];
  const v = new Float64Array(t.length).fill(Number.NaN);
  for (let i = 0; i < values.length; i++) v[i + k] = values[i];
  return { time: t, values: v };
}

/** A series plotted `k` bars back (Ichimoku's lagging span): value j = values[j + k], NaN for the last k bars. */
export function displaceBack(values: ArrayLike<number>, k: number): Float64Array {
  const v = new Float64Array(values.length).fill(Number.NaN);
  for (let j = 0; j + k < values.length; j++) v[j] = values[j + k];
  return v;
}

/**
 * The bar a comparison is rebased at: the first index ≥ `from` where the value is finite (NaN gaps skipped), or
 * -1 when there is none.
 */
export function rebaseIndex(values: ArrayLike<number>, from: number): number {
  for (let i = Math.max(0, from); i < values.length; i++) if (Number.isFinite(values[i]) && values[i] > 0) return i;
  return -1;
}

/** `values × 100 / values[base]`: a series rebased to 100 at bar `base` (all NaN when base is -1). */
export function rebaseTo100(values: ArrayLike<number>, base: number): Float64Array {
  const out = new Float64Array(values.length).fill(Number.NaN);
  if (base < 0) return out;
  const k = 100 / values[base];
  for (let i = 0; i < values.length; i++) out[i] = values[i] * k;
  return out;
}
