import type { SignalExplanation } from '../model/explanation';
/**
 * Shared value types of the live path: ticks, orders, fills, positions, alerts. They are plain,
 * serialisable data (the contract re-exports them for the renderer under its names: `LiveOrder` is `Order`); the hot path keeps its
 * per-tick state in typed arrays and touches these objects only when an order, fill or alert happens.
 */

/** One trade print (or a quote used as a trade) from a feed. Times are EpochMs (UTC). */
export interface Tick {
  readonly symbol: string;
  readonly time: number;
  readonly price: number;
  readonly size: number;
  /** Feed sequence or trade id, when the feed has one: used for gap and out-of-order detection. */
  readonly seq?: number;
}

/** A closed (or amended) time bar, as emitted by the aggregator or a bar feed. */
export interface LiveBar {
  readonly symbol: string;
  /** Bar length in ms (60_000 for 1m, 86_400_000 for 1d). */
  readonly intervalMs: number;
  /** Bar open time, EpochMs, aligned to `intervalMs` from the Unix epoch (00:00 UTC for 1d). */
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Buy or sell. */
export type Side = 'buy' | 'sell';

/** Order types the paper broker accepts. TWAP and VWAP are parents that slice into market children. */
export type OrderType = 'market' | 'limit' | 'stop' | 'twap' | 'vwap';

/** Lifecycle of an order: `new` is accepted and working; the last three are final. */
export type OrderStatus = 'new' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected';

/** An order as journaled and listed. Quantities are in units (shares, coins), always positive. */
export interface Order {
  readonly id: string;
  readonly session: string;
  readonly time: number;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  /** Set on TWAP/VWAP children: the parent's id. */
  readonly parentId: string | null;
  status: OrderStatus;
  filledQty: number;
  /** Why it was rejected or cancelled, when it was. */
  reason?: string;
}

/** One execution. `commission` is in account currency and always >= 0. */
export interface Fill {
  readonly orderId: string;
  readonly session: string;
  readonly time: number;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly price: number;
  readonly commission: number;
}

/** A position with average cost; `qty` is signed (negative = short). PnL in account currency. */
export interface Position {
  readonly symbol: string;
  readonly qty: number;
  readonly avgCost: number;
  readonly realized: number;
  readonly unrealized: number;
  readonly last: number;
}

/** Alert severities, least to most urgent. */
export type Severity = 'info' | 'warning' | 'critical';

/** An alert as journaled, listed and pushed. */
export interface Alert {
  readonly id: string;
  readonly time: number;
  readonly kind: string;
  readonly severity: Severity;
  readonly symbol: string | null;
  readonly message: string;
  acknowledgedAt: number | null;
}

/** A strategy's entry or exit, in `live replay --json` output. */
export interface Signal {
  readonly symbol: string;
  /** Bar time at which the strategy decided (EpochMs). */
  readonly time: number;
  readonly side: Side;
  /** Decision price (the bar's close the strategy saw). */
  readonly price: number;
  /** Target after the decision: 1 long, -1 short, 0 flat, fractions allowed. */
  readonly target: number;
  /** `signal`: the strategy decided at the bar's close (`price` = that close); `stop` / `target`: a protective exit hit inside the bar (`price` = its level). */
  readonly reason: 'signal' | 'stop' | 'target';
  /** A model-driven signal's prediction and its largest feature contributions (exact; see `core/models/live.ts`). */
  readonly explanation?: SignalExplanation;
}

/**
 * A signal as a live session fires it: journaled as an alert of kind `signal` (the alert's payload holds
 * this object), pushed as `signal:fired` after the commit, and listed by `signals:list`.
 */
export interface FiredSignal extends Signal {
  /** Id of the `signal` alert that journaled it (acknowledge it with `alerts:ack`). */
  readonly alertId: string;
  /** Name of the strategy that decided. */
  readonly strategy: string;
}

/** A feed's connection state, pushed as `feed:status-changed`. */
export interface FeedStatus {
  readonly feed: string;
  readonly state: 'connecting' | 'open' | 'reconnecting' | 'stale' | 'closed';
  readonly at: number;
  readonly detail?: string;
}
