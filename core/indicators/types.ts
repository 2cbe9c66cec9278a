/**
 * Shared shapes for indicators. Batch functions read `Float64Array` columns and write preallocated outputs;
 * streaming forms take one value or bar per `next` call and allocate nothing per call.
 */

/** The bar fields an indicator may read in streaming form (a `Bar` or any object with these fields). */
export interface BarInput {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** A streaming indicator over one value per step; `next` returns NaN during warm-up. */
export interface ValueStream {
  /** Consumes the next value and returns the indicator at that index (NaN during warm-up). */
  next(value: number): number;
}

/** A streaming indicator over bars with one output; `next` returns NaN during warm-up. */
export interface BarStream {
  /** Consumes the next bar and returns the indicator at that index (NaN during warm-up). */
  next(bar: BarInput): number;
}

/** TA-Lib's `TA_EPSILON` (ta_utility.h): 1e-14. */
export const TA_EPSILON = 0.00000000000001;

/**
 * TA-Lib's `TA_IS_ZERO`: |v| < 1e-14 counts as zero (used where it divides by a sum that may vanish).
 * Reproduced so our values equal TA-Lib's on near-flat series too.
 */
export function isTaZero(v: number): boolean {
  return v > -TA_EPSILON && v < TA_EPSILON;
}

/** Throws a clear error unless `period` is an integer at least `min`. */
export function assertPeriod(name: string, period: number, min: number): void {
  if (!Number.isInteger(period) || period < min) {
    throw new RangeError(`${name} must be an integer >= ${min}, got ${period}`);
  }
}

/** Throws unless every column has the same length; returns that length. */
export function sameLength(...cols: Float64Array[]): number {
  const n = cols[0].length;
  for (let i = 1; i < cols.length; i++) {
    if (cols[i].length !== n) throw new RangeError(`column lengths differ: ${n} vs ${cols[i].length}`);
  }
  return n;
}
