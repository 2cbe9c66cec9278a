import { assertPeriod, type ValueStream } from './types';
import { memoStream } from './memo';

/**
 * Simple moving average with TA_SMA's shape (first valid index `period - 1`, NaN before) and pandas'
 * arithmetic (`Series.rolling(period).mean()`, pandas >= 1.4 `roll_mean`): the window total is a Kahan-compensated
 * running sum with separate compensations for values added and removed (drop the oldest, then add the newest),
 * and a window of identical values yields that value exactly. A plain running total drifts in the last bit, so two
 * averages whose exact values are equal (common on minute data with four-decimal prices) could compare unequal and
 * fire a cross that backtesting.py (pandas) never sees. Values stay within ~1e-15 relative of TA-Lib's.
 * A NaN input is skipped as pandas skips it: the output is NaN while the window holds fewer than `period` numbers.
 * Reuses `out` when given.
 */
export function sma(src: Float64Array, period: number, out = new Float64Array(src.length)): Float64Array {
  assertPeriod('sma period', period, 1);
  const n = src.length;
  let sum = 0;
  let cAdd = 0;
  let cRemove = 0;
  let nobs = 0;
  let negatives = 0;
  let run = 0;
  let last = Number.NaN;
  for (let i = 0; i < n; i++) {
    if (i >= period) {
      const x = src[i - period];
      if (x === x) {
        nobs--;
        const y = -x - cRemove;
        const t = sum + y;
        cRemove = t - sum - y;
        sum = t;
        if (x < 0 || (x === 0 && 1 / x < 0)) negatives--;
      }
    }
    const v = src[i];
    if (v === v) {
      nobs++;
      const y = v - cAdd;
      const t = sum + y;
      cAdd = t - sum - y;
      sum = t;
      if (v < 0 || (v === 0 && 1 / v < 0)) negatives++;
      run = v === last ? run + 1 : 1;
      last = v;
    }
    out[i] = nobs >= period ? windowMean(sum, nobs, negatives, run, last) : Number.NaN;
  }
  return out;
}

/** pandas' `calc_mean`: a run of identical values is returned as is; a mean of the wrong sign is clamped to 0. */
function windowMean(sum: number, nobs: number, negatives: number, run: number, last: number): number {
  if (run >= nobs) return last;
  const mean = sum / nobs;
  if (negatives === 0 && mean < 0) return 0;
  if (negatives === nobs && mean > 0) return 0;
  return mean;
}

/** Streaming {@link sma}: `next(v)` equals `sma(series, period)[i]` at every index (same arithmetic, bit for bit). */
export class SmaStream implements ValueStream {
  readonly #period: number;
  readonly #ring: Float64Array;
  #count = 0;
  /** `#count % period`, kept as a wrapping index: a division per value shows on wide portfolio runs. */
  #slot = 0;
  #sum = 0;
  #cAdd = 0;
  #cRemove = 0;
  #nobs = 0;
  #negatives = 0;
  #run = 0;
  #last = Number.NaN;
  constructor(period: number) {
    assertPeriod('sma period', period, 1);
    this.#period = period;
    this.#ring = new Float64Array(period);
    const memo = memoStream('SmaStream', [period], 'value', [], this, () => new SmaStream(period));
    if (memo) return memo;
  }
  next(value: number): number {
    const p = this.#period;
    const ring = this.#ring;
    const slot = this.#slot;
    let sum = this.#sum;
    if (this.#count >= p) {
      // The slot about to be overwritten holds the value leaving the window.
      const x = ring[slot];
      if (x === x) {
        this.#nobs--;
        const y = -x - this.#cRemove;
        const t = sum + y;
        this.#cRemove = t - sum - y;
        sum = t;
        if (x < 0 || (x === 0 && 1 / x < 0)) this.#negatives--;
      }
    }
    ring[slot] = value;
    this.#count++;
    this.#slot = slot + 1 === p ? 0 : slot + 1;
    if (value === value) {
      this.#nobs++;
      const y = value - this.#cAdd;
      const t = sum + y;
      this.#cAdd = t - sum - y;
      sum = t;
      if (value < 0 || (value === 0 && 1 / value < 0)) this.#negatives++;
      this.#run = value === this.#last ? this.#run + 1 : 1;
      this.#last = value;
    }
    this.#sum = sum;
    return this.#nobs >= p ? windowMean(sum, this.#nobs, this.#negatives, this.#run, this.#last) : Number.NaN;
  }
  /**
   * `next` over `src[at .. at + m)` with NaN entries skipped (not fed, as the engine skips a name's missing
   * bars): `out[j]` gets `next(src[at + j])` for each number, and is left as is at a NaN. The same arithmetic
   * in the same order as calling `next`, with the state held in locals across the run and written back once
   * (a strategy's close step over a block of bars: `core/strategies/close-steps.ts`).
   */
  nextRun(src: Float64Array, at: number, m: number, out: Float64Array): void {
    const p = this.#period;
    const ring = this.#ring;
    let slot = this.#slot;
    let count = this.#count;
    let sum = this.#sum;
    let cAdd = this.#cAdd;
    let cRemove = this.#cRemove;
    let nobs = this.#nobs;
    let negatives = this.#negatives;
    let run = this.#run;
    let last = this.#last;
    for (let j = 0; j < m; j++) {
      const value = src[at + j];
      if (value !== value) continue;
      if (count >= p) {
        const x = ring[slot];
        if (x === x) {
          nobs--;
          const y = -x - cRemove;
          const t = sum + y;
          cRemove = t - sum - y;
          sum = t;
          if (x < 0 || (x === 0 && 1 / x < 0)) negatives--;
        }
      }
      ring[slot] = value;
      count++;
      slot = slot + 1 === p ? 0 : slot + 1;
      nobs++;
      const y = value - cAdd;
      const t = sum + y;
      cAdd = t - sum - y;
      sum = t;
      if (value < 0 || (value === 0 && 1 / value < 0)) negatives++;
      run = value === last ? run + 1 : 1;
      last = value;
      out[j] = nobs >= p ? windowMean(sum, nobs, negatives, run, last) : Number.NaN;
    }
    this.#slot = slot;
    this.#count = count;
    this.#sum = sum;
    this.#cAdd = cAdd;
    this.#cRemove = cRemove;
    this.#nobs = nobs;
    this.#negatives = negatives;
    this.#run = run;
    this.#last = last;
  }
}

/**
 * TA_SMA's own arithmetic, bit for bit: a plain running total updated as TA-Lib does (add newest, emit, drop
 * oldest). Only for indicators whose TA-Lib value depends on that rounding (Bollinger's `E[x²] - mean²`);
 * signals use the compensated {@link sma}. Reuses `out` when given.
 */
export function runningSma(src: Float64Array, period: number, out = new Float64Array(src.length)): Float64Array {
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

/** Streaming {@link runningSma}: equal to it at every index. */
export class RunningSmaStream implements ValueStream {
  readonly #period: number;
  readonly #ring: Float64Array;
  #count = 0;
  #slot = 0;
  #total = 0;
  constructor(period: number) {
    assertPeriod('sma period', period, 1);
    this.#period = period;
    this.#ring = new Float64Array(period);
    const memo = memoStream('RunningSmaStream', [period], 'value', [], this, () => new RunningSmaStream(period));
    if (memo) return memo;
  }
  next(value: number): number {
    const p = this.#period;
    const slot = this.#slot;
    this.#ring[slot] = value;
    this.#count++;
    this.#total += value;
    const oldest = slot + 1 === p ? 0 : slot + 1;
    this.#slot = oldest;
    if (this.#count < p) return Number.NaN;
    const result = this.#total / p;
    this.#total -= this.#ring[oldest];
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
export function emaFrom(
  src: Float64Array,
  period: number,
  from: number,
  out = new Float64Array(src.length),
): Float64Array {
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
    const memo = memoStream('EmaStream', [period], 'value', [], this, () => new EmaStream(period));
    if (memo) return memo;
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
    const memo = memoStream('WmaStream', [period], 'value', [], this, () => new WmaStream(period));
    if (memo) return memo;
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
