import { fail, ok, type Result } from '../../model/result';
import type {
  DeskActionReport,
  DeskBookDetail,
  DeskKillSwitch,
  DeskLimitsValue,
  DeskOverview,
  TicketPreview,
} from '../../model/books';
import {
  deleteDeskBook,
  getDeskState,
  listDeskBooks,
  saveDeskBook,
  sectorsOf,
  setDeskBookState,
  setDeskState,
} from '../../store/books';
import { Journal } from '../../store/journal';
import type { Store } from '../../store/sqlite-bar-store';
import type { SingleStrategy } from '../../strategy/types';
import type { OrderRequest } from '../broker';
import { ReplayFeed } from '../feeds/replay';
import type { Feed, FeedSink } from '../feeds/types';
import { WebSocketFeed } from '../feeds/websocket';
import { LiveSpecError, resolveSpec, resolveStrategy } from '../replay';
import type { RiskLimits } from '../risk';
import { LiveSession } from '../session';
import type { LiveBar, Order } from '../types';
import { BrokerError } from '../brokers/types';
import { BookBroker, brokerErrorCode } from './book-broker';
import { bookUniverse, type Membership } from './book-universe';
import { bookSession, bookSpec, MANUAL_STRATEGY, manualPanel, type BookConfig } from './book-config';
import { BookRiskChecker, DeskRisk } from './desk-risk';
import { bookDetail, bookView, forgetUnacked, overview, type BookMarks } from './overview';

/** One book on the desk: its configuration, its session (restored from the journal when stopped) and feed. */
export interface Book {
  config: BookConfig;
  session: LiveSession;
  risk: BookRiskChecker;
  feed: Feed | null;
  finished: boolean;
  sectors: Map<string, string>;
  /** The book's broker account connection (orders routed, positions read), or null for a paper book. */
  broker: BookBroker | null;
  /** Marks and peak kept in the journal when the book stops (the journal keeps quantities and costs, not marks). */
  saved: BookMarks | null;
  peak: number;
}

/** A full-speed replay book yields after this many ms of steps, so books share the host and the overview keeps being pushed. */
const REPLAY_SLICE_MS = 3;

/** How often a running book's marks and equity peak are journaled (ms). */
const MARKS_EVERY_MS = 2_000;

const ARMED: DeskKillSwitch = { tripped: false, reason: null, at: null };

/** Options of {@link DeskService}. */
export interface DeskOptions {
  /** Minimum ms between two `desk:changed` pushes while books change. Default 25. */
  readonly pushEveryMs?: number;
  readonly now?: () => number;
  /** Where broker books' keys come from (the host's secret store); default the process environment. */
  readonly credentials?: () => NodeJS.ProcessEnv;
}

/**
 * The monitoring desk: any number of books (live sessions) side by side, each journaled under
 * `desk:<name>`, with desk-wide limits checked before every order of every book, the desk kill switch,
 * the ticket (submit, check, cancel, replace), flatten per book or desk, and the portfolio overview
 * pushed as `desk:changed` at most every `pushEveryMs` while anything changes. Books and desk state live
 * in the store (`desk_books`, `desk_state`), so a reload or a restart shows the same desk; a book the
 * host was running when it stopped comes back stopped (an operator resumes it).
 */
export class DeskService {
  readonly #store: Store;
  readonly #emit: (overview: DeskOverview) => void;
  readonly #journal: Journal;
  readonly #books = new Map<string, Book>();
  readonly #risk: DeskRisk;
  readonly #now: () => number;
  readonly #pushEveryMs: number;
  readonly #credentials: () => NodeJS.ProcessEnv;
  /** Books whose broker connection is being made (a second start of the same name waits its turn: `conflict`). */
  readonly #starting = new Set<string>();
  /** Books whose stop is under way (their feed detached, not yet ended): a start of the same name waits for it. */
  readonly #stopping = new Map<string, Promise<void>>();
  #kill: DeskKillSwitch;
  #timer: NodeJS.Timeout | null = null;
  #dirtySince = 0;
  #pushedAt = 0;
  #marksSavedAt = 0;
  /** Called with every closed bar of every book and the book's name (the user's alert rules judge it). */
  onBar: ((book: string, bar: LiveBar, realtime: boolean) => void) | null = null;
  /** Latency from the first undisplayed feed delivery to the push that shows it (ms), a ring for the benchmark. */
  readonly latencies = new Float64Array(8192);
  latencyCount = 0;
  /** What each push cost the host (computing and handing over the overview, ms), a ring beside `latencies`. */
  readonly pushCosts = new Float64Array(8192);

  constructor(store: Store, emit: (overview: DeskOverview) => void, o: DeskOptions = {}) {
    this.#store = store;
    this.#emit = emit;
    this.#now = o.now ?? Date.now;
    this.#pushEveryMs = o.pushEveryMs ?? 25;
    this.#credentials = o.credentials ?? (() => process.env);
    this.#journal = new Journal(store);
    this.#risk = new DeskRisk((b) => void this.trip(`desk ${b.limit}: ${b.message}`));
    this.#risk.set(getDeskState<DeskLimitsValue>(store, 'limits') ?? {});
    this.#kill = getDeskState<DeskKillSwitch>(store, 'killswitch') ?? ARMED;
    for (const row of listDeskBooks(store)) {
      try {
        this.#books.set(row.name, this.#restore(row.config as BookConfig));
      } catch {
        // A book whose strategy no longer resolves stays in the store; it is skipped here, not lost.
      }
      if (row.state === 'running' && !store.readonly) setDeskBookState(store, row.name, 'stopped');
    }
  }

  #newSession(
    config: BookConfig,
    strategy: { strategy: SingleStrategy<any, any>; params: unknown },
    symbols: readonly string[],
    spec: ReturnType<typeof bookSpec> & { ok: true },
    member?: Membership,
  ): { session: LiveSession; risk: BookRiskChecker } {
    let risk!: BookRiskChecker;
    const session = new LiveSession({
      store: this.#store,
      session: bookSession(config.name),
      spec: spec.spec,
      strategy: strategy.strategy,
      params: strategy.params,
      symbols,
      member,
      risk: config.risk,
      interval: config.interval,
      // The desk pushes its own overview; a session's events only mark it for the next push (its price ticker is not needed).
      emit: (channel) => {
        if (channel !== 'live:ticked') this.#dirty();
      },
      riskChecker: (limits) => (risk = new BookRiskChecker(this.#risk, config.name, limits)),
      // The user's alert rules judge every book's closed bars too (issue 16 item 3), under the book's name.
      onBar: (b) => this.onBar?.(config.name, b, config.feed !== 'replay'),
    });
    risk.cash = () => session.broker.cash;
    return { session, risk };
  }

  // A broker book's figures changed (a read of its broker): the desk's sums take them now.
  #brokerRead(name: string, broker: BookBroker): void {
    const book = this.#books.get(name);
    if (book?.broker === broker) this.#recordFigures(book);
    this.#dirty();
  }

  #strategyOf(
    config: BookConfig,
    spec: ReturnType<typeof bookSpec> & { ok: true },
  ): { strategy: SingleStrategy<any, any>; params: unknown } {
    return config.strategy === 'manual'
      ? { strategy: MANUAL_STRATEGY, params: {} }
      : resolveStrategy(spec.spec, this.#store);
  }

  /**
   * What a book runs: a named universe becomes its members as symbols, with their point-in-time membership
   * (the stored configuration keeps the name). Throws {@link LiveSpecError} for a universe with no members.
   */
  #expand(config: BookConfig): { run: BookConfig; member?: Membership } {
    const u = config.universe;
    if (config.symbols?.length || u === undefined || u === 'all') return { run: config };
    try {
      const { symbols, member } = bookUniverse(this.#store, u);
      return { run: { ...config, symbols, universe: undefined }, member };
    } catch (e) {
      throw new LiveSpecError([`universe: ${(e as Error).message}`]);
    }
  }

  // A stopped book: its session restored from the journal (positions, orders, kill switch), no feed.
  #restore(config: BookConfig): Book {
    const { run, member } = this.#expand(config);
    const spec = bookSpec(run);
    if (!spec.ok) throw new LiveSpecError(spec.errors);
    const { session, risk } = this.#newSession(config, this.#strategyOf(run, spec), run.symbols ?? [], spec, member);
    session.restore();
    const saved = this.#journal.getState<BookMarks>(session.session, 'deskMarks') ?? null;
    const broker =
      config.account === 'paper'
        ? null
        : new BookBroker(this.#store, session.session, config.account, () => this.#brokerRead(config.name, broker!));
    if (broker) risk.external = () => broker.external();
    const book: Book = {
      config,
      session,
      risk,
      feed: null,
      finished: false,
      sectors: new Map(),
      broker,
      saved,
      peak: saved?.peak ?? broker?.figures()?.account.equity ?? config.capital,
    };
    this.#recordFigures(book);
    return book;
  }

  #recordFigures(book: Book): void {
    const v = bookView(book, 0);
    book.risk.record(v.grossExposure, v.equity - v.dayPnl, v.equity);
  }

  /** The books, in the order they were created. */
  books(): readonly Book[] {
    return [...this.#books.values()];
  }

  /**
   * Starts a new book, or restarts a stopped one with a new configuration; `conflict` while it runs. A book with a
   * broker account connects first (its keys from the host's credentials): no keys, an unknown account or an
   * endpoint that does not answer is an error and nothing starts.
   */
  async start(input: BookConfig): Promise<Result<DeskOverview>> {
    // The arming phrase is for this start only: the stored book never holds it (a resume arms again).
    const { confirm, ...config } = input;
    await this.#stopping.get(config.name);
    const old = this.#books.get(config.name);
    if (old?.feed || this.#starting.has(config.name))
      return fail('conflict', `book "${config.name}" is running; stop it first`);
    let expanded: { run: BookConfig; member?: Membership };
    try {
      expanded = this.#expand(config);
    } catch (e) {
      if (e instanceof LiveSpecError) return fail('invalid-input', e.message, e.errors);
      throw e;
    }
    const { run, member } = expanded;
    const spec = bookSpec(run);
    if (!spec.ok) return fail('invalid-input', `book: ${spec.errors.join('; ')}`, spec.errors);
    let strategy;
    let symbols: readonly string[];
    let feed: Feed;
    try {
      strategy = this.#strategyOf(config, spec);
      if (config.feed === 'replay') {
        const r =
          config.strategy === 'manual' ? manualPanel(this.#store, spec.spec) : resolveSpec(this.#store, spec.spec);
        symbols = r.symbols;
        feed = new ReplayFeed({
          panel: r.panel,
          symbols: r.symbols,
          from: r.from,
          to: r.to,
          speed: config.speed,
          sliceMs: REPLAY_SLICE_MS,
          // A resumed book re-reads what it already traded at once (warming its strategy), then keeps its pace.
          catchUpUntil: this.#journal.getState<number>(bookSession(config.name), 'lastTime') ?? undefined,
        });
      } else {
        if (!config.url) return fail('invalid-input', 'url: the websocket feed needs a URL');
        if (!run.symbols?.length)
          return fail('invalid-input', 'symbols: a streaming feed needs explicit symbols or a named universe');
        symbols = run.symbols;
        feed = new WebSocketFeed({ url: config.url });
      }
    } catch (e) {
      if (e instanceof LiveSpecError) return fail('invalid-input', e.message, e.errors);
      throw e;
    }
    // A broker book halted by the desk kill switch is still connected (for a Flatten): one route per book.
    await old?.broker?.disconnect();
    let broker: BookBroker | null = null;
    if (config.account !== 'paper') {
      if (this.#store.readonly) return fail('unavailable', 'a read-only store cannot journal broker orders');
      const b: BookBroker = new BookBroker(this.#store, bookSession(config.name), config.account, () =>
        this.#brokerRead(config.name, b),
      );
      broker = b;
      this.#starting.add(config.name);
      try {
        await broker.connect(this.#store, this.#credentials(), confirm);
      } catch (e) {
        await broker.disconnect();
        if (e instanceof BrokerError) return fail(brokerErrorCode(e), `account: ${e.message}`);
        throw e;
      } finally {
        this.#starting.delete(config.name);
      }
    }
    if (!this.#store.readonly) saveDeskBook(this.#store, config.name, config, 'running', this.#now());
    const { session, risk } = this.#newSession(config, strategy, symbols, spec, member);
    if (broker) risk.external = () => broker.external();
    session.restore();
    if (this.#kill.tripped && !session.broker.killSwitch.tripped)
      session.trip(`desk kill switch: ${this.#kill.reason}`);
    const saved = this.#journal.getState<BookMarks>(session.session, 'deskMarks') ?? null;
    const book: Book = {
      config,
      session,
      risk,
      feed,
      finished: false,
      sectors: sectorsOf(this.#store, symbols),
      broker,
      saved,
      peak: saved?.peak ?? old?.peak ?? broker?.figures()?.account.equity ?? config.capital,
    };
    this.#books.set(config.name, book);
    this.#recordFigures(book);
    feed.start(this.#sink(book, session));
    void feed.done.then(() => {
      if (book.feed !== feed) return;
      session.flushTicked();
      book.finished = true;
      this.#dirty();
    });
    this.#ensureTimer();
    this.#dirty();
    return ok(this.overview());
  }

  // The feed's deliveries go to the session, and mark the desk for its next push (the latency clock starts here).
  #sink(book: Book, s: LiveSession): FeedSink {
    // A push due is made right after the delivery committed (never inside a feed batch's transaction), so the
    // latency is bounded by the push interval, not by how the event loop interleaves the books.
    // The latency clock starts when a delivery arrives (its processing counts as part of tick-to-screen).
    let depth = 0;
    const arrived = () => {
      if (this.#dirtySince === 0) this.#dirtySince = performance.now();
    };
    const delivered = () => {
      this.#dirty();
      if (depth === 0) this.#pushIfDue();
    };
    return {
      bars: (step) => {
        arrived();
        s.bars(step);
        delivered();
      },
      ticks: (batch) => {
        arrived();
        s.ticks(batch);
        delivered();
      },
      status: (st) => {
        s.status(st);
        delivered();
      },
      issue: (i) => s.issue(i),
      batch: (fn) => {
        arrived();
        depth++;
        try {
          s.batch(fn);
        } finally {
          depth--;
        }
        delivered();
      },
    };
  }

  /** Stops book `name`'s feed (its journal is committed), keeping its marks; `not-found` for an unknown book. */
  async stop(name: string): Promise<Result<DeskOverview>> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    await this.#stopBook(book);
    return ok(this.overview());
  }

  // `keepBroker`: the desk kill switch stops the feed but keeps a broker book routing (its cancels, then a Flatten).
  async #stopBook(book: Book, keepBroker = false): Promise<void> {
    // The book shows stopped as soon as its feed is detached, before the feed has ended and the marks are saved:
    // a start or resume in that window waits for this (else it would race the old feed's last steps and state).
    const name = book.config.name;
    const run = this.#stopBookNow(book, keepBroker);
    this.#stopping.set(name, run);
    try {
      await run;
    } finally {
      if (this.#stopping.get(name) === run) this.#stopping.delete(name);
    }
  }

  async #stopBookNow(book: Book, keepBroker: boolean): Promise<void> {
    const feed = book.feed;
    book.feed = null;
    if (feed) await feed.stop();
    book.session.flushTicked();
    // The book's last orders (its flatten, a kill switch's cancels) still reach the broker before it disconnects.
    if (!keepBroker) await book.broker?.disconnect();
    // A book that was not running (restored from the journal) has no live marks: its saved ones stay.
    if (feed) this.#saveMarks(book);
    if (!this.#store.readonly) setDeskBookState(this.#store, book.config.name, 'stopped', this.#now());
    this.#dirty();
  }

  // The marks, peak and day-start equity of a book whose session holds live marks (a running book, or one whose
  // feed just stopped): read from the session, not through `bookView`, which shows a stopped book's saved marks.
  #saveMarks(book: Book): void {
    if (this.#store.readonly) return;
    const broker = book.session.broker;
    const marks: Record<string, number> = {};
    let net = 0;
    for (const p of broker.positions()) {
      if (p.last === p.last) marks[p.symbol] = p.last;
      net += p.qty * (p.last === p.last ? p.last : (book.saved?.marks[p.symbol] ?? 0));
    }
    const figures = book.broker?.figures();
    const equity = figures ? figures.account.equity : broker.cash + net;
    const dayStart = figures ? figures.dayStart : broker.account().dayStartEquity;
    book.saved = { marks, peak: Math.max(book.peak, equity), dayStart: dayStart === dayStart ? dayStart : equity };
    this.#journal.setState(book.session.session, 'deskMarks', book.saved);
  }

  /** Restarts a stopped book with its stored configuration (`speed` overrides the replay speed). */
  resume(name: string, speed?: number, confirm?: string): Promise<Result<DeskOverview>> {
    const book = this.#books.get(name);
    if (!book) return Promise.resolve(fail('not-found', `no book "${name}"`));
    return this.start({ ...book.config, ...(speed === undefined ? {} : { speed }), confirm });
  }

  /** Removes a stopped book from the desk (its journal stays). */
  remove(name: string): Result<DeskOverview> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    if (book.feed) return fail('conflict', `book "${name}" is running; stop it first`);
    this.#books.delete(name);
    this.#risk.forget(name);
    if (!this.#store.readonly) deleteDeskBook(this.#store, name);
    this.#dirty();
    return ok(this.overview());
  }

  /** Reconciles a broker book's journal with its broker now (and re-reads the broker's figures); null for a paper book. */
  async reconcile(name: string): Promise<Result<DeskOverview>> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    try {
      await book.broker?.reconcile();
    } catch (e) {
      return fail('unavailable', `reconcile ${name}: ${(e as Error).message}`);
    }
    this.#dirty();
    return ok(this.overview());
  }

  /** The portfolio overview now. */
  overview(): DeskOverview {
    return overview(this.books(), this.#risk.limits, this.#kill, this.#now(), (s) => this.#sectorOf(s), this.#journal);
  }

  #sectorOf(symbol: string): string {
    for (const b of this.#books.values()) {
      const s = b.sectors.get(symbol);
      if (s !== undefined) return s;
    }
    const s = sectorsOf(this.#store, [symbol]).get(symbol) ?? '';
    this.#books.values().next().value?.sectors.set(symbol, s);
    return s;
  }

  /** A book's drill-down: figures, configuration, positions (with sectors), orders, signals and alerts. */
  book(name: string, limit = 200): Result<DeskBookDetail> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    return ok(bookDetail(book, this.#journal, limit, (s) => this.#sectorOf(s)));
  }

  // The time a manual order is stamped with: the book's clock (a replay's bar time), so its TWAP/VWAP slices
  // fall inside the replayed history; wall time for a streaming feed.
  #bookTime(book: Book): number {
    const last = this.#journal.getState<number>(book.session.session, 'lastTime');
    return book.config.feed === 'replay' && last !== undefined ? last : Math.max(last ?? 0, this.#now());
  }

  /** Submits a ticket order to a book through the broker's normal path (book and desk limits, kill switches, journal). */
  submit(name: string, req: OrderRequest): Result<Order> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    let o!: Order;
    book.session.batch(() => (o = book.session.broker.submit(req, this.#bookTime(book))));
    this.#acted();
    return ok({ ...o });
  }

  /** The ticket's pre-trade checks for an order, without submitting it. */
  check(name: string, req: OrderRequest): Result<TicketPreview> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    const broker = book.session.broker;
    const p = broker.position(req.symbol);
    const last = p.last === p.last ? p.last : (book.saved?.marks[req.symbol] ?? Number.NaN);
    // A broker book's position is the broker's (what its limits are judged on).
    const ext = book.risk.external();
    const position = ext ? (ext.positions.get(req.symbol) ?? 0) : p.qty;
    const priced = req.type === 'limit' || req.type === 'stop';
    const signed = req.side === 'buy' ? req.qty : -req.qty;
    const c = {
      symbol: req.symbol,
      signedQty: signed,
      price: priced ? (req.price ?? Number.NaN) : Number.NaN,
      last,
      position,
      grossExposure: broker.account().grossExposure,
    };
    const ref = priced ? (req.price ?? Number.NaN) : last;
    const kill = broker.killSwitch;
    const bookBreach = book.risk.checkBook(c);
    const deskBreach = book.risk.previewDesk(c);
    const reduceOnly = req.reduceOnly === true;
    return ok({
      checks: [
        kill.tripped && !reduceOnly
          ? { layer: 'kill-switch', ok: false, message: `kill switch tripped: ${kill.reason}` }
          : {
              layer: 'kill-switch',
              ok: true,
              message: kill.tripped ? 'kill switch tripped; a reduce-only order is still accepted' : 'armed',
            },
        { layer: 'book', ok: bookBreach === null, message: bookBreach?.message ?? 'within the book limits' },
        { layer: 'desk', ok: deskBreach === null, message: deskBreach?.message ?? 'within the desk limits' },
      ],
      reference: ref === ref ? ref : null,
      notional: ref === ref ? Math.abs(signed) * ref : null,
      positionBefore: position,
      positionAfter: position + signed,
    });
  }

  /** Cancels a working order of a book (journaled); `cancelled: false` when it was not working. */
  cancel(name: string, id: string): Result<{ cancelled: boolean }> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    let done = false;
    book.session.batch(() => (done = book.session.broker.cancel(id, this.#bookTime(book), 'cancelled by user')));
    this.#acted();
    return ok({ cancelled: done });
  }

  /** Cancel-and-replace: cancels working order `id` and submits the same order with a new quantity and/or price. */
  replace(name: string, id: string, change: { qty?: number; price?: number }): Result<Order> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    const old = book.session.broker.orders().find((o) => o.id === id);
    if (!old) return fail('not-found', `no order "${id}" in book "${name}"`);
    if (old.status !== 'new')
      return fail('conflict', `order ${id} is ${old.status}; only an unfilled working order can be replaced`);
    if (old.parentId !== null)
      return fail('invalid-input', `order ${id} is a slice of ${old.parentId}; replace the parent`);
    const price = change.price ?? old.limitPrice ?? old.stopPrice ?? undefined;
    let o!: Order;
    book.session.batch(() => {
      const t = this.#bookTime(book);
      book.session.broker.cancel(id, t, 'replaced');
      o = book.session.broker.submit(
        { symbol: old.symbol, side: old.side, qty: change.qty ?? old.qty, type: old.type, price },
        t,
      );
    });
    this.#acted();
    return ok({ ...o });
  }

  /** Flattens one book, or every book: reduce-only market orders through the normal path (fill at the next price). */
  flatten(name: string | undefined, reason: string): Result<DeskActionReport> {
    const targets =
      name === undefined ? this.books() : [this.#books.get(name)].filter((b): b is Book => b !== undefined);
    if (name !== undefined && targets.length === 0) return fail('not-found', `no book "${name}"`);
    const rows = targets.map((b) => {
      const working = countWorking(b);
      const orders = b.session.flattenAll(reason);
      return {
        book: b.config.name,
        running: b.feed !== null && !b.finished,
        ordersCancelled: working,
        ordersSubmitted: orders.filter((o) => o.status !== 'rejected').length,
        feedStopped: false,
        broker: b.broker?.view().connected ? b.broker.account.broker : null,
      };
    });
    this.#acted();
    return ok(this.#report(rows));
  }

  #report(rows: DeskActionReport['books']): DeskActionReport {
    const o = this.overview();
    return {
      books: rows,
      openPositions: o.books.reduce((n, b) => n + b.openPositions, 0),
      grossExposure: o.totals.grossExposure,
      killSwitch: this.#kill,
    };
  }

  /**
   * Trips the desk kill switch and stops every book: at once (before any further delivery of any feed) each book's
   * kill switch trips (working orders cancelled, new ones refused, journaled by its session), then each running
   * book's feed stops and the book is recorded stopped. Positions stay open; a broker book keeps its connection so
   * a Flatten still reaches the broker. Books stay stopped after a re-arm until resumed. A breach of a hard desk
   * limit calls this from inside a feed's delivery: the books halt there, their feeds stop right after.
   */
  async trip(reason: string): Promise<DeskActionReport> {
    const already = this.#kill.tripped;
    if (!already) {
      this.#kill = { tripped: true, reason, at: this.#now() };
      if (!this.#store.readonly) setDeskState(this.#store, 'killswitch', this.#kill);
    }
    const rows = this.books().map((b) => {
      const working = countWorking(b);
      const was = b.session.broker.killSwitch.tripped;
      const running = b.feed !== null;
      if (!was) b.session.trip(`desk kill switch: ${reason}${running ? '; feed stopped' : ''}`);
      return {
        book: b.config.name,
        running: false,
        ordersCancelled: was ? 0 : working,
        ordersSubmitted: 0,
        feedStopped: running,
        broker: b.broker?.view().connected ? b.broker.account.broker : null,
      };
    });
    this.#acted();
    await Promise.all(this.books().map((b) => (b.feed ? this.#stopBook(b, true) : undefined)));
    return this.#report(rows);
  }

  /** Re-arms the desk kill switch and every book's. */
  rearm(): DeskActionReport {
    this.#kill = { tripped: false, reason: null, at: this.#now() };
    if (!this.#store.readonly) setDeskState(this.#store, 'killswitch', this.#kill);
    for (const b of this.books()) if (b.session.broker.killSwitch.tripped) b.session.rearm();
    this.#acted();
    return this.#report(
      this.books().map((b) => ({
        book: b.config.name,
        running: b.feed !== null && !b.finished,
        ordersCancelled: 0,
        ordersSubmitted: 0,
        feedStopped: false,
        broker: b.broker?.view().connected ? b.broker.account.broker : null,
      })),
    );
  }

  /** Replaces the desk limits (kept in the store). */
  setDeskLimits(limits: DeskLimitsValue): DeskLimitsValue {
    this.#risk.set(limits);
    if (!this.#store.readonly) setDeskState(this.#store, 'limits', limits);
    this.#acted();
    return limits;
  }

  /** Replaces a book's limits (journaled by its session, and kept with its configuration). */
  setBookLimits(name: string, limits: RiskLimits): Result<RiskLimits> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    book.session.setRisk(limits);
    book.config = { ...book.config, risk: limits };
    if (!this.#store.readonly)
      saveDeskBook(this.#store, name, book.config, book.feed ? 'running' : 'stopped', this.#now());
    this.#acted();
    return ok(limits);
  }

  /** Acknowledges an alert of a book. */
  ack(name: string, id: string): Result<{ acknowledged: boolean }> {
    const book = this.#books.get(name);
    if (!book) return fail('not-found', `no book "${name}"`);
    const acknowledged = book.session.ack(id);
    this.#acted();
    return ok({ acknowledged });
  }

  /** After an operator's action: the books' alert counts are read again at the next push. */
  #acted(): void {
    for (const b of this.#books.values()) forgetUnacked(b);
    this.#dirty();
  }

  #dirty(): void {
    if (this.#dirtySince === 0) this.#dirtySince = performance.now();
    this.#ensureTimer();
  }

  #ensureTimer(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#tick(), this.#pushEveryMs);
    this.#timer.unref?.();
  }

  #pushIfDue(): void {
    if (this.#dirtySince !== 0 && performance.now() - this.#pushedAt >= this.#pushEveryMs) this.push();
  }

  #tick(): void {
    if (this.#dirtySince !== 0) this.push();
    else if (!this.books().some((b) => b.feed !== null && !b.finished) && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  /** Computes and pushes the overview now (the timer does this while books change). */
  push(): void {
    const since = this.#dirtySince;
    this.#dirtySince = 0;
    this.#pushedAt = performance.now();
    this.#emit(this.overview());
    // Running books' marks go to the journal every few seconds too, so a kill -9 loses at most that much of them;
    // after the push (a journal write is not in the way of the screen), from the same marks the push showed.
    if (this.#pushedAt - this.#marksSavedAt >= MARKS_EVERY_MS) {
      this.#marksSavedAt = this.#pushedAt;
      setImmediate(() => {
        for (const b of this.#books.values()) if (b.feed && !b.finished) this.#saveMarks(b);
      });
    }
    const end = performance.now();
    if (since !== 0) {
      this.pushCosts[this.latencyCount % this.pushCosts.length] = end - this.#pushedAt;
      this.latencies[this.latencyCount++ % this.latencies.length] = end - since;
    }
  }

  /** Stops every book (keeping their marks), every broker connection and the push timer. */
  async dispose(): Promise<void> {
    for (const b of this.#books.values()) if (b.feed) await this.#stopBook(b);
    for (const b of this.#books.values()) await b.broker?.disconnect();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}

function countWorking(b: Book): number {
  let n = 0;
  for (const o of b.session.broker.orders())
    if ((o.status === 'new' || o.status === 'partially-filled') && o.parentId === null) n++;
  return n;
}
