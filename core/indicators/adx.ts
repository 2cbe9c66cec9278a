import { trueRange } from './volatility';
import { assertPeriod, isTaZero, sameLength, type BarInput, type BarStream } from './types';
import { memoStream } from './memo';

/**
 * Streaming {@link adx}; `step(high, low, close)` is the allocation-free core the batch form loops over.
 * Follows TA_ADX phase by phase: bars 1..period-1 accumulate +DM, -DM and TR without decay; bars
 * period..2·period-1 apply Wilder smoothing and sum DX; the ADX is their mean at 2·period-1 and is Wilder-smoothed
 * after. A bar with zero smoothed TR or zero DI sum leaves the ADX unchanged (TA-Lib's `TA_IS_ZERO` checks).
 */
export class AdxStream implements BarStream {
  readonly #period: number;
  #count = 0;
  #prevHigh = 0;
  #prevLow = 0;
  #prevClose = 0;
  #plusDM = 0;
  #minusDM = 0;
  #tr = 0;
  #sumDX = 0;
  #adx = Number.NaN;
  constructor(period: number) {
    assertPeriod('adx period', period, 2);
    this.#period = period;
    const memo = memoStream('AdxStream', [period], 'bar', [], this, () => new AdxStream(period));
    if (memo) return memo;
  }
  /** Consumes one bar's high, low and close; returns the ADX at that index (NaN during warm-up). */
  step(high: number, low: number, close: number): number {
    const i = this.#count++;
    const p = this.#period;
    if (i === 0) {
      this.#prevHigh = high;
      this.#prevLow = low;
      this.#prevClose = close;
      return Number.NaN;
    }
    const diffP = high - this.#prevHigh;
    const diffM = this.#prevLow - low;
    this.#prevHigh = high;
    this.#prevLow = low;
    const tr = trueRange(high, low, this.#prevClose);
    this.#prevClose = close;
    if (i < p) {
      if (diffM > 0 && diffP < diffM) this.#minusDM += diffM;
      else if (diffP > 0 && diffP > diffM) this.#plusDM += diffP;
      this.#tr += tr;
      return Number.NaN;
    }
    this.#minusDM -= this.#minusDM / p;
    this.#plusDM -= this.#plusDM / p;
    if (diffM > 0 && diffP < diffM) this.#minusDM += diffM;
    else if (diffP > 0 && diffP > diffM) this.#plusDM += diffP;
    this.#tr = this.#tr - this.#tr / p + tr;
    let dx = Number.NaN;
    if (!isTaZero(this.#tr)) {
      const minusDI = 100 * (this.#minusDM / this.#tr);
      const plusDI = 100 * (this.#plusDM / this.#tr);
      const sum = minusDI + plusDI;
      if (!isTaZero(sum)) dx = 100 * (Math.abs(minusDI - plusDI) / sum);
    }
    if (i < 2 * p - 1) {
      if (!Number.isNaN(dx)) this.#sumDX += dx;
      return Number.NaN;
    }
    if (i === 2 * p - 1) {
      if (!Number.isNaN(dx)) this.#sumDX += dx;
      this.#adx = this.#sumDX / p;
      return this.#adx;
    }
    if (!Number.isNaN(dx)) this.#adx = (this.#adx * (p - 1) + dx) / p;
    return this.#adx;
  }
  next(bar: BarInput): number {
    return this.step(bar.high, bar.low, bar.close);
  }
}

/**
 * Average directional index, as TA_ADX (Wilder): first valid index `2 * period - 1`, NaN before. In [0, 100].
 * See {@link AdxStream} for TA-Lib's seeding, which this reproduces exactly.
 */
export function adx(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  period: number,
  out = new Float64Array(close.length),
): Float64Array {
  const n = sameLength(high, low, close);
  const s = new AdxStream(period);
  for (let i = 0; i < n; i++) out[i] = s.step(high[i], low[i], close[i]);
  return out;
}
