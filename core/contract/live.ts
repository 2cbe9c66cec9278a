/** The `live` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { event, method, noInput } from './define';
import { BacktestSpecSchema } from '../backtest/spec-schema';
import type { Account, KillSwitchState } from '../live/broker';
import type { RiskLimits } from '../live/risk';
import type { LiveServiceStatus } from '../live/service';
import type { LiveTicked } from '../live/session';
import type { LiveHistory } from '../live/tick-history';
import type { Alert, FeedStatus, FiredSignal, Order, Position } from '../live/types';

export type {
  Position as LivePosition,
  Order as LiveOrder,
  Alert as LiveAlert,
  FiredSignal as LiveSignal,
  FeedStatus as LiveFeedStatus,
} from '../live/types';
export type { KillSwitchState as KillSwitch } from '../live/broker';
export type { LiveHistory } from '../live/tick-history';
/**
 * The most equity points `live:history` returns, and the Live view keeps; and the rule both fold a batch's equity
 * point by (its market time, strictly ascending times).
 */
export { addEquityPoint, MAX_EQUITY_POINTS, marketTimeOf } from '../live/tick-history';
export type { RiskLimits as RiskLimitsValue } from '../live/risk';

/** The session's account; `buyingPower` when it is a connected broker's (see {@link LiveStatus.source}). */
export interface LiveAccount extends Account {
  readonly buyingPower?: number;
}

/** `live:status`: the live service's status, with the account it shows and whose figures they are. */
export interface LiveStatus extends LiveServiceStatus {
  readonly account: LiveAccount | null;
  /**
   * Whose figures `account`, `positions:list` and `orders:list` are: the connected broker's account as it
   * reports it (`mode` paper/live, `at` when it was read), or null for the paper session's model.
   */
  readonly source?: {
    readonly broker: string;
    readonly mode: 'paper' | 'live';
    readonly accountId: string;
    readonly at: number;
  } | null;
}

/**
 * `live:ticked` as it arrives: the session's {@link LiveTicked}, except that `prevClose` is null (JSON's NaN)
 * over the WebSocket before one was seen (NaN over Electron's IPC), and the account may carry `buyingPower`.
 */
export interface LiveTick extends Omit<LiveTicked, 'prices' | 'account'> {
  readonly prices: readonly (Omit<LiveTicked['prices'][number], 'prevClose'> & {
    readonly prevClose?: number | null;
  })[];
  readonly account: LiveAccount;
}

const symbolLimits = z
  .object({
    maxPosition: z.number().positive().optional(),
    maxOrderNotional: z.number().positive().optional(),
    fatFingerPct: z.number().positive().optional(),
  })
  .strict();
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
  .refine((o) => (o.type !== 'limit' && o.type !== 'stop') || o.price !== undefined, {
    path: ['price'],
    message: 'limit and stop orders need a price',
  });

const webhook = z.union([
  z
    .object({
      kind: z.literal('json'),
      url: z.string().url(),
      minSeverity: z.enum(['info', 'warning', 'critical']).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('telegram'),
      token: z.string().min(1),
      chatId: z.union([z.string(), z.number()]),
      apiUrl: z.string().url().optional(),
      minSeverity: z.enum(['info', 'warning', 'critical']).optional(),
    })
    .strict(),
]);

/** `live:start`: a backtest spec (validated like `backtest:start`'s), the feed, and optional risk and webhooks. */
export const LiveStartInput = z
  .object({
    spec: BacktestSpecSchema,
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
    session: z
      .string()
      .min(1)
      .max(64)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters')
      .default('default'),
    risk: RiskLimitsInput.optional(),
    webhooks: z.array(webhook).default([]),
    /** Anomaly thresholds: rolling window (bars), |z| of a return, volume multiple of the mean, stale feed after ms. */
    anomalies: z
      .object({
        window: z.number().int().min(2).optional(),
        zThreshold: z.number().positive().optional(),
        volumeMultiple: z.number().positive().optional(),
        staleMs: z.number().int().min(0).optional(),
      })
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
  /** The running (or last) session's equity over time and latest prices, for a view opened after it started. */
  'live:history': method(noInput).returns<LiveHistory>(),
  'positions:list': method(noInput).returns<readonly Position[]>(),
  'orders:list': method(noInput).returns<readonly Order[]>(),
  /** Journaled before it returns; `status: "rejected"` with a `reason` when the kill switch or a risk limit refuses it. */
  'orders:submit': method(OrderSubmitInput).returns<Order>(),
  'orders:cancel': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly cancelled: boolean }>(),
  /** Newest first; `category` `signal` lists only strategy signal alerts, `other` everything else (anomalies, risk, kill switch, feed). */
  'alerts:list': method(
    z
      .object({
        limit: z.number().int().positive().max(5000).default(500),
        category: z.enum(['all', 'signal', 'other']).default('all'),
      })
      .strict()
      .optional(),
  ).returns<readonly Alert[]>(),
  'alerts:ack': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly acknowledged: boolean }>(),
  /** The running (or last) session's strategy signals from the journal, newest first; one symbol's with `symbol`. */
  'signals:list': method(
    z
      .object({ limit: z.number().int().positive().max(5000).default(500), symbol: z.string().min(1).optional() })
      .strict()
      .optional(),
  ).returns<readonly FiredSignal[]>(),
  'risk:get': method(noInput).returns<RiskLimits>(),
  'risk:set': method(RiskLimitsInput).returns<RiskLimits>(),
  'killswitch:trip': method(
    z
      .object({ reason: z.string().min(1).max(500).default('manual') })
      .strict()
      .optional(),
  ).returns<KillSwitchState>(),
  'killswitch:rearm': method(noInput).returns<KillSwitchState>(),
  // -- flatten all (issue 11)
  /**
   * Closes every open position of the running session with a reduce-only market order each (filled at the next price,
   * journaled before it returns), after cancelling working orders; accepted while the kill switch is tripped.
   */
  'positions:flatten': method(
    z
      .object({ reason: z.string().min(1).max(500).default('flatten all') })
      .strict()
      .optional(),
  ).returns<readonly Order[]>(),
} as const;

/** The live events (a slice of `EVENTS`). */
export const liveEvents = {
  // -- live
  'live:ticked': event<LiveTick>(),
  'positions:changed': event<readonly Position[]>(),
  'alert:raised': event<Alert>(),
  /** A strategy entry or exit, after its `signal` alert was journaled (the `alert:raised` of that alert comes first). */
  'signal:fired': event<FiredSignal>(),
  'feed:status-changed': event<FeedStatus>(),
  'killswitch:changed': event<KillSwitchState>(),
} as const;
