import { runningSma, RunningSmaStream } from './moving-averages';
import { assertPeriod, sameLength, TA_EPSILON, type BarInput, type BarStream } from './types';
import { memoStream } from './memo';

/** TA-Lib's true range of a bar against the previous close (`TRUE_RANGE` macro / TA_TRANGE). */
export function trueRange(high: number, low: number, prevClose: number): number {
  let tr = high - low;
  const up = Math.abs(prevClose - high);
  if (up > tr) tr = up;
  const down = Math.abs(prevClose - low);
  if (down > tr) tr = down;
  return tr;
}

/**
 * Streaming {@link atr}. `step(high, low, close)` is the allocation-free core the batch form loops over, so both
 * forms are the same arithmetic.
 */
export class AtrStream implements BarStream {
  readonly #period: number;
  #count = 0;
  #prevClose = 0;
  #atr = 0;
  constructor(period: number) {
    assertPeriod('atr period', period, 1);
    this.#period = period;
    const memo = memoStream('AtrStream', [period], 'bar', [], this, () => new AtrStream(period));
    if (memo) return memo;
  }
  /** Consumes one bar's high, low and close; returns the ATR at that index (NaN during warm-up). */
  step(high: number, low: number, close: number): number {
    const i = this.#count++;
    const p = this.#period;
    const prevClose = this.#prevClose;
    this.#prevClose = close;
    if (i === 0) return Number.NaN;
    const tr = trueRange(high, low, prevClose);
    if (i < p) {
      this.#atr += tr;
      return Number.NaN;
    }
    if (i === p) {
      this.#atr = (this.#atr + tr) / p;
      return this.#atr;
    }
    this.#atr = (this.#atr * (p - 1) + tr) / p;
    return this.#atr;
  }
  next(bar: BarInput): number {
    return this.step(bar.high, bar.low, bar.close);
  }
}

/**
 * Average true range with Wilder smoothing, as TA_ATR: the first value is the mean of the true ranges of bars
 * 1..period (bar 0 has no previous close), then `atr = (atr * (period - 1) + tr) / period`. First valid index
 * `period`, NaN before. Price units.
 */
export function atr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out = new Float64Array(close.length),
): Float64Array {
  const n = sameLength(high, low, close);
  const s = new AtrStream(period);
  for (let i = 0; i < n; i++) out[i] = s.step(high[i], low[i], close[i]);
  return out;
}

/** Bollinger bands columns. */
export interface BbandsColumns {
  readonly upper: Float64Array;
  readonly middle: Float64Array;
  readonly lower: Float64Array;
}

/** One row of Bollinger bands; a stream returns the same object each call (copy it to keep it). */
export interface BbandsValue {
  upper: number;
  middle: number;
  lower: number;
}

/**
 * Bollinger bands as TA_BBANDS with the default SMA: middle = SMA(period), upper/lower = middle ± stddev ×
 * population standard deviation. As in TA-Lib the deviation is `sqrt(E[x²] - mean²)` from running sums and is 0
 * when that variance is below 1e-14. First valid index `period - 1`, NaN before.
 */
export function bbands(src: Float64Array, period: number, stddev: number): BbandsColumns {
  assertPeriod('bbands period', period, 2);
  const n = src.length;
  // TA-Lib's plain running total, not the compensated `sma`: the deviation `E[x²] - mean²` cancels
  // catastrophically on large prices, so it amplifies a last-bit difference in the mean (TA-Lib's own noise).
  const middle = runningSma(src, period);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  let total2 = 0;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    total2 += v * v;
    if (i + 1 < period) {
      upper[i] = lower[i] = Number.NaN;
      continue;
    }
    const m = middle[i];
    const old = src[i + 1 - period];
    const dev = bandWidth(total2 / period - m * m, stddev);
    total2 -= old * old;
    upper[i] = m + dev;
    lower[i] = m - dev;
  }
  return { upper, middle, lower };
}

function bandWidth(variance: number, k: number): number {
  // TA_IS_ZERO_OR_NEG: TA-Lib flattens a variance under 1e-14 (rounding noise of E[x²] - mean²) to 0.
  const sd = variance < TA_EPSILON ? 0 : Math.sqrt(variance);
  return k === 1 ? sd : sd * k;
}

/** Streaming {@link bbands} over closes: `next(v)` equals the batch row at every index. */
export class BbandsStream {
  readonly #period: number;
  readonly #stddev: number;
  readonly #sma: RunningSmaStream;
  readonly #ring: Float64Array;
  readonly #value: BbandsValue = { upper: Number.NaN, middle: Number.NaN, lower: Number.NaN };
  #count = 0;
  #total2 = 0;
  constructor(period: number, stddev: number) {
    assertPeriod('bbands period', period, 2);
    this.#period = period;
    this.#stddev = stddev;
    this.#sma = new RunningSmaStream(period);
    this.#ring = new Float64Array(period);
    const memo = memoStream(
      'BbandsStream',
      [period, stddev],
      'value-row',
      ['upper', 'middle', 'lower'],
      this,
      () => new BbandsStream(period, stddev),
    );
    if (memo) return memo;
  }
  /** Consumes the next value; returns the reused row object (NaN fields during warm-up). */
  next(value: number): Readonly<BbandsValue> {
    const p = this.#period;
    const slot = this.#count++ % p;
    this.#ring[slot] = value;
    const m = this.#sma.next(value);
    this.#total2 += value * value;
    const r = this.#value;
    r.middle = m;
    if (this.#count < p) {
      r.upper = r.lower = Number.NaN;
      return r;
    }
    const old = this.#ring[(slot + 1) % p];
    const dev = bandWidth(this.#total2 / p - m * m, this.#stddev);
    this.#total2 -= old * old;
    r.upper = m + dev;
    r.lower = m - dev;
    return r;
  }
}
