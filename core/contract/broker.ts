import { z } from 'zod';
import { event, method, noInput } from './define';


/** Every method the renderer may call. The key is the channel. */
// == brokers (issue 20): the account behind the live path, paper or real ==================================

/** Which broker (and endpoint) a `broker:*` call means. Keys never cross the boundary: the host holds them. */
export const BrokerTargetInput = z
  .object({
    broker: z.enum(['paper', 'alpaca', 'kis']),
    /** Account name or number (KIS `12345678-01`); default the one configured. */
    account: z.string().min(1).max(64).optional(),
    /** Another endpoint (the broker's paper endpoint, a test server). */
    baseUrl: z.string().url().optional(),
    /** The real-money endpoint; default paper. */
    live: z.boolean().default(false),
  })
  .strict();
/** `broker:connect`: routes the running session's orders; a live account needs `confirm` = `LIVE <account id>`, typed by the user. */
export const BrokerConnectInput = BrokerTargetInput.extend({ confirm: z.string().max(100).optional() }).strict();
/** A broker in the account selector: whether its keys are set (never the keys). */
export interface BrokerInfoView {
  readonly name: string;
  readonly summary: string;
  readonly configured: boolean;
  readonly keys: readonly string[];
}
/** An account as the broker reports it. */
export interface BrokerAccountView {
  readonly id: string;
  readonly currency: string;
  readonly cash: number;
  readonly equity: number;
  readonly buyingPower: number;
  readonly mode: 'paper' | 'live';
}
/** A position as the broker reports it (`qty` signed). */
export interface BrokerPositionView {
  readonly symbol: string;
  readonly qty: number;
  readonly avgCost: number;
  readonly last: number;
  readonly unrealized: number;
}
/** A working order at the broker. */
export interface BrokerOrderView {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop';
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly status: string;
  readonly filledQty: number;
}
/** The last reconciliation: journal beside broker, and every mismatch. */
export interface BrokerReconcileView {
  readonly at: number;
  readonly ok: boolean;
  readonly mismatches: readonly { readonly kind: 'position' | 'order'; readonly key: string; readonly journal: string; readonly broker: string }[];
  readonly positions: readonly { readonly symbol: string; readonly journal: number; readonly broker: number }[];
  readonly resynced: number;
}
/** `broker:status`: which account the live session trades, paper or live, and whether real orders are armed. */
export interface BrokerStatusView {
  readonly connected: boolean;
  readonly broker: string;
  readonly mode: 'paper' | 'live';
  readonly accountId: string | null;
  readonly currency: string | null;
  readonly equity: number | null;
  readonly cash: number | null;
  readonly buyingPower: number | null;
  readonly armed: boolean;
  readonly session: string | null;
  readonly reconcile: BrokerReconcileView | null;
}
/** `broker:credentials-set`: stored encrypted by the desktop app (Electron safeStorage); `quantdesk serve` reads the environment instead. */
export const BrokerCredentialsInput = z
  .object({ broker: z.enum(['alpaca', 'kis']), values: z.record(z.string().regex(/^(APCA_API_KEY_ID|APCA_API_SECRET_KEY|KIS_APP_KEY|KIS_APP_SECRET|KIS_ACCOUNT|KIS_HTS_ID)$/), z.string().max(512)) })
  .strict();


/** The broker methods (a slice of `METHODS`). */
export const brokerMethods = {
  // -- brokers (issue 20)
  /** Every broker and whether its keys are configured (never the keys). */
  'broker:list': method(noInput).returns<readonly BrokerInfoView[]>(),
  'broker:account': method(BrokerTargetInput).returns<BrokerAccountView>(),
  'broker:positions': method(BrokerTargetInput).returns<readonly BrokerPositionView[]>(),
  'broker:orders': method(BrokerTargetInput).returns<readonly BrokerOrderView[]>(),
  /** Routes the running live session's orders to the broker; `invalid-input` naming the phrase to type when a live account is not armed. */
  'broker:connect': method(BrokerConnectInput).returns<BrokerStatusView>(),
  'broker:disconnect': method(noInput).returns<BrokerStatusView>(),
  'broker:status': method(noInput).returns<BrokerStatusView>(),
  /** Stores keys encrypted (desktop app only); returns which keys are set. */
  'broker:credentials-set': method(BrokerCredentialsInput).returns<readonly BrokerInfoView[]>(),
} as const;

/** The broker events (a slice of `EVENTS`). */
export const brokerEvents = {
  // -- brokers (issue 20)
  'broker:status-changed': event<BrokerStatusView>(),
} as const;
