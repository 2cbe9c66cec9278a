import type { z } from 'zod';

/**
 * One bar as a strategy sees it: only the current bar's values. The engine and the live path reuse
 * one object and overwrite it per bar, so a strategy must copy what it wants to remember into its
 * own state. A strategy is never handed an array it could index into the future: that is how the
 * engine enforces "no look-ahead" structurally rather than by convention.
 */
export interface BarView {
  /** Index of this bar in the series being stepped (0-based). */
  index: number;
  /** Bar open time, EpochMs. */
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** An order a strategy asks for, beyond a plain target. Prices are absolute, in the series' units. */
export interface OrderIntent {
  /** Target position as a fraction of what sizing allows: 1 full long, -1 full short, 0 flat. */
  readonly target: number;
  /** Entry order type; market by default. */
  readonly type?: 'market' | 'limit' | 'stop';
  /** Limit or stop price for `type` limit / stop. */
  readonly price?: number;
  /** Per-trade protective exits, absolute prices. */
  readonly stopLoss?: number;
  readonly takeProfit?: number;
  /** Trailing stop distance as a fraction of the best price since entry (0.05 = 5%). */
  readonly trailingStopPct?: number;
}

/**
 * What `onBar` returns: a target (see `OrderIntent.target`), an order intent, or `null` to keep the
 * current position and orders unchanged.
 */
export type Decision = number | OrderIntent | null;

/** Shared description of a built-in strategy, listed by `quantdesk strategies --json`. */
export interface StrategyInfo<P> {
  readonly name: string;
  readonly description: string;
  /** Parameter schema; `parse({})` yields the defaults. */
  readonly params: z.ZodType<P>;
}

/**
 * A single-instrument strategy, stepped bar by bar. The same definition runs in the backtest and
 * live: `init` once, then `onBar` for every bar in time order. Identical bars give identical decisions.
 */
export interface SingleStrategy<P = unknown, S = unknown> extends StrategyInfo<P> {
  readonly kind: 'single';
  init(params: P): S;
  onBar(state: S, bar: BarView): Decision;
}

/** Point-in-time data a cross-sectional strategy may read at a rebalance date. */
export interface CrossSectionView {
  /** The rebalance date (EpochMs); every accessor below returns only facts known at or before it. */
  readonly date: number;
  /** Symbols listed on `date` (delisted names included for dates before their delisting). */
  readonly universe: readonly string[];
  /** Close (in the panel's adjustment) at or before `date`, NaN if none. */
  close(symbol: string): number;
  /**
   * The same bar's close as traded (not adjusted), NaN if none: the price per actual share, to pair
   * with per-share fundamentals (market cap, PBR, earnings yield), which a split does not rescale.
   */
  rawClose(symbol: string): number;
  /** Close `lagDays` trading days before `date` (for momentum), NaN if none. */
  closeLag(symbol: string, lagDays: number): number;
  /** Daily return volatility over the trailing `days` trading days ending at `date`. */
  volatility(symbol: string, days: number): number;
  /** The latest value of a fundamental field known at `date` (latest period, latest version), NaN if none. */
  fundamental(symbol: string, field: string): number;
  /**
   * A field of the symbol's latest bar at or before `date` (its current bar on a trading day), in the
   * panel's adjustment; NaN if none. Optional for views built elsewhere; the engine's and the PIT view have it.
   */
  bar?(symbol: string, field: 'open' | 'high' | 'low' | 'close' | 'volume'): number;
}

/** How often a cross-sectional strategy rebalances: at the first trading day of each period. */
export type RebalanceEvery = 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';

/** A cross-sectional strategy: at each rebalance date, target weights per symbol (summing to at most 1 in absolute value). */
export interface CrossSectionalStrategy<P = unknown> extends StrategyInfo<P> {
  readonly kind: 'cross-sectional';
  /** Rebalance frequency. */
  rebalance(params: P): RebalanceEvery;
  /**
   * Target weights at a rebalance date. The engine also accepts a plain `{ symbol: weight }` object
   * and `null` (keep the current positions, no rebalance trades): `defineStrategy` lets a strategy
   * return those, the declared type stays a Map for the callers that iterate it.
   */
  weights(params: P, view: CrossSectionView): ReadonlyMap<string, number>;
  /** The point-in-time fundamental fields the strategy reads (loaded and audited before the run); none when omitted. */
  fields?(params: P): readonly string[];
}

/**
 * A portfolio strategy: at every bar it sees every symbol's current bar and the point-in-time facts
 * known then (a {@link CrossSectionView} at that bar), keeps its own state, and returns target
 * weights (or `null` to keep the book unchanged). Pairs trading, rotation, dual momentum.
 */
export interface PortfolioStrategy<P = unknown, S = unknown> extends StrategyInfo<P> {
  readonly kind: 'portfolio';
  init(params: P): S;
  /** One bar's decision (the SDK's `onBar` of a portfolio definition; named apart from the single kind's `onBar`). */
  step(state: S, view: CrossSectionView): ReadonlyMap<string, number> | Readonly<Record<string, number>> | null;
  /** The point-in-time fundamental fields the strategy reads; none when omitted. */
  fields?(params: P): readonly string[];
}

/** Any built-in or user strategy. */
export type Strategy = SingleStrategy<any, any> | CrossSectionalStrategy<any> | PortfolioStrategy<any, any>;
