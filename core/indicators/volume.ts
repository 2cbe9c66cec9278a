import { sameLength, type BarInput, type BarStream } from './types';

/**
 * On-balance volume, as TA_OBV: starts at the first bar's volume (first valid index 0), then adds the volume on an
 * up close, subtracts it on a down close, and keeps it on an unchanged close.
 */
export function obv(close: Float64Array, volume: Float64Array, out = new Float64Array(close.length)): Float64Array {
  const n = sameLength(close, volume);
  const s = new ObvStream();
  for (let i = 0; i < n; i++) out[i] = s.step(close[i], volume[i]);
  return out;
}

/** Streaming {@link obv}. */
export class ObvStream implements BarStream {
  #count = 0;
  #prevClose = 0;
  #obv = 0;
  /** Consumes one bar's close and volume; returns the OBV. */
  step(close: number, volume: number): number {
    if (this.#count++ === 0) this.#obv = volume;
    else if (close > this.#prevClose) this.#obv += volume;
    else if (close < this.#prevClose) this.#obv -= volume;
    this.#prevClose = close;
    return this.#obv;
  }
  next(bar: BarInput): number {
    return this.step(bar.close, bar.volume);
  }
}

/**
 * Volume-weighted average price since the start of the series (not in TA-Lib; the standard definition):
 * Σ typical price × volume / Σ volume with typical price (high + low + close) / 3. First valid index 0; NaN while
 * the cumulative volume is 0 (undefined, not 0).
 */
export function vwap(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  out = new Float64Array(close.length),
): Float64Array {
  const n = sameLength(high, low, close, volume);
  const s = new VwapStream();
  for (let i = 0; i < n; i++) out[i] = s.step(high[i], low[i], close[i], volume[i]);
  return out;
}

/** Streaming {@link vwap}. */
export class VwapStream implements BarStream {
  #pv = 0;
  #v = 0;
  /** Consumes one bar; returns the cumulative VWAP (NaN while no volume has traded). */
  step(high: number, low: number, close: number, volume: number): number {
    this.#pv += ((high + low + close) / 3) * volume;
    this.#v += volume;
    return this.#v > 0 ? this.#pv / this.#v : Number.NaN;
  }
  next(bar: BarInput): number {
    return this.step(bar.high, bar.low, bar.close, bar.volume);
  }
}
