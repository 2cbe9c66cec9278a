import { assertPeriod, isTaZero, type ValueStream } from './types';
import { memoStream } from './memo';

/**
 * Relative strength index with Wilder smoothing, as TA_RSI (TA-Lib default, not Metastock): the first average
 * gain and loss are plain means of the first `period` changes, then `avg = (avg * (period - 1) + change) / period`.
 * First valid index `period`, NaN before. When gains plus losses are zero (no movement; TA-Lib's `TA_IS_ZERO`,
 * |x| < 1e-14) the value is 0, as in TA-Lib. In [0, 100]. Reuses `out` when given.
 */
export function rsi(src: Float64Array, period: number, out = new Float64Array(src.length)): Float64Array {
  assertPeriod('rsi period', period, 2);
  const n = src.length;
  let gain = 0;
  let loss = 0;
  if (n > 0) out[0] = Number.NaN;
  for (let i = 1; i < n; i++) {
    const diff = src[i] - src[i - 1];
    if (i <= period) {
      if (diff < 0) loss -= diff;
      else gain += diff;
      if (i < period) {
        out[i] = Number.NaN;
        continue;
      }
      loss /= period;
      gain /= period;
    } else {
      loss *= period - 1;
      gain *= period - 1;
      if (diff < 0) loss -= diff;
      else gain += diff;
      loss /= period;
      gain /= period;
    }
    const sum = gain + loss;
    out[i] = isTaZero(sum) ? 0 : 100 * (gain / sum);
  }
  return out;
}

/** Streaming {@link rsi}: `next(v)` equals `rsi(series, period)[i]` at every index. */
export class RsiStream implements ValueStream {
  readonly #period: number;
  #count = 0;
  #prevValue = 0;
  #gain = 0;
  #loss = 0;
  constructor(period: number) {
    assertPeriod('rsi period', period, 2);
    this.#period = period;
    const memo = memoStream('RsiStream', [period], 'value', [], this, () => new RsiStream(period));
    if (memo) return memo;
  }
  next(value: number): number {
    const i = this.#count++;
    const p = this.#period;
    const diff = value - this.#prevValue;
    this.#prevValue = value;
    if (i === 0) return Number.NaN;
    if (i > p) {
      this.#loss *= p - 1;
      this.#gain *= p - 1;
    }
    if (diff < 0) this.#loss -= diff;
    else this.#gain += diff;
    if (i < p) return Number.NaN;
    this.#loss /= p;
    this.#gain /= p;
    const sum = this.#gain + this.#loss;
    return isTaZero(sum) ? 0 : 100 * (this.#gain / sum);
  }
}
