import { assertPeriod, type ValueStream } from './types';

/**
 * Simple moving average, as TA_SMA: first valid index `period - 1`, NaN before.
 * The running total is updated in TA-Lib's order (add newest, emit, drop oldest) so values match it bit for bit.
 * Reuses `out` when given.
 */
export function sma(src: Float64Array, period: number, out = new Float64Array(src.length)): Float64Array {
  assertPeriod('sma period', period, 1);
  const n = src.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += src[i];
    if (i + 1 >= period) {
      out[i] = total / period;
      total -= src[i + 1 - period];
    } else {
      out[i] = Number.NaN;
    }
  }
  return out;
}

/** Streaming {@link sma}: `next(v)` equals `sma(series, period)[i]` at every index. */
export class SmaStream implements ValueStream {
  readonly #period: number;
  readonly #ring: Float64Array;
  #count = 0;
  /** `#count % period`, kept as a wrapping index: a division per value shows on wide portfolio runs. */
  #slot = 0;
  #total = 0;
  constructor(period: number) {
    assertPeriod('sma period', period, 1);
    this.#period = period;
    this.#ring = new Float64Array(period);
  }
  next(value: number): number {
    const p = this.#period;
    const ring = this.#ring;
    const slot = this.#slot;
    ring[slot] = value;
    this.#count++;
    this.#total += value;
    // The oldest value in the window is the one just after the newest slot.
    const oldest = slot + 1 === p ? 0 : slot + 1;
    this.#slot = oldest;
    if (this.#count < p) return Number.NaN;
    const result = this.#total / p;
    this.#total -= ring[oldest];
    return result;
  }
}

/**
 * Exponential moving average, as TA_EMA with TA-Lib's default compatibility: k = 2 / (period + 1), seeded at
 * index `period - 1` with the SMA of the first `period` values; first valid index `period - 1`, NaN before.
 * Reuses `out` when given.
 */
export function ema(src: Float64Array, period: number, out = new Float64Array(src.length)): Float64Array {
  assertPeriod('ema period', period, 1);
  return emaFrom(src, period, 0, out);
}

/**
 * EMA whose SMA seed starts at index `from` (so the first value is at `from + period - 1`); NaN before.
 * TA_MACD seeds its fast EMA late so both MACD legs start together; this is how we reproduce it.
 */
export function emaFrom(src: Float64Array, period: number, from: number, out = new Float64Array(src.length)): Float64Array {
  const n = src.length;
  const k = 2 / (period + 1);
  const first = from + period - 1;
  let seed = 0;
  for (let i = 0; i < n && i < first; i++) {
    out[i] = Number.NaN;
    if (i >= from) seed += src[i];
  }
  if (first >= n) return out;
  seed += src[first];
  let prev = seed / period;
  out[first] = prev;
  for (let i = first + 1; i < n; i++) {
    prev = (src[i] - prev) * k + prev;
    out[i] = prev;
  }
  return out;
}

/** Streaming {@link ema}: `next(v)` equals `ema(series, period)[i]` at every index. */
export class EmaStream implements ValueStream {
  readonly #period: number;
  readonly #k: number;
  #count = 0;
  #prev = 0;
  constructor(period: number) {
    assertPeriod('ema period', period, 1);
    this.#period = period;
    this.#k = 2 / (period + 1);
  }
  next(value: number): number {
    this.#count++;
    if (this.#count < this.#period) {
      this.#prev += value;
      return Number.NaN;
    }
    if (this.#count === this.#period) {
      this.#prev = (this.#prev + value) / this.#period;
      return this.#prev;
    }
    this.#prev = (value - this.#prev) * this.#k + this.#prev;
    return this.#prev;
  }
}

/**
 * Weighted moving average with weights 1..period (newest heaviest), as TA_WMA: first valid index `period - 1`.
 * Uses TA-Lib's running-sum recurrence so values match it bit for bit. Reuses `out` when given.
 */
export function wma(src: Float64Array, period: number, out = new Float64Array(src.length)): Float64Array {
  assertPeriod('wma period', period, 1);
  const n = src.length;
  const divider = (period * (period + 1)) / 2;
  let periodSub = 0;
  let periodSum = 0;
  let trailing = 0;
  for (let i = 0; i < n; i++) {
    const v = src[i];
    if (i < period - 1) {
      periodSub += v;
      periodSum += v * (i + 1);
      out[i] = Number.NaN;
      continue;
    }
    periodSub += v;
    periodSub -= trailing;
    periodSum += v * period;
    trailing = src[i + 1 - period];
    out[i] = periodSum / divider;
    periodSum -= periodSub;
  }
  return out;
}

/** Streaming {@link wma}: `next(v)` equals `wma(series, period)[i]` at every index. */
export class WmaStream implements ValueStream {
  readonly #period: number;
  readonly #divider: number;
  readonly #ring: Float64Array;
  #count = 0;
  #periodSub = 0;
  #periodSum = 0;
  #trailing = 0;
  constructor(period: number) {
    assertPeriod('wma period', period, 1);
    this.#period = period;
    this.#divider = (period * (period + 1)) / 2;
    this.#ring = new Float64Array(period);
  }
  next(value: number): number {
    const p = this.#period;
    const i = this.#count++;
    const slot = i % p;
    this.#ring[slot] = value;
    if (i < p - 1) {
      this.#periodSub += value;
      this.#periodSum += value * (i + 1);
      return Number.NaN;
    }
    this.#periodSub += value;
    this.#periodSub -= this.#trailing;
    this.#periodSum += value * p;
    this.#trailing = this.#ring[(slot + 1) % p];
    const result = this.#periodSum / this.#divider;
    this.#periodSum -= this.#periodSub;
    return result;
  }
}
