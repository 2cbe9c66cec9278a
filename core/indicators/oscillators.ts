import { SmaStream } from './moving-averages';
import { assertPeriod, sameLength, type BarInput, type BarStream } from './types';
import { RollingExtremes } from './window';
import { memoStream } from './memo';

/**
 * Streaming {@link cci}; `step(high, low, close)` is the core the batch form loops over. Keeps TA-Lib's circular
 * buffer layout (bar j in slot j mod period, summed slot by slot) so the mean and mean deviation round as in
 * TA_CCI.
 */
export class CciStream implements BarStream {
  readonly #period: number;
  readonly #ring: Float64Array;
  #count = 0;
  constructor(period: number) {
    assertPeriod('cci period', period, 2);
    this.#period = period;
    this.#ring = new Float64Array(period);
    const memo = memoStream('CciStream', [period], 'bar', [], this, () => new CciStream(period));
    if (memo) return memo;
  }
  /** Consumes one bar; returns the CCI at that index (NaN during warm-up). */
  step(high: number, low: number, close: number): number {
    const p = this.#period;
    const i = this.#count++;
    const tp = (high + low + close) / 3;
    const ring = this.#ring;
    ring[i % p] = tp;
    if (i < p - 1) return Number.NaN;
    let mean = 0;
    for (let j = 0; j < p; j++) mean += ring[j];
    mean /= p;
    let dev = 0;
    for (let j = 0; j < p; j++) dev += Math.abs(ring[j] - mean);
    const diff = tp - mean;
    return diff !== 0 && dev !== 0 ? diff / (0.015 * (dev / p)) : 0;
  }
  next(bar: BarInput): number {
    return this.step(bar.high, bar.low, bar.close);
  }
}

/**
 * Commodity channel index, as TA_CCI: (typical price − its SMA) / (0.015 × mean absolute deviation), typical
 * price (high + low + close) / 3. First valid index `period - 1`; 0 when the deviation or the numerator is 0.
 */
export function cci(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out = new Float64Array(close.length),
): Float64Array {
  const n = sameLength(high, low, close);
  const s = new CciStream(period);
  for (let i = 0; i < n; i++) out[i] = s.step(high[i], low[i], close[i]);
  return out;
}

/** Streaming {@link williamsr}; `step` is the core the batch form loops over. */
export class WilliamsRStream implements BarStream {
  readonly #window: RollingExtremes;
  constructor(period: number) {
    assertPeriod('williamsr period', period, 2);
    this.#window = new RollingExtremes(period);
    const memo = memoStream('WilliamsRStream', [period], 'bar', [], this, () => new WilliamsRStream(period));
    if (memo) return memo;
  }
  /** Consumes one bar; returns %R at that index (NaN during warm-up). */
  step(high: number, low: number, close: number): number {
    const w = this.#window;
    w.push(high, low);
    if (!w.full) return Number.NaN;
    const diff = (w.highest - w.lowest) / -100;
    return diff !== 0 ? (w.highest - close) / diff : 0;
  }
  next(bar: BarInput): number {
    return this.step(bar.high, bar.low, bar.close);
  }
}

/**
 * Williams %R, as TA_WILLR: -100 × (highest high − close) / (highest high − lowest low) over `period` bars, in
 * [-100, 0]. First valid index `period - 1`; 0 when the range is 0.
 */
export function williamsr(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out = new Float64Array(close.length),
): Float64Array {
  const n = sameLength(high, low, close);
  const s = new WilliamsRStream(period);
  for (let i = 0; i < n; i++) out[i] = s.step(high[i], low[i], close[i]);
  return out;
}

/** Stochastic oscillator columns. */
export interface StochColumns {
  readonly k: Float64Array;
  readonly d: Float64Array;
}

/** One stochastic row; a stream returns the same object each call. */
export interface StochValue {
  k: number;
  d: number;
}

/** Streaming {@link stoch}; `step` is the core the batch form loops over. Returns a reused row object. */
export class StochStream {
  readonly #window: RollingExtremes;
  readonly #smaK: SmaStream;
  readonly #smaD: SmaStream;
  readonly #value: StochValue = { k: Number.NaN, d: Number.NaN };
  constructor(period: number, smoothK: number, smoothD: number) {
    assertPeriod('stoch period', period, 1);
    assertPeriod('stoch smoothK', smoothK, 1);
    assertPeriod('stoch smoothD', smoothD, 1);
    this.#window = new RollingExtremes(period);
    this.#smaK = new SmaStream(smoothK);
    this.#smaD = new SmaStream(smoothD);
  }
  /** Consumes one bar; returns the reused `{k, d}` (both NaN until the first valid index). */
  step(high: number, low: number, close: number): Readonly<StochValue> {
    const w = this.#window;
    const r = this.#value;
    w.push(high, low);
    r.k = r.d = Number.NaN;
    if (!w.full) return r;
    const range = (w.highest - w.lowest) / 100;
    const fastK = range !== 0 ? (close - w.lowest) / range : 0;
    const k = this.#smaK.next(fastK);
    if (Number.isNaN(k)) return r;
    const d = this.#smaD.next(k);
    // TA-Lib emits %K and %D from the same index: %K waits for %D's warm-up.
    if (Number.isNaN(d)) return r;
    r.k = k;
    r.d = d;
    return r;
  }
  next(bar: BarInput): Readonly<StochValue> {
    return this.step(bar.high, bar.low, bar.close);
  }
}

/**
 * Slow stochastic, as TA_STOCH with its default SMA smoothing: fast %K = 100 × (close − lowest low) / (highest
 * high − lowest low) over `period` (0 when the range is 0), %K = SMA(fast %K, smoothK), %D = SMA(%K, smoothD).
 * Both start at TA-Lib's lookback, index `period + smoothK + smoothD - 3`; NaN before.
 */
export function stoch(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  smoothK: number,
  smoothD: number,
): StochColumns {
  const n = sameLength(high, low, close);
  const k = new Float64Array(n);
  const d = new Float64Array(n);
  const s = new StochStream(period, smoothK, smoothD);
  for (let i = 0; i < n; i++) {
    const r = s.step(high[i], low[i], close[i]);
    k[i] = r.k;
    d[i] = r.d;
  }
  return { k, d };
}
