import { z } from 'zod';
import { event, method, noInput } from './define';


// == live ===================================================================================

/** A paper position: `qty` signed (negative short), PnL in account currency, `last` the latest mark. */
export interface LivePosition {
  readonly symbol: string;
  readonly qty: number;
  readonly avgCost: number;
  readonly realized: number;
  readonly unrealized: number;
  readonly last: number;
}

/** A paper order. TWAP/VWAP parents have children whose `parentId` is theirs. */
export interface LiveOrder {
  readonly id: string;
  readonly session: string;
  readonly time: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop' | 'twap' | 'vwap';
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly parentId: string | null;
  readonly status: 'new' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected';
  readonly filledQty: number;
  readonly reason?: string;
}

/** An alert; `acknowledgedAt` is null until `alerts:ack`. Desktop notifications are the host's choice (e.g. `critical` only). */
export interface LiveAlert {
  readonly id: string;
  readonly time: number;
  readonly kind: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly symbol: string | null;
  readonly message: string;
  readonly acknowledgedAt: number | null;
}

/**
 * A strategy's entry or exit in a live session. Journaled as an alert of kind `signal` (id `alertId`, ack it
 * with `alerts:ack`), pushed as `signal:fired` after the commit, listed by `signals:list`. `time` is the bar's
 * (EpochMs); `price` the close the strategy decided at (`reason: "signal"`) or the protective level hit
 * (`"stop"`, `"target"`); `target` the position after it (1 long, -1 short, 0 flat, fractions allowed).
 */
export interface LiveSignal {
  readonly alertId: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly time: number;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly target: number;
  readonly reason: 'signal' | 'stop' | 'target';
}

/** A feed's connection state. */
export interface LiveFeedStatus {
  readonly feed: string;
  readonly state: 'connecting' | 'open' | 'reconnecting' | 'stale' | 'closed';
  readonly at: number;
  readonly detail?: string;
}

/** The kill switch. */
export interface KillSwitch {
  readonly tripped: boolean;
  readonly reason: string | null;
  readonly at: number | null;
}

/** Account figures in account currency. */
export interface LiveAccount {
  readonly cash: number;
  readonly equity: number;
  readonly grossExposure: number;
  readonly dayStartEquity: number;
  readonly realized: number;
  readonly unrealized: number;
  /** The broker's buying power, when the account is a connected broker's (see {@link LiveStatus.source}). */
  readonly buyingPower?: number;
}

/** `live:status`: whether a session runs, on which feed, and its account. */
export interface LiveStatus {
  readonly running: boolean;
  readonly session: string | null;
  readonly strategy: string | null;
  readonly symbols: readonly string[];
  readonly feed: LiveFeedStatus | null;
  readonly account: LiveAccount | null;
  readonly killSwitch: KillSwitch;
  /**
   * Whose figures `account`, `positions:list` and `orders:list` are: the connected broker's account as it
   * reports it (`mode` paper/live, `at` when it was read), or null for the paper session's model.
   */
  readonly source?: { readonly broker: string; readonly mode: 'paper' | 'live'; readonly accountId: string; readonly at: number } | null;
}

/**
 * `live:ticked`: prices changed since the previous push (at most every 100 ms) and the account. `prevClose` is the
 * symbol's last price of the previous UTC day (the previous bar's close on a daily feed): the day's change reference;
 * null (JSON's NaN) before one was seen.
 */
export interface LiveTick {
  readonly at: number;
  readonly count: number;
  readonly prices: readonly { readonly symbol: string; readonly time: number; readonly price: number; readonly prevClose?: number | null }[];
  readonly account: LiveAccount;
}

const symbolLimits = z.object({ maxPosition: z.number().positive().optional(), maxOrderNotional: z.number().positive().optional(), fatFingerPct: z.number().positive().optional() }).strict();
const limitName = z.enum(['maxPosition', 'maxOrderNotional', 'fatFinger', 'maxGrossExposure', 'maxDailyLoss']);

/** Risk limits: per symbol (`"*"` for the rest) and per account; `hard` lists the limits that trip the kill switch (default all). */
export const RiskLimitsInput = z
  .object({
    symbols: z.record(z.string(), symbolLimits).default({}),
    maxGrossExposure: z.number().positive().optional(),
    maxDailyLoss: z.number().positive().optional(),
    hard: z.array(limitName).optional(),
  })
  .strict();
/** Risk limits as `risk:get` returns them. */
export interface RiskLimitsValue {
  readonly symbols: Readonly<Record<string, { readonly maxPosition?: number; readonly maxOrderNotional?: number; readonly fatFingerPct?: number }>>;
  readonly maxGrossExposure?: number;
  readonly maxDailyLoss?: number;
  readonly hard?: readonly ('maxPosition' | 'maxOrderNotional' | 'fatFinger' | 'maxGrossExposure' | 'maxDailyLoss')[];
}

/** `orders:submit`: a manual paper order (the Live view's ticket); `price` for limit/stop, `durationMs`/`slices` for TWAP/VWAP. */
export const OrderSubmitInput = z
  .object({
    symbol: z.string().min(1),
    side: z.enum(['buy', 'sell']),
    qty: z.number().positive(),
    type: z.enum(['market', 'limit', 'stop', 'twap', 'vwap']).default('market'),
    price: z.number().positive().optional(),
    durationMs: z.number().int().positive().optional(),
    slices: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .refine((o) => (o.type !== 'limit' && o.type !== 'stop') || o.price !== undefined, { path: ['price'], message: 'limit and stop orders need a price' });

const webhook = z.union([
  z.object({ kind: z.literal('json'), url: z.string().url(), minSeverity: z.enum(['info', 'warning', 'critical']).optional() }).strict(),
  z.object({ kind: z.literal('telegram'), token: z.string().min(1), chatId: z.union([z.string(), z.number()]), apiUrl: z.string().url().optional(), minSeverity: z.enum(['info', 'warning', 'critical']).optional() }).strict(),
]);

/** `live:start`: a backtest spec (validated like `backtest:start`'s), the feed, and optional risk and webhooks. */
export const LiveStartInput = z
  .object({
    spec: z.record(z.string(), z.unknown()),
    feed: z.enum(['replay', 'websocket', 'binance']).default('replay'),
    /** WebSocket URL (`websocket`; optional for `binance`, which defaults to the public stream of the spec's symbols). */
    url: z.string().optional(),
    /** Replay speed in time steps per second; 0 = as fast as possible. */
    speed: z.number().min(0).default(0),
    /** Replay start date (YYYY-MM-DD); default the spec's start. */
    from: z.string().optional(),
    /** Bar interval strategies step on when the feed sends trades (bar feeds step on their own bars). */
    interval: z.enum(['1m', '5m', '1h', '1d']).default('1m'),
    /** Journal session to run (and restore); default "default". No control characters (as `live:resume`). */
    // eslint-disable-next-line no-control-regex
    session: z.string().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters').default('default'),
    risk: RiskLimitsInput.optional(),
    webhooks: z.array(webhook).default([]),
    /** Anomaly thresholds: rolling window (bars), |z| of a return, volume multiple of the mean, stale feed after ms. */
    anomalies: z
      .object({ window: z.number().int().min(2).optional(), zThreshold: z.number().positive().optional(), volumeMultiple: z.number().positive().optional(), staleMs: z.number().int().min(0).optional() })
      .strict()
      .optional(),
    /** Same-kind, same-symbol alerts within this many ms are suppressed. */
    cooldownMs: z.number().int().min(0).optional(),
    /** Severity of the `signal` alert each strategy entry and exit raises (default info). */
    signalSeverity: z.enum(['info', 'warning', 'critical']).default('info'),
  })
  .strict();


/** The live methods (a slice of `METHODS`). */
export const liveMethods = {
  // -- live (live monitoring issue)
  'live:start': method(LiveStartInput).returns<LiveStatus>(),
  'live:stop': method(noInput).returns<LiveStatus>(),
  'live:status': method(noInput).returns<LiveStatus>(),
  'positions:list': method(noInput).returns<readonly LivePosition[]>(),
  'orders:list': method(noInput).returns<readonly LiveOrder[]>(),
  /** Journaled before it returns; `status: "rejected"` with a `reason` when the kill switch or a risk limit refuses it. */
  'orders:submit': method(OrderSubmitInput).returns<LiveOrder>(),
  'orders:cancel': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly cancelled: boolean }>(),
  /** Newest first; `category` `signal` lists only strategy signal alerts, `other` everything else (anomalies, risk, kill switch, feed). */
  'alerts:list': method(
    z.object({ limit: z.number().int().positive().max(5000).default(500), category: z.enum(['all', 'signal', 'other']).default('all') }).strict().optional(),
  ).returns<readonly LiveAlert[]>(),
  'alerts:ack': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly acknowledged: boolean }>(),
  /** The running (or last) session's strategy signals from the journal, newest first; one symbol's with `symbol`. */
  'signals:list': method(z.object({ limit: z.number().int().positive().max(5000).default(500), symbol: z.string().min(1).optional() }).strict().optional()).returns<readonly LiveSignal[]>(),
  'risk:get': method(noInput).returns<RiskLimitsValue>(),
  'risk:set': method(RiskLimitsInput).returns<RiskLimitsValue>(),
  'killswitch:trip': method(z.object({ reason: z.string().min(1).max(500).default('manual') }).strict().optional()).returns<KillSwitch>(),
  'killswitch:rearm': method(noInput).returns<KillSwitch>(),
  // -- flatten all (issue 11)
  /**
   * Closes every open position of the running session with a reduce-only market order each (filled at the next price,
   * journaled before it returns), after cancelling working orders; accepted while the kill switch is tripped.
   */
  'positions:flatten': method(z.object({ reason: z.string().min(1).max(500).default('flatten all') }).strict().optional()).returns<readonly LiveOrder[]>(),
} as const;

/** The live events (a slice of `EVENTS`). */
export const liveEvents = {
  // -- live
  'live:ticked': event<LiveTick>(),
  'positions:changed': event<readonly LivePosition[]>(),
  'alert:raised': event<LiveAlert>(),
  /** A strategy entry or exit, after its `signal` alert was journaled (the `alert:raised` of that alert comes first). */
  'signal:fired': event<LiveSignal>(),
  'feed:status-changed': event<LiveFeedStatus>(),
  'killswitch:changed': event<KillSwitch>(),
} as const;
