import type { DeskBookBroker } from '../../model/books';
import { lastOrderRowid } from '../../store/broker-orders';
import { Journal } from '../../store/journal';
import type { Store } from '../../store/sqlite-bar-store';
import type { ReconcileReport } from '../brokers/gateway';
import { startBrokerRoute, type BrokerRoute } from '../brokers/route';
import { BrokerError, type BrokerAccount } from '../brokers/types';
import type { BookBrokerAccount } from './book-config';

/** How often a broker book's journal is reconciled with the broker in the background (ms). */
const RECONCILE_EVERY_MS = 30_000;
/** A reconciliation runs this long after the last broker fill (so the overview shows fills reconciled promptly). */
const RECONCILE_AFTER_FILL_MS = 100;

/**
 * A book's connection to its broker account: the book's journaled orders (after the book's and the desk's
 * checks, its kill switch) are routed to the broker by {@link startBrokerRoute}; the broker's account and
 * positions are read after every journaled change, and the journal is reconciled with the broker after fills.
 * Keys come from `env` and stay inside the broker client; nothing here holds or reports them.
 */
export class BookBroker {
  readonly account: BookBrokerAccount;
  readonly #session: string;
  #route: BrokerRoute | null = null;
  #figures: BrokerAccount | null = null;
  #positions = new Map<string, number>();
  #at: number | null = null;
  #reconcile: ReconcileReport | null;
  #reading: Promise<void> | null = null;
  #again = false;
  #fillTimer: NodeJS.Timeout | null = null;

  constructor(
    store: Store,
    session: string,
    account: BookBrokerAccount,
    readonly onChange: () => void,
  ) {
    this.account = account;
    this.#session = session;
    this.#reconcile = new Journal(store).getState<ReconcileReport>(session, 'broker-reconcile') ?? null;
  }

  /**
   * Connects and starts routing. Orders journaled before the first connection of this book to a broker were the
   * paper model's: they are never sent (the mirror starts after them). Throws a {@link BrokerError} (no keys,
   * unknown account, endpoint down).
   */
  async connect(store: Store, env: NodeJS.ProcessEnv): Promise<void> {
    const journal = new Journal(store);
    if (journal.getState<number>(this.#session, 'broker-cursor') === undefined)
      journal.setState(this.#session, 'broker-cursor', lastOrderRowid(store, this.#session));
    const route = await startBrokerRoute({
      store,
      session: this.#session,
      broker: this.account.broker,
      env,
      baseUrl: this.account.baseUrl,
      account: this.account.account,
      live: false,
      reconcileEveryMs: RECONCILE_EVERY_MS,
      onReconcile: (r) => {
        this.#reconcile = r;
        this.onChange();
      },
      onAlert: () => this.onChange(),
      onChange: (what) => {
        if (what === 'fills') this.#reconcileSoon();
        if (what !== 'killswitch') void this.refresh();
        this.onChange();
      },
    });
    this.#route = route;
    this.#reconcile = route.firstReconcile;
    this.#figures = route.account;
    await this.refresh();
  }

  #reconcileSoon(): void {
    if (this.#fillTimer) return;
    this.#fillTimer = setTimeout(() => {
      this.#fillTimer = null;
      void this.#route?.gateway
        .reconcile()
        .then((r) => {
          this.#reconcile = r;
          this.onChange();
        })
        .catch(() => undefined);
    }, RECONCILE_AFTER_FILL_MS);
  }

  /** Re-reads the broker's account and positions (one read at a time; a request during a read makes one more). */
  refresh(): Promise<void> {
    if (this.#reading) {
      this.#again = true;
      return this.#reading;
    }
    const run = async (): Promise<void> => {
      do {
        this.#again = false;
        const route = this.#route;
        if (!route) return;
        try {
          const b = route.gateway.broker;
          const [account, positions] = await Promise.all([b.account(), b.positions()]);
          this.#figures = account;
          this.#positions = new Map(positions.map((p) => [p.symbol, p.qty]));
          this.#at = Date.now();
          this.onChange();
        } catch {
          // Keep the last good figures: the gateway alerts on faults, and the next change reads again.
        }
      } while (this.#again);
    };
    this.#reading = run().finally(() => (this.#reading = null));
    return this.#reading;
  }

  /** Reconciles the journal with the broker now (after a flatten, in tests). */
  async reconcile(): Promise<ReconcileReport | null> {
    if (!this.#route) return this.#reconcile;
    this.#reconcile = await this.#route.gateway.reconcile();
    await this.refresh();
    return this.#reconcile;
  }

  /** The quantity the broker holds of `symbol` (0 when none or never read). */
  brokerQty(symbol: string): number {
    return this.#positions.get(symbol) ?? 0;
  }

  /** Every position the broker reported at the last read (symbol → signed qty). */
  brokerPositions(): ReadonlyMap<string, number> {
    return this.#positions;
  }

  /** The book's broker as the overview shows it. */
  view(): DeskBookBroker {
    const f = this.#figures;
    const r = this.#reconcile;
    return {
      name: this.account.broker,
      accountId: f?.id ?? null,
      mode: f?.mode ?? 'paper',
      connected: this.#route !== null,
      equity: f?.equity ?? null,
      cash: f?.cash ?? null,
      at: this.#at,
      reconciled: r ? r.ok : null,
      mismatches: r ? r.mismatches.length : 0,
      reconciledAt: r ? r.at : null,
    };
  }

  /** Stops routing: whatever the book journaled last is still routed, then the connection closes. */
  async disconnect(): Promise<void> {
    if (this.#fillTimer) clearTimeout(this.#fillTimer);
    this.#fillTimer = null;
    const route = this.#route;
    this.#route = null;
    await route?.stop();
    await this.#reading?.catch(() => undefined);
  }
}

/** A broker error as the desk answers it: missing keys or a wrong account are the user's to fix, the rest is unavailable. */
export function brokerErrorCode(e: BrokerError): 'invalid-input' | 'unavailable' {
  return e.code === 'unknown' || e.code === 'no-credentials' || e.code === 'account' || e.code === 'not-armed'
    ? 'invalid-input'
    : 'unavailable';
}
