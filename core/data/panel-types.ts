/**
 * How prices in a panel are adjusted for corporate actions.
 * - `raw`: as traded.
 * - `pit`: forward-adjusted as the facts became known: the price at bar t is raw(t) times the product
 *   of the factors of actions with `ex_date <= t` and `known_at <= t`. A decision at t depends on no
 *   action known after t, so this is the engine's default (no look-ahead through adjustments).
 * - `{ asOf }`: back-adjusted with the actions whose `ex_date <= asOf` and `known_at <= asOf`
 *   (what `quantdesk query bars --adjusted-as-of` prints).
 */
export type Adjustment = 'raw' | 'pit' | { readonly asOf: number };

/**
 * Instruments × trading days as flat Float64Array columns, row-major by instrument: the value of
 * instrument `s` on day `t` is at `s * nDays + t`, so one instrument's series is the contiguous
 * `subarray(s * nDays, (s + 1) * nDays)`. Missing bars (before listing, after delisting, gaps) are NaN.
 */
export interface Panel {
  readonly symbols: readonly string[];
  readonly sectors: readonly string[];
  /** Trading days (EpochMs, ascending): the union of the dates with any bar in the range. */
  readonly time: Float64Array;
  readonly nInst: number;
  readonly nDays: number;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  /** Listing window per instrument (EpochMs; NaN when unknown / still listed). */
  readonly listedOn: Float64Array;
  readonly delistedOn: Float64Array;
  readonly adjustment: Adjustment;
  /**
   * Per bar (same layout as `close`), the factor the prices were multiplied by: adjusted = raw ×
   * factor, so the traded price is `close / priceFactor`. Absent when every factor is 1 (a `raw`
   * panel, or no corporate actions). Fundamentals are per actual share, so ratios of price to a
   * per-share fact (market cap, PBR, earnings yield) need the raw price.
   */
  readonly priceFactor?: Float64Array;
  /** Identifies the store content the panel was built from (see `dataFingerprint`). */
  readonly fingerprint: string;
}
