import { randomBytes } from 'node:crypto';
import type { Store } from '../../store/sqlite-bar-store';
import { mirrorStatements } from '../../store/broker-orders';
import type { OrderGateway } from './gateway';

/**
 * Routes a live session's orders to a broker: it tails the session's journaled orders (what the strategy
 * runner and the order ticket decided, after the session's risk checks and kill switch) and hands each to
 * the {@link OrderGateway} with a client order id derived from the journaled order's id, so an order is
 * routed only once it is committed, and a restart (even after kill -9) finds what it already routed
 * instead of sending it again. A session order cancelled in the journal is cancelled at the broker;
 * a tripped kill switch cancels everything working there.
 */
export class BrokerMirror {
  readonly #gw: OrderGateway;
  readonly #nonce: string;
  readonly #s;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #tripped: boolean;

  constructor(store: Store, gateway: OrderGateway) {
    this.#gw = gateway;
    // A random part per database and session: the same session name in another database never reuses an id at the broker.
    const j = gateway.journal;
    let nonce = j.getState<string>(gateway.session, 'broker-nonce');
    if (nonce === undefined) j.setState(gateway.session, 'broker-nonce', (nonce = randomBytes(4).toString('hex')));
    this.#nonce = nonce;
    this.#tripped = gateway.killSwitch.tripped;
    this.#s = mirrorStatements(store);
  }

  /** The client order id a session order is routed with. */
  clientOrderId(orderId: string): string {
    return `qd-${this.#nonce}-${orderId}`.replace(/[^A-Za-z0-9_.:-]/g, '_').slice(0, 128);
  }

  /** Routes what the journal holds that the broker has not seen; resolves when done. At most one pass runs at a time. */
  poll(): Promise<void> {
    this.#running ??= this.#pass().finally(() => (this.#running = null));
    return this.#running;
  }

  async #pass(): Promise<void> {
    const gw = this.#gw;
    const k = gw.killSwitch;
    if (k.tripped && !this.#tripped) await gw.cancelAll();
    this.#tripped = k.tripped;
    for (;;) {
      const cursor = gw.journal.getState<number>(gw.session, 'broker-cursor') ?? 0;
      if ((await this.#route(cursor)) < 500) break;
    }
    for (const { cid } of this.#s.cancelled.all(gw.session) as { cid: string }[])
      await gw.cancel(cid).catch(() => false);
  }

  // Routes up to 500 journaled orders after `cursor`; returns how many rows it read.
  async #route(cursor: number): Promise<number> {
    const gw = this.#gw;
    const rows = this.#s.fresh.all(gw.session, cursor) as {
      rowid: number;
      id: string;
      symbol: string;
      side: 'buy' | 'sell';
      type: string;
      qty: number;
      limit_price: number | null;
      stop_price: number | null;
      status: string;
    }[];
    for (const r of rows) {
      // Rejected by the session's own checks, and algo parents (their children are routed): nothing to send.
      if (r.status !== 'rejected' && r.type !== 'twap' && r.type !== 'vwap') {
        const type = r.type === 'limit' || r.type === 'stop' ? r.type : 'market';
        await gw.submit({
          clientOrderId: this.clientOrderId(r.id),
          sourceOrderId: r.id,
          symbol: r.symbol,
          side: r.side,
          qty: r.qty,
          type,
          limitPrice: r.limit_price ?? undefined,
          stopPrice: r.stop_price ?? undefined,
          // The session let it through its own kill switch only if it closes; the gateway checks that again.
          reduceOnly: type === 'market',
        });
      }
      gw.journal.setState(gw.session, 'broker-cursor', r.rowid);
    }
    return rows.length;
  }

  /** Polls every `everyMs` until {@link stop}. */
  start(everyMs = 200): void {
    this.#timer = setInterval(() => void this.poll().catch(() => undefined), everyMs);
  }

  /** Stops polling and waits for a pass under way. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }
}
