import { fail, ok, type Result } from '../../model/result';
import type { Store } from '../../store/sqlite-bar-store';
import type { Alert } from '../types';
import type { ReconcileReport } from './gateway';
import { BROKERS, createBroker } from './registry';
import { startBrokerRoute, type BrokerRoute } from './route';
import { BrokerError, type Broker, type BrokerAccount, type BrokerOrder, type BrokerPosition } from './types';

/** Which broker and endpoint a request means. */
export interface BrokerTarget {
  readonly broker: string;
  readonly account?: string;
  readonly baseUrl?: string;
  /** The real-money endpoint; default paper. */
  readonly live?: boolean;
}

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

const KEYS: Readonly<Record<string, readonly string[]>> = {
  paper: [], alpaca: ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY'], kis: ['KIS_APP_KEY', 'KIS_APP_SECRET', 'KIS_ACCOUNT'],
};

const PAPER: BrokerStatus = {
  connected: false, broker: 'paper', mode: 'paper', accountId: null, currency: null, equity: null, cash: null, buyingPower: null, armed: false, session: null, reconcile: null,
};

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
  #route: BrokerRoute | null = null;
  #status: BrokerStatus = PAPER;

  constructor(o: { store: Store; credentials?: () => NodeJS.ProcessEnv; onStatus?: (s: BrokerStatus) => void; onAlert?: (a: Alert) => void }) {
    this.#store = o.store;
    this.#credentials = o.credentials ?? (() => process.env);
    this.#onStatus = o.onStatus ?? (() => undefined);
    this.#onAlert = o.onAlert ?? (() => undefined);
  }

  /** Every broker, and whether its keys are set. */
  list(): BrokerInfo[] {
    const env = this.#credentials();
    return Object.values(BROKERS).map((b) => ({ name: b.name, summary: b.summary, keys: KEYS[b.name] ?? [], configured: (KEYS[b.name] ?? []).every((k) => !!env[k]) }));
  }

  async #with<T>(t: BrokerTarget, fn: (b: Broker) => Promise<T>): Promise<Result<T>> {
    let b: Broker | null = null;
    try {
      b = createBroker(t.broker, { env: this.#credentials(), baseUrl: t.baseUrl, mode: t.live ? 'live' : 'paper', account: t.account });
      return ok(await fn(b));
    } catch (e) {
      if (e instanceof BrokerError) return fail(e.code === 'unknown' || e.code === 'no-credentials' || e.code === 'account' ? 'invalid-input' : 'unavailable', e.message);
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
    if (session === null) return fail('unavailable', 'start a live session first; its orders are what the broker receives');
    if (this.#route) return fail('conflict', `already connected to ${this.#status.broker} (${this.#status.accountId}); disconnect first`);
    if (t.broker === 'paper') return ok(this.#set({ ...PAPER, session, accountId: session }));
    if (t.live) {
      const a = await this.account(t);
      if (!a.ok) return a;
      if (t.confirm !== armPhrase(a.value.id)) return fail('invalid-input', `this account trades REAL money: type "${armPhrase(a.value.id)}" to arm this session`);
    }
    try {
      const route = await startBrokerRoute({
        store: this.#store, session, broker: t.broker, env: this.#credentials(), baseUrl: t.baseUrl, live: t.live, account: t.account, armLive: t.live && t.confirm !== undefined,
        onAlert: (al) => this.#onAlert(al),
        // Periodic and post-reconnect passes refresh the view (the first one is in the connect answer).
        onReconcile: () => {
          if (this.#route) this.#onStatus(this.status());
        },
      });
      this.#route = route;
      const a = route.account;
      return ok(this.#set({
        connected: true, broker: t.broker, mode: a.mode, accountId: a.id, currency: a.currency, equity: a.equity, cash: a.cash, buyingPower: a.buyingPower,
        armed: a.mode === 'live', session, reconcile: route.firstReconcile,
      }));
    } catch (e) {
      if (e instanceof BrokerError) return fail(e.code === 'no-credentials' || e.code === 'not-armed' ? 'invalid-input' : 'unavailable', e.message);
      throw e;
    }
  }

  /** Stops routing (orders already sent stay at the broker) and goes back to paper. */
  async disconnect(): Promise<BrokerStatus> {
    const r = this.#route;
    this.#route = null;
    await r?.stop();
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
