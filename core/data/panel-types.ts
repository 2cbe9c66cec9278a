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
  /**
   * The traded (raw) prices, same layout as `close`: present exactly when `priceFactor` is (otherwise
   * `open`/`high`/`low`/`close` are the traded prices). Kept as loaded, not recomputed as
   * `close / priceFactor`, so a fill equals the price that traded to the last bit.
   */
  readonly raw?: RawPrices;
  /**
   * The corporate actions whose ex date falls inside the panel's days, loaded whatever the adjustment
   * (the engine applies them to positions and cash); absent when there are none. Sorted by `bar`.
   */
  readonly actions?: PanelActions;
  /** Identifies the store content the panel was built from (see `dataFingerprint`). */
  readonly fingerprint: string;
}

/** Traded prices of a panel whose columns are adjusted (see `Panel.raw`). */
export interface RawPrices {
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
}

/** Action kind codes of {@link PanelActions}. */
export const ACTION_SPLIT = 0;
export const ACTION_DIVIDEND = 1;

/**
 * Corporate actions inside a panel as parallel columns, one entry per action (each in its latest
 * stored version: what the account finally received), sorted by `bar`: the instrument row, the first
 * panel day on or after its ex date, the kind ({@link ACTION_SPLIT}: new shares per old share;
 * {@link ACTION_DIVIDEND}: cash per share) and that value.
 */
export interface PanelActions {
  readonly inst: Int32Array;
  readonly bar: Int32Array;
  readonly kind: Uint8Array;
  readonly value: Float64Array;
}
