import { fail, ok, type Result } from '../../model/result';
import type { Store } from '../../store/sqlite-bar-store';
import type { Alert, Order, Position } from '../types';
import type { ReconcileReport } from './gateway';
import { BROKERS, createBroker } from './registry';
import { startBrokerRoute, type BrokerRoute } from './route';
import type { BrokerTarget } from './target';
import { BrokerError, type Broker, type BrokerAccount, type BrokerOrder, type BrokerPosition } from './types';
import { brokerOrdersOf } from '../../store/broker-orders';

export type { BrokerTarget } from './target';

/** A broker as the account selector lists it: never a key, only whether the keys are set. */
export interface BrokerInfo {
  readonly name: string;
  readonly summary: string;
  readonly configured: boolean;
  /** Environment variable names the broker reads (what is missing, when not configured). */
  readonly keys: readonly string[];
}

/** The connected account as the Live view shows it. */
export interface BrokerStatus {
  readonly connected: boolean;
  readonly broker: string;
  readonly mode: 'paper' | 'live';
  readonly accountId: string | null;
  readonly currency: string | null;
  readonly equity: number | null;
  readonly cash: number | null;
  readonly buyingPower: number | null;
  /** True when real orders are being sent (a live account, armed for this session). */
  readonly armed: boolean;
  readonly session: string | null;
  readonly reconcile: ReconcileReport | null;
}

/**
 * The connected broker's account as the broker reports it, for the session's own read methods
 * (`live:status`, `positions:list`, `orders:list`): refreshed at connect, after every journaled order
 * update or fill and after every reconciliation. `at` is when it was read (EpochMs).
 */
export interface BrokerView {
  readonly broker: string;
  readonly mode: 'paper' | 'live';
  readonly accountId: string;
  readonly at: number;
  readonly account: BrokerAccount;
  readonly positions: readonly BrokerPosition[];
  readonly orders: readonly BrokerOrder[];
}

const KEYS: Readonly<Record<string, readonly string[]>> = {
  paper: [],
  alpaca: ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY'],
  kis: ['KIS_APP_KEY', 'KIS_APP_SECRET', 'KIS_ACCOUNT'],
};

const PAPER: BrokerStatus = {
  connected: false,
  broker: 'paper',
  mode: 'paper',
  accountId: null,
  currency: null,
  equity: null,
  cash: null,
  buyingPower: null,
  armed: false,
  session: null,
  reconcile: null,
};

/** A broker-side status in the session's order vocabulary (sent-not-acknowledged is new; expired/replaced are done). */
function sessionStatus(s: string): Order['status'] {
  if (s === 'partially-filled' || s === 'filled' || s === 'cancelled' || s === 'rejected') return s;
  if (s === 'expired' || s === 'replaced') return 'cancelled';
  return 'new';
}

/** What arms a real-money session: the user types this, with the account id the broker reported. */
export function armPhrase(accountId: string): string {
  return `LIVE ${accountId}`;
}

/**
 * The host's broker connections (`broker:*`): reads any configured broker's account, positions and orders,
 * and connects the running live session to one (see {@link startBrokerRoute}). Credentials come from
 * `credentials()` (the environment for the CLI and `quantdesk serve`; Electron's safeStorage store in the
 * app) and never leave this object: statuses carry account ids, never keys.
 */
export class BrokerService {
  readonly #store: Store;
  readonly #credentials: () => NodeJS.ProcessEnv;
  readonly #onStatus: (s: BrokerStatus) => void;
  readonly #onAlert: (a: Alert) => void;
  readonly #onView: () => void;
  #route: BrokerRoute | null = null;
  #status: BrokerStatus = PAPER;
  #view: BrokerView | null = null;
  #refreshing: Promise<void> | null = null;
  #again = false;

  constructor(o: {
    store: Store;
    credentials?: () => NodeJS.ProcessEnv;
    onStatus?: (s: BrokerStatus) => void;
    onAlert?: (a: Alert) => void;
    onView?: () => void;
  }) {
    this.#store = o.store;
    this.#credentials = o.credentials ?? (() => process.env);
    this.#onStatus = o.onStatus ?? (() => undefined);
    this.#onAlert = o.onAlert ?? (() => undefined);
    this.#onView = o.onView ?? (() => undefined);
  }

  /** Every broker, and whether its keys are set. */
  list(): BrokerInfo[] {
    const env = this.#credentials();
    return Object.values(BROKERS).map((b) => ({
      name: b.name,
      summary: b.summary,
      keys: KEYS[b.name] ?? [],
      configured: (KEYS[b.name] ?? []).every((k) => !!env[k]),
    }));
  }

  async #with<T>(t: BrokerTarget, fn: (b: Broker) => Promise<T>): Promise<Result<T>> {
    let b: Broker | null = null;
    try {
      b = createBroker(t.broker, {
        env: this.#credentials(),
        baseUrl: t.baseUrl,
        mode: t.live ? 'live' : 'paper',
        account: t.account,
      });
      return ok(await fn(b));
    } catch (e) {
      if (e instanceof BrokerError)
        return fail(
          e.code === 'unknown' || e.code === 'no-credentials' || e.code === 'account' ? 'invalid-input' : 'unavailable',
          e.message,
        );
      throw e;
    } finally {
      await b?.close();
    }
  }

  account(t: BrokerTarget): Promise<Result<BrokerAccount>> {
    return this.#with(t, (b) => b.account());
  }

  positions(t: BrokerTarget): Promise<Result<BrokerPosition[]>> {
    return this.#with(t, (b) => b.positions());
  }

  orders(t: BrokerTarget): Promise<Result<BrokerOrder[]>> {
    return this.#with(t, (b) => b.openOrders());
  }

  /** The connected account, or the paper default. */
  status(): BrokerStatus {
    if (this.#route) return { ...this.#status, reconcile: this.#route.gateway.lastReconcile };
    return this.#status;
  }

  /**
   * Routes the running session's orders to `t.broker`. A live (real-money) account needs `confirm` equal to
   * {@link armPhrase} of its id: without it, the answer is `invalid-input` naming the phrase to type.
   */
  async connect(session: string | null, t: BrokerTarget & { confirm?: string }): Promise<Result<BrokerStatus>> {
    if (session === null)
      return fail('unavailable', 'start a live session first; its orders are what the broker receives');
    if (this.#route)
      return fail(
        'conflict',
        `already connected to ${this.#status.broker} (${this.#status.accountId}); disconnect first`,
      );
    if (t.broker === 'paper') return ok(this.#set({ ...PAPER, session, accountId: session }));
    if (t.live) {
      const a = await this.account(t);
      if (!a.ok) return a;
      if (t.confirm !== armPhrase(a.value.id))
        return fail(
          'invalid-input',
          `this account trades REAL money: type "${armPhrase(a.value.id)}" to arm this session`,
        );
    }
    try {
      const route = await startBrokerRoute({
        store: this.#store,
        session,
        broker: t.broker,
        env: this.#credentials(),
        baseUrl: t.baseUrl,
        live: t.live,
        account: t.account,
        armLive: t.live && t.confirm !== undefined,
        onAlert: (al) => this.#onAlert(al),
        // Periodic and post-reconnect passes refresh the view (the first one is in the connect answer).
        onReconcile: () => {
          if (this.#route) this.#onStatus(this.status());
        },
        onChange: (what) => {
          if (what !== 'killswitch') void this.refreshView();
        },
      });
      this.#route = route;
      await this.refreshView();
      const a = route.account;
      return ok(
        this.#set({
          connected: true,
          broker: t.broker,
          mode: a.mode,
          accountId: a.id,
          currency: a.currency,
          equity: a.equity,
          cash: a.cash,
          buyingPower: a.buyingPower,
          armed: a.mode === 'live',
          session,
          reconcile: route.firstReconcile,
        }),
      );
    } catch (e) {
      if (e instanceof BrokerError)
        return fail(e.code === 'no-credentials' || e.code === 'not-armed' ? 'invalid-input' : 'unavailable', e.message);
      throw e;
    }
  }

  /** The connected broker's latest account, positions and working orders; null when none is connected. */
  view(): BrokerView | null {
    return this.#route ? this.#view : null;
  }

  /**
   * Re-reads the connected broker's account, positions and working orders (one read at a time; a request
   * during a read schedules one more). A failed read keeps the previous view: the gateway alerts on faults.
   */
  refreshView(): Promise<void> {
    if (this.#refreshing) {
      this.#again = true;
      return this.#refreshing;
    }
    const run = async (): Promise<void> => {
      do {
        this.#again = false;
        const route = this.#route;
        if (!route) return;
        const b = route.gateway.broker;
        try {
          const [account, positions, orders] = await Promise.all([b.account(), b.positions(), b.openOrders()]);
          if (this.#route !== route) return;
          this.#view = {
            broker: b.name,
            mode: account.mode,
            accountId: account.id,
            at: Date.now(),
            account,
            positions,
            orders,
          };
          this.#onView();
        } catch {
          // Keep the last good view; the next update or reconciliation reads again.
        }
      } while (this.#again);
    };
    this.#refreshing = run().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /**
   * The connected broker's positions as the session's `positions:list` shows them (`realized` is NaN:
   * brokers report no per-position realized PnL); null when no broker is connected (the paper session's then).
   */
  sessionPositions(): Position[] | null {
    const v = this.view();
    if (!v) return null;
    return v.positions.map((p) => ({
      symbol: p.symbol,
      qty: p.qty,
      avgCost: p.avgCost,
      realized: Number.NaN,
      unrealized: p.unrealized,
      last: p.last,
    }));
  }

  /** The connected broker's figures as the session's account card shows them; null when none is connected. */
  sessionAccount(): {
    cash: number;
    equity: number;
    grossExposure: number;
    dayStartEquity: number;
    realized: number;
    unrealized: number;
    buyingPower: number;
  } | null {
    const v = this.view();
    if (!v) return null;
    let gross = 0;
    let unrealized = 0;
    for (const p of v.positions) {
      gross += Math.abs(p.qty * p.last);
      unrealized += p.unrealized;
    }
    const a = v.account;
    return {
      cash: a.cash,
      equity: a.equity,
      grossExposure: gross,
      dayStartEquity: Number.NaN,
      realized: Number.NaN,
      unrealized,
      buyingPower: a.buyingPower,
    };
  }

  /**
   * The session's orders as the broker sees them, newest first: every order routed for `session` with its
   * status and filled quantity as journaled from the broker's stream (so fills show as they are journaled),
   * then working orders at the broker the journal does not know (placed elsewhere). Null when none is connected.
   */
  sessionOrders(session: string | null): Order[] | null {
    const v = this.view();
    if (!v) return null;
    const rows = session === null ? [] : brokerOrdersOf(this.#store, session);
    const known = new Set(rows.flatMap((r) => [r.cid, r.bid ?? '']));
    const out: Order[] = rows.map((r) => ({
      id: r.cid,
      session: session ?? '',
      time: r.ts,
      symbol: r.symbol,
      side: r.side as Order['side'],
      type: r.type as Order['type'],
      qty: r.qty,
      limitPrice: r.lp,
      stopPrice: r.sp,
      parentId: null,
      status: sessionStatus(r.status),
      filledQty: r.fq,
      ...(r.reason ? { reason: r.reason } : {}),
    }));
    for (const o of v.orders) {
      if (known.has(o.clientOrderId) || known.has(o.id)) continue;
      out.push({
        id: o.clientOrderId || o.id,
        session: session ?? '',
        time: o.time,
        symbol: o.symbol,
        side: o.side,
        type: o.type,
        qty: o.qty,
        limitPrice: o.limitPrice,
        stopPrice: o.stopPrice,
        parentId: null,
        status: sessionStatus(o.status),
        filledQty: o.filledQty,
        reason: 'working at the broker, not routed by this session',
      });
    }
    return out;
  }

  /** Stops routing (orders already sent stay at the broker) and goes back to paper. */
  async disconnect(): Promise<BrokerStatus> {
    const r = this.#route;
    this.#route = null;
    this.#view = null;
    await r?.stop();
    if (r) this.#onView();
    return this.#set(PAPER);
  }

  #set(s: BrokerStatus): BrokerStatus {
    this.#status = s;
    this.#onStatus(s);
    return s;
  }

  /** Releases the connection. */
  async dispose(): Promise<void> {
    await this.disconnect();
  }
}
