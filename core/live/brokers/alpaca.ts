import WebSocket from 'ws';
import { num, request, sleep, type HttpAnswer } from './http';
import type {
  Broker,
  BrokerAccount,
  BrokerOrder,
  BrokerOrderRequest,
  BrokerOrderStatus,
  BrokerPosition,
  BrokerReplace,
  OrderUpdate,
  StreamListener,
} from './types';
import { BrokerError } from './types';

/** Alpaca's trading endpoints. */
export const ALPACA_PAPER_URL = 'https://paper-api.alpaca.markets';
export const ALPACA_LIVE_URL = 'https://api.alpaca.markets';

/** Options of {@link AlpacaBroker}. Keys come from `APCA_API_KEY_ID` / `APCA_API_SECRET_KEY` (see {@link alpacaFromEnv}). */
export interface AlpacaOptions {
  readonly keyId: string;
  readonly secretKey: string;
  /** `paper` (default) or `live`: picks the endpoint when `baseUrl` is not given. */
  readonly mode?: 'paper' | 'live';
  /** Another endpoint (a test server); the stream is `ws(s)://<host>/stream`. */
  readonly baseUrl?: string;
  readonly streamUrl?: string;
  readonly timeoutMs?: number;
  /** Retries of a request answered 429/5xx or timed out (reads only; order submits are looked up instead). */
  readonly retries?: number;
  readonly backoffMs?: number;
}

/** Alpaca's order states → ours. */
const STATUS: Record<string, BrokerOrderStatus> = {
  new: 'new',
  accepted: 'new',
  pending_new: 'pending',
  accepted_for_bidding: 'new',
  held: 'new',
  calculated: 'new',
  partially_filled: 'partially-filled',
  filled: 'filled',
  done_for_day: 'new',
  canceled: 'cancelled',
  expired: 'expired',
  replaced: 'replaced',
  pending_cancel: 'new',
  pending_replace: 'new',
  rejected: 'rejected',
  suspended: 'new',
  stopped: 'new',
};

/** Alpaca's HTTP errors → a sentence a user can act on. */
function alpacaMessage(status: number, body: unknown): string {
  const m = (body as { message?: string } | null)?.message ?? '';
  if (status === 401)
    return 'the API key was refused (check APCA_API_KEY_ID / APCA_API_SECRET_KEY and the paper/live endpoint)';
  if (status === 403) return `forbidden: ${m || 'insufficient buying power or the account cannot trade'}`;
  if (status === 404) return `not found${m ? `: ${m}` : ''}`;
  if (status === 422) return `order refused: ${m || 'invalid parameters'}`;
  if (status === 429) return 'rate limit hit (HTTP 429): slowing down';
  if (status >= 500) return `server error (HTTP ${status})${m ? `: ${m}` : ''}`;
  return `HTTP ${status}${m ? `: ${m}` : ''}`;
}

/** An Alpaca order object → {@link BrokerOrder}. */
export function alpacaOrder(o: Record<string, unknown>): BrokerOrder {
  const type = o.type === 'limit' || o.type === 'stop' ? o.type : o.type === 'stop_limit' ? 'limit' : 'market';
  return {
    id: String(o.id),
    clientOrderId: String(o.client_order_id ?? ''),
    symbol: String(o.symbol),
    side: o.side === 'sell' ? 'sell' : 'buy',
    type,
    qty: num(o.qty),
    limitPrice: o.limit_price == null ? null : num(o.limit_price),
    stopPrice: o.stop_price == null ? null : num(o.stop_price),
    status: STATUS[String(o.status)] ?? 'new',
    filledQty: num(o.filled_qty) || 0,
    avgFillPrice: num(o.filled_avg_price),
    time: Date.parse(String(o.submitted_at ?? o.created_at ?? '')) || 0,
  };
}

/**
 * Alpaca (REST v2 and the `trade_updates` stream). Reads retry on 429, 5xx and timeouts with backoff;
 * a submit is never retried blindly: after a timeout or 5xx the caller (the gateway) looks the order up by
 * its `client_order_id` first. The stream authenticates, listens to `trade_updates`, and reconnects with
 * backoff after a drop, reporting `down` then `open` so the gateway resyncs.
 */
export class AlpacaBroker implements Broker {
  readonly name = 'alpaca';
  readonly mode: 'paper' | 'live';
  readonly #o: AlpacaOptions;
  readonly #base: string;
  readonly #headers: Record<string, string>;
  #ws: WebSocket | null = null;
  #closed = false;

  constructor(o: AlpacaOptions) {
    this.#o = o;
    this.mode = o.mode ?? 'paper';
    this.#base = (o.baseUrl ?? (this.mode === 'live' ? ALPACA_LIVE_URL : ALPACA_PAPER_URL)).replace(/\/$/, '');
    this.#headers = { 'APCA-API-KEY-ID': o.keyId, 'APCA-API-SECRET-KEY': o.secretKey };
  }

  async #call(method: string, path: string, body?: unknown, retry = method === 'GET'): Promise<HttpAnswer> {
    const retries = retry ? (this.#o.retries ?? 3) : 0;
    for (let attempt = 0; ; attempt++) {
      let a: HttpAnswer;
      try {
        a = await request('alpaca', method, this.#base + path, this.#headers, body, this.#o.timeoutMs ?? 10_000);
      } catch (e) {
        if (e instanceof BrokerError && e.retryable && attempt < retries) {
          await sleep((this.#o.backoffMs ?? 250) * 2 ** attempt);
          continue;
        }
        throw e;
      }
      if (a.status < 400) return a;
      const retryable = a.status === 429 || a.status >= 500;
      if (retryable && attempt < retries) {
        await sleep((this.#o.backoffMs ?? 250) * 2 ** attempt);
        continue;
      }
      throw new BrokerError(
        'alpaca',
        String(a.status),
        alpacaMessage(a.status, a.body),
        retryable,
        a.status >= 500 && method !== 'GET',
      );
    }
  }

  async account(): Promise<BrokerAccount> {
    const a = (await this.#call('GET', '/v2/account')).body as Record<string, unknown>;
    return {
      id: String(a.account_number ?? a.id),
      currency: String(a.currency ?? 'USD'),
      cash: num(a.cash),
      equity: num(a.equity ?? a.portfolio_value),
      buyingPower: num(a.buying_power),
      mode: this.mode,
    };
  }

  async positions(): Promise<BrokerPosition[]> {
    const list = (await this.#call('GET', '/v2/positions')).body as Record<string, unknown>[];
    return list.map((p) => {
      const q = Math.abs(num(p.qty));
      return {
        symbol: String(p.symbol),
        qty: p.side === 'short' ? -q : q,
        avgCost: num(p.avg_entry_price),
        last: num(p.current_price),
        unrealized: num(p.unrealized_pl),
      };
    });
  }

  async openOrders(): Promise<BrokerOrder[]> {
    const list = (await this.#call('GET', '/v2/orders?status=open&limit=500')).body as Record<string, unknown>[];
    return list.map(alpacaOrder);
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    try {
      const a = await this.#call(
        'GET',
        `/v2/orders:by_client_order_id?client_order_id=${encodeURIComponent(clientOrderId)}`,
      );
      return alpacaOrder(a.body as Record<string, unknown>);
    } catch (e) {
      if (e instanceof BrokerError && e.code === '404') return null;
      throw e;
    }
  }

  async submit(req: BrokerOrderRequest): Promise<BrokerOrder> {
    const body: Record<string, unknown> = {
      symbol: req.symbol,
      qty: String(req.qty),
      side: req.side,
      type: req.type,
      time_in_force: req.timeInForce ?? 'day',
      client_order_id: req.clientOrderId,
    };
    if (req.limitPrice !== undefined) body.limit_price = String(req.limitPrice);
    if (req.stopPrice !== undefined) body.stop_price = String(req.stopPrice);
    return alpacaOrder((await this.#call('POST', '/v2/orders', body)).body as Record<string, unknown>);
  }

  async cancel(order: BrokerOrder): Promise<void> {
    try {
      await this.#call('DELETE', `/v2/orders/${encodeURIComponent(order.id)}`, undefined, true);
    } catch (e) {
      // 422: no longer cancelable (filled or already cancelled): its final state comes on the stream.
      if (e instanceof BrokerError && e.code === '422') return;
      throw e;
    }
  }

  async replace(order: BrokerOrder, change: BrokerReplace, newClientOrderId: string): Promise<BrokerOrder> {
    const body: Record<string, unknown> = { client_order_id: newClientOrderId };
    if (change.qty !== undefined) body.qty = String(change.qty);
    if (change.limitPrice !== undefined) body.limit_price = String(change.limitPrice);
    if (change.stopPrice !== undefined) body.stop_price = String(change.stopPrice);
    return alpacaOrder(
      (await this.#call('PATCH', `/v2/orders/${encodeURIComponent(order.id)}`, body)).body as Record<string, unknown>,
    );
  }

  async subscribe(listener: StreamListener): Promise<void> {
    this.#closed = false;
    const url = this.#o.streamUrl ?? this.#base.replace(/^http/, 'ws') + '/stream';
    let attempt = 0;
    const connect = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, { maxPayload: 1 << 20, handshakeTimeout: this.#o.timeoutMs ?? 10_000 });
        this.#ws = ws;
        let listening = false;
        ws.on('open', () => ws.send(JSON.stringify({ action: 'auth', key: this.#o.keyId, secret: this.#o.secretKey })));
        ws.on('message', (raw) => {
          let m: { stream?: string; data?: Record<string, unknown> };
          try {
            m = JSON.parse(raw.toString());
          } catch {
            return;
          }
          if (m.stream === 'authorization') {
            if (m.data?.status === 'authorized')
              ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
            else {
              const err = new BrokerError('alpaca', 'unauthorized', 'the stream refused the API key', false);
              this.#closed = true;
              ws.close();
              reject(err);
            }
          } else if (m.stream === 'listening') {
            listening = true;
            attempt = 0;
            listener.state('open');
            resolve();
          } else if (m.stream === 'trade_updates' && m.data) {
            const u = tradeUpdate(m.data);
            if (u) listener.update(u);
          }
        });
        ws.on('error', () => undefined);
        ws.on('close', () => {
          if (this.#ws === ws) this.#ws = null;
          if (!listening && attempt === 0 && !this.#closed) {
            // The first connect failed: report it; later drops reconnect below.
          }
          if (this.#closed) return;
          listener.state('down', 'trade_updates stream closed');
          if (!listening)
            reject(new BrokerError('alpaca', 'stream', `could not open the trade_updates stream at ${url}`, true));
          const wait = Math.min(30_000, (this.#o.backoffMs ?? 250) * 2 ** attempt++);
          setTimeout(() => {
            if (!this.#closed) connect().catch(() => undefined);
          }, wait).unref();
        });
      });
    await connect();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#ws?.close();
    this.#ws = null;
  }
}

/** A `trade_updates` message's `data` → an {@link OrderUpdate} (null for events we do not track). */
export function tradeUpdate(d: Record<string, unknown>): OrderUpdate | null {
  const o = d.order as Record<string, unknown> | undefined;
  if (!o) return null;
  const order: BrokerOrder = d.reason == null ? alpacaOrder(o) : { ...alpacaOrder(o), reason: String(d.reason) };
  const ev = String(d.event);
  const event: OrderUpdate['event'] =
    ev === 'new' ||
    ev === 'partial_fill' ||
    ev === 'fill' ||
    ev === 'canceled' ||
    ev === 'rejected' ||
    ev === 'expired' ||
    ev === 'replaced'
      ? ev
      : 'other';
  const time = Date.parse(String(d.timestamp ?? o.updated_at ?? '')) || Date.now();
  const execId = d.execution_id == null ? undefined : String(d.execution_id);
  const isFill = event === 'fill' || event === 'partial_fill';
  return {
    eventId: execId ?? `${order.id}:${ev}:${String(o.updated_at ?? d.timestamp ?? '')}`,
    event,
    order,
    time,
    seq: Date.parse(String(o.updated_at ?? '')) || undefined,
    ...(isFill
      ? { execId: execId ?? `${order.id}:${order.filledQty}`, fillQty: num(d.qty), fillPrice: num(d.price) }
      : {}),
  };
}

/** Options from the environment as Alpaca's own tools read them; throws a clear error when a key is missing. */
export function alpacaFromEnv(
  env: NodeJS.ProcessEnv,
  o: { baseUrl?: string; mode?: 'paper' | 'live' } = {},
): AlpacaOptions {
  const keyId = env.APCA_API_KEY_ID;
  const secretKey = env.APCA_API_SECRET_KEY;
  if (!keyId || !secretKey)
    throw new BrokerError(
      'alpaca',
      'no-credentials',
      'set APCA_API_KEY_ID and APCA_API_SECRET_KEY in the environment',
      false,
    );
  const baseUrl = o.baseUrl ?? env.APCA_API_BASE_URL;
  const mode = o.mode ?? (baseUrl && !/paper/.test(baseUrl) && /alpaca\.markets/.test(baseUrl) ? 'live' : 'paper');
  return { keyId, secretKey, baseUrl, mode };
}
