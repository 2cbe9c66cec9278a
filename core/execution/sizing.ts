import type { Sizing } from '../backtest/spec';
import { affordableQty, roundQty } from './fill-rules';

/**
 * Position sizing and the realised volatility it may read: pure functions shared by the backtest
 * engine and the live runner through the order book (`book.ts`).
 */

/**
 * Sample standard deviation of the last `want` close-to-close returns of one series (`close` from
 * `base`), ending at bar `last` and reaching back no further than `first`, annualised by `barsPerYear`.
 * Missing bars (NaN) are skipped. NaN with fewer than two returns.
 */
export function realisedVol(
  close: Float64Array,
  base: number,
  first: number,
  last: number,
  want: number,
  barsPerYear: number,
): number {
  let k = 0;
  let sum = 0;
  let sumSq = 0;
  let next = Number.NaN;
  for (let i = last; i >= first && k < want; i--) {
    const c = close[base + i];
    if (c !== c) continue;
    if (next === next) {
      const r = next / c - 1;
      sum += r;
      sumSq += r * r;
      k++;
    }
    next = c;
  }
  if (k < 2) return Number.NaN;
  const m = sum / k;
  return Math.sqrt(Math.max(0, (sumSq - k * m * m) / (k - 1)) * barsPerYear);
}

/** What {@link positionSize} needs besides the sizing settings. */
export interface SizeInputs {
  /** |target| as a fraction of the method's full size (0..1]. */
  frac: number;
  /** Fill price after slippage. */
  px: number;
  /** Cash + every held name at its mark. */
  equity: number;
  /** Gross value of the other held names (`all-in` only). */
  grossOthers: number;
  /** Number of names sharing the book (`equal-weight`). */
  names: number;
  /** Annualised realised volatility of the name (`volatility-target` only). */
  vol: number;
}

/** Unsigned quantity to open for `x` under `sizing` with commission `rate` + `fixed` per fill. */
export function positionSize(sizing: Sizing, x: SizeInputs, rate: number, fixed: number, whole: boolean): number {
  switch (sizing.method) {
    case 'fixed-qty':
      return roundQty(sizing.qty * x.frac, whole);
    case 'all-in':
      return affordableQty((x.equity - x.grossOthers) * x.frac, x.px, rate, fixed, whole);
    case 'fixed-fraction':
      return affordableQty(x.equity * sizing.fraction * x.frac, x.px, rate, fixed, whole);
    case 'equal-weight':
      return affordableQty((x.equity / x.names) * x.frac, x.px, rate, fixed, whole);
    case 'volatility-target':
      if (!(x.vol > 0)) return 0;
      return affordableQty(
        x.equity * Math.min(sizing.maxWeight, sizing.targetVol / x.vol) * x.frac,
        x.px,
        rate,
        fixed,
        whole,
      );
  }
}

/**
 * {@link positionSize} when equity is known only to lie in [`lo`, `hi`] (`x.equity` is ignored): the size
 * if every equity in that range gives the same one, else NaN (the caller then sums equity exactly).
 *
 * Sound for whole units under `equal-weight`, `fixed-fraction` and `volatility-target`: there the size is a
 * chain of correctly rounded operations, each monotone in equity (× or ÷ by a positive constant, − a
 * constant, `budget > fixed`), then a floor; a monotone function that takes one value at both ends of a
 * range takes it throughout. The one exception, a non-finite quantity rounding to 0, needs an overflow,
 * which the bounds on |hi| and the price rule out. Any other method or fractional units: NaN.
 */
export function positionSizeWithin(
  sizing: Sizing,
  x: SizeInputs,
  lo: number,
  hi: number,
  rate: number,
  fixed: number,
  whole: boolean,
): number {
  const m = sizing.method;
  if (!whole || (m !== 'equal-weight' && m !== 'fixed-fraction' && m !== 'volatility-target')) return Number.NaN;
  // Far from overflow: equity below 1e250 times a weight of at most 100, over a price above 1e-30.
  if (!(lo <= hi) || !(Math.abs(lo) < 1e250) || !(Math.abs(hi) < 1e250) || !(x.px > 1e-30)) return Number.NaN;
  x.equity = lo;
  const a = positionSize(sizing, x, rate, fixed, whole);
  x.equity = hi;
  const b = positionSize(sizing, x, rate, fixed, whole);
  return a === b ? a : Number.NaN;
}
