import type { DeskBookBroker } from '../../model/books';
import { lastOrderRowid } from '../../store/broker-orders';
import { Journal } from '../../store/journal';
import type { Store } from '../../store/sqlite-bar-store';
import type { ReconcileReport } from '../brokers/gateway';
import { createBroker } from '../brokers/registry';
import { startBrokerRoute, type BrokerRoute } from '../brokers/route';
import { armPhrase } from '../brokers/service';
import { BrokerError, type BrokerAccount, type BrokerPosition } from '../brokers/types';
import type { BookBrokerAccount } from './book-config';
import type { ExternalFigures } from './desk-risk';

/** How often a broker book's journal is reconciled with the broker in the background (ms). */
const RECONCILE_EVERY_MS = 30_000;
/** A reconciliation runs this long after the last broker fill (so the overview shows fills reconciled promptly). */
const RECONCILE_AFTER_FILL_MS = 100;
const DAY_MS = 86_400_000;

/**
 * A broker book's figures as its broker last reported them (account and positions), and the equity of the first
 * read of the (UTC) day: the book's cash, equity, positions, exposure and day PnL on the desk are these, so they
 * reconcile with the broker's statement. Journaled (`broker-figures`), so a stopped or restarted book keeps them.
 */
export interface BrokerFigures {
  readonly account: BrokerAccount;
  readonly positions: readonly BrokerPosition[];
  readonly at: number;
  readonly day: number;
  readonly dayStart: number;
}

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
  #positions = new Map<string, BrokerPosition>();
  #at: number | null = null;
  #saved: BrokerFigures | null;
  #external: { from: BrokerFigures; x: ExternalFigures } | null = null;
  readonly #journal: Journal | null;
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
    const journal = new Journal(store);
    this.#journal = store.readonly ? null : journal;
    this.#reconcile = journal.getState<ReconcileReport>(session, 'broker-reconcile') ?? null;
    this.#saved = journal.getState<BrokerFigures>(session, 'broker-figures') ?? null;
    if (this.#saved) {
      // JSON keeps a missing mark (NaN) as null.
      const positions = this.#saved.positions.map((p) => ({ ...p, last: p.last ?? Number.NaN }));
      this.#saved = { ...this.#saved, positions };
      this.#figures = this.#saved.account;
      this.#positions = new Map(positions.map((p) => [p.symbol, p]));
      this.#at = this.#saved.at;
    }
  }

  /** The broker's figures for the book's risk checks (null before any read). */
  external(): ExternalFigures | null {
    const f = this.#saved;
    if (!f) return null;
    // Asked on every mark and order check: computed once per broker read.
    if (this.#external?.from === f) return this.#external.x;
    const t = brokerTotals(f);
    const x: ExternalFigures = {
      positions: new Map(f.positions.map((p) => [p.symbol, p.qty])),
      gross: t.gross,
      net: t.net,
      equity: t.equity,
      dayStart: f.dayStart,
    };
    this.#external = { from: f, x };
    return x;
  }

  /** The broker's figures at the last read (this run or journaled by an earlier one); null before any read. */
  figures(): BrokerFigures | null {
    return this.#saved;
  }

  #record(account: BrokerAccount, positions: readonly BrokerPosition[], at: number): void {
    const day = Math.floor(at / DAY_MS);
    const prev = this.#saved;
    const dayStart = prev && prev.day === day && prev.account.id === account.id ? prev.dayStart : account.equity;
    this.#saved = { account, positions, at, day, dayStart };
    try {
      this.#journal?.setState(this.#session, 'broker-figures', this.#saved);
    } catch {
      // The figures stay in memory; the next read journals them again.
    }
  }

  /**
   * Connects and starts routing. Orders journaled before the first connection of this book to a broker were the
   * paper model's: they are never sent (the mirror starts after them). Throws a {@link BrokerError} (no keys,
   * unknown account, endpoint down).
   */
  async connect(store: Store, env: NodeJS.ProcessEnv, confirm?: string): Promise<void> {
    const journal = new Journal(store);
    const live = this.account.live === true;
    if (live) {
      // The arming step of a real-money book, as for the single live session: the phrase names the account the
      // broker reports, so typing it is a statement about that account. Journaled before anything is routed.
      const b = createBroker(this.account.broker, {
        env,
        baseUrl: this.account.baseUrl,
        mode: 'live',
        account: this.account.account,
      });
      let id: string;
      try {
        id = (await b.account()).id;
      } finally {
        await b.close();
      }
      const phrase = armPhrase(id);
      if (confirm !== phrase)
        throw new BrokerError(
          this.account.broker,
          'not-armed',
          `this book trades REAL money: type "${phrase}" in confirm to arm it`,
          false,
        );
      journal.insertAlert(
        this.#session,
        {
          id: `arm-${this.#session}-${Date.now()}`,
          time: Date.now(),
          kind: 'broker-armed',
          severity: 'warning',
          symbol: null,
          message: `armed for REAL money: ${this.account.broker} account ${id} (confirmed "${phrase}")`,
          acknowledgedAt: null,
        },
        [],
      );
    }
    if (journal.getState<number>(this.#session, 'broker-cursor') === undefined)
      journal.setState(this.#session, 'broker-cursor', lastOrderRowid(store, this.#session));
    const route = await startBrokerRoute({
      store,
      session: this.#session,
      broker: this.account.broker,
      env,
      baseUrl: this.account.baseUrl,
      account: this.account.account,
      live,
      armLive: live,
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
          this.#positions = new Map(positions.map((p) => [p.symbol, p]));
          this.#at = Date.now();
          this.#record(account, positions, this.#at);
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
    return this.#positions.get(symbol)?.qty ?? 0;
  }

  /** Every position the broker reported at the last read (symbol → position, qty signed). */
  brokerPositions(): ReadonlyMap<string, BrokerPosition> {
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

/** A broker position's mark: its last price, else what its unrealized PnL implies, else its cost. */
export function brokerMark(p: BrokerPosition): number {
  if (p.last === p.last && p.last !== null) return p.last;
  return p.qty !== 0 && p.unrealized === p.unrealized ? p.avgCost + p.unrealized / p.qty : p.avgCost;
}

/** A broker book's totals from its broker's figures: cash and equity as reported, exposure from its positions. */
export function brokerTotals(f: BrokerFigures): { cash: number; equity: number; gross: number; net: number } {
  let gross = 0;
  let net = 0;
  for (const p of f.positions) {
    const v = p.qty * brokerMark(p);
    gross += Math.abs(v);
    net += v;
  }
  return { cash: f.account.cash, equity: f.account.equity, gross, net };
}
