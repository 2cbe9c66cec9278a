/**
 * The broker seam: one interface every broker (the paper broker, Alpaca, KIS) implements, so the order
 * gateway, the risk checks, the journal and the UI never know which one they talk to. Everything is
 * plain, serialisable data; quantities are positive units with a `side`, positions are signed.
 */
import type { Side } from '../types';

/** Account figures as the broker reports them, in the account's currency. */
export interface BrokerAccount {
  /** Account number or name as the broker shows it (never a credential). */
  readonly id: string;
  readonly currency: string;
  readonly cash: number;
  readonly equity: number;
  readonly buyingPower: number;
  /** `paper` for a simulated account (our paper broker, Alpaca paper, KIS 모의투자), `live` for real money. */
  readonly mode: 'paper' | 'live';
}

/** A position as the broker reports it; `qty` signed (negative = short). */
export interface BrokerPosition {
  readonly symbol: string;
  readonly qty: number;
  readonly avgCost: number;
  /** Latest price the broker marked it at (NaN when it gave none). */
  readonly last: number;
  readonly unrealized: number;
}

/** Broker-side order states, normalised. `pending` = sent, not yet acknowledged. */
export type BrokerOrderStatus =
  'pending' | 'new' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected' | 'expired' | 'replaced';

/** An order as the broker reports it. */
export interface BrokerOrder {
  /** The broker's own order id. */
  readonly id: string;
  /** Our idempotency key: the id the order was submitted with (Alpaca `client_order_id`; KIS keeps it locally). */
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly type: 'market' | 'limit' | 'stop';
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly status: BrokerOrderStatus;
  readonly filledQty: number;
  /** Average fill price (NaN before any fill). */
  readonly avgFillPrice: number;
  /** When the broker accepted it (EpochMs). */
  readonly time: number;
  readonly reason?: string;
}

/** An order to send. `clientOrderId` makes a resend safe: the same id is never two orders. */
export interface BrokerOrderRequest {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type: 'market' | 'limit' | 'stop';
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly timeInForce?: 'day' | 'gtc';
}

/** What a replace changes. */
export interface BrokerReplace {
  readonly qty?: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
}

/**
 * One order update from the broker's stream. `eventId` is unique per update (so a duplicate is dropped
 * by id); `seq` orders updates of one order when the broker gives it (an older one is dropped); a fill
 * carries its execution (`fillQty` / `fillPrice` / `execId`).
 */
export interface OrderUpdate {
  readonly eventId: string;
  readonly event: 'new' | 'partial_fill' | 'fill' | 'canceled' | 'rejected' | 'expired' | 'replaced' | 'other';
  readonly order: BrokerOrder;
  readonly time: number;
  readonly seq?: number;
  readonly execId?: string;
  readonly fillQty?: number;
  readonly fillPrice?: number;
}

/** A quote or trade from the broker's market data, where it offers one. */
export interface BrokerQuote {
  readonly symbol: string;
  readonly time: number;
  readonly price: number;
  readonly size: number;
}

/** Stream state changes the gateway alerts on and resyncs after. */
export interface StreamListener {
  update(u: OrderUpdate): void;
  quote?(q: BrokerQuote): void;
  /** `open` after (re)connect and subscribe; `down` when the stream dropped (the adapter reconnects by itself). */
  state(s: 'open' | 'down', detail?: string): void;
}

/** A broker error a user can act on: `code` is the broker's (HTTP status, `EGW00201`...), `message` says what to do. */
export class BrokerError extends Error {
  constructor(
    readonly broker: string,
    readonly code: string,
    message: string,
    /** Retrying the same request may succeed (timeouts, 429, 5xx, an expired token already refreshed). */
    readonly retryable: boolean,
    /** The request may have reached the broker (a timeout or a 5xx after sending): look before resending. */
    readonly maybeSent = false,
  ) {
    super(`${broker}: ${message}`);
  }
}

/** The broker interface. Every method talks to the broker; none caches what it reports. */
export interface Broker {
  /** Registry name: `paper`, `alpaca`, `kis`. */
  readonly name: string;
  /** `paper` unless this adapter sends real orders. */
  readonly mode: 'paper' | 'live';
  account(): Promise<BrokerAccount>;
  positions(): Promise<BrokerPosition[]>;
  /** Working (open) orders. */
  openOrders(): Promise<BrokerOrder[]>;
  /** The order submitted with `clientOrderId`, or null if the broker never received it. */
  orderByClientId(clientOrderId: string): Promise<BrokerOrder | null>;
  /**
   * For brokers without client order ids (KIS): today's order that matches an intent sent at or after `since`,
   * not among the broker ids in `claimed` (or the one with `brokerOrderId` when the journal has it); null when none; throws when more than one could be it.
   */
  matchIntent?(
    clientOrderId: string,
    req: BrokerOrderRequest,
    since: number,
    claimed: ReadonlySet<string>,
    brokerOrderId?: string | null,
  ): Promise<BrokerOrder | null>;
  submit(req: BrokerOrderRequest): Promise<BrokerOrder>;
  /** Asks the broker to cancel; the final state arrives on the stream (or from {@link orderByClientId}). */
  cancel(order: BrokerOrder): Promise<void>;
  replace(order: BrokerOrder, change: BrokerReplace, newClientOrderId: string): Promise<BrokerOrder>;
  /** Opens the update stream (and quotes of `symbols` where offered); reconnects by itself until closed. */
  subscribe(listener: StreamListener, symbols?: readonly string[]): Promise<void>;
  close(): Promise<void>;
}
