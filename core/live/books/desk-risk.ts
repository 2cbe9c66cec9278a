import { RiskChecker, type Breach, type OrderCheck, type RiskLimits } from '../risk';

/** The names of the desk-wide limits. */
export type DeskLimitName = 'maxGrossExposure' | 'maxNetExposure' | 'maxDailyLoss';

/** Limits over every book together; an absent field is no limit. */
export interface DeskLimits {
  /** Max Σ over books of gross exposure Σ|qty × last|, checked before each order of any book and on every mark. */
  readonly maxGrossExposure?: number;
  /** Max |Σ over books of net exposure Σ qty × last|, checked before each order that increases it. */
  readonly maxNetExposure?: number;
  /** Max Σ over books of the loss since each book's day start (positive number), checked on every mark. */
  readonly maxDailyLoss?: number;
  /** Limits whose breach trips the desk kill switch (every book); the others only reject the order. Default: all. */
  readonly hard?: readonly DeskLimitName[];
}

const ALL: readonly DeskLimitName[] = ['maxGrossExposure', 'maxNetExposure', 'maxDailyLoss'];

/** Figures of one book as its last mark left them (account currency). */
interface BookFigures {
  gross: number;
  net: number;
  equity: number;
  dayStart: number;
}

/**
 * The desk's risk layer: the latest figures of every book (recorded by each book's {@link BookRiskChecker}
 * on its marks, O(1)), and the desk-wide checks over their sums. A hard breach calls `onHardBreach` (the
 * desk trips every book); the book that hit it is tripped by its own broker as for any hard breach.
 */
export class DeskRisk {
  #limits: DeskLimits = {};
  #hard: ReadonlySet<DeskLimitName> = new Set(ALL);
  readonly #books = new Map<string, BookFigures>();
  readonly #onHardBreach: (b: Breach) => void;

  constructor(onHardBreach: (b: Breach) => void) {
    this.#onHardBreach = onHardBreach;
  }

  /** The desk limits in force. */
  get limits(): DeskLimits {
    return this.#limits;
  }

  /** Replaces the desk limits (for the next check). */
  set(limits: DeskLimits): void {
    this.#limits = limits;
    this.#hard = new Set(limits.hard ?? ALL);
  }

  /** Records a book's figures (on its marks and when it is restored). */
  record(book: string, gross: number, net: number, equity: number, dayStart: number): void {
    let f = this.#books.get(book);
    if (!f) this.#books.set(book, (f = { gross: 0, net: 0, equity: 0, dayStart: 0 }));
    f.gross = gross;
    f.net = net;
    f.equity = equity;
    f.dayStart = dayStart;
  }

  /** Forgets a book's figures (it left the desk). */
  forget(book: string): void {
    this.#books.delete(book);
  }

  /** Desk totals over the recorded books: gross and net exposure, and the day's loss (positive = loss). */
  totals(): { gross: number; net: number; dayLoss: number } {
    let gross = 0;
    let net = 0;
    let dayLoss = 0;
    for (const f of this.#books.values()) {
      gross += f.gross;
      net += f.net;
      dayLoss += f.dayStart - f.equity;
    }
    return { gross, net, dayLoss };
  }

  #breach(limit: DeskLimitName, message: string): Breach {
    // The broker's limit names: a desk net-exposure breach is reported under the gross limit's name, its message says which.
    const b: Breach = {
      limit: limit === 'maxDailyLoss' ? 'maxDailyLoss' : 'maxGrossExposure',
      symbol: null,
      message: `desk: ${message}`,
      hard: this.#hard.has(limit),
    };
    if (b.hard) queueMicrotask(() => this.#onHardBreach(b));
    return b;
  }

  /**
   * Pre-trade check of an order of `book` against the desk limits: the other books' recorded exposure plus
   * this book's current one plus what the order adds. Returns the breach or null (no side effect but the
   * desk trip a hard breach schedules).
   */
  checkOrder(book: string, o: OrderCheck, bookNet: number, quiet = false): Breach | null {
    const ref = o.price === o.price ? o.price : o.last;
    if (ref !== ref) return null;
    const l = this.#limits;
    let othersGross = 0;
    let othersNet = 0;
    for (const [name, f] of this.#books) {
      if (name === book) continue;
      othersGross += f.gross;
      othersNet += f.net;
    }
    const after = o.position + o.signedQty;
    const grossDelta = (Math.abs(after) - Math.abs(o.position)) * ref;
    if (
      l.maxGrossExposure !== undefined &&
      grossDelta > 0 &&
      othersGross + o.grossExposure + grossDelta > l.maxGrossExposure
    ) {
      const msg = `gross exposure would be ${(othersGross + o.grossExposure + grossDelta).toFixed(2)}, desk limit ${l.maxGrossExposure}`;
      return quiet ? this.#quiet('maxGrossExposure', msg) : this.#breach('maxGrossExposure', msg);
    }
    const netBefore = othersNet + bookNet;
    const netAfter = netBefore + o.signedQty * ref;
    if (
      l.maxNetExposure !== undefined &&
      Math.abs(netAfter) > Math.abs(netBefore) &&
      Math.abs(netAfter) > l.maxNetExposure
    ) {
      const msg = `net exposure would be ${netAfter.toFixed(2)}, desk limit ±${l.maxNetExposure}`;
      return quiet ? this.#quiet('maxNetExposure', msg) : this.#breach('maxNetExposure', msg);
    }
    return null;
  }

  #quiet(limit: DeskLimitName, message: string): Breach {
    return {
      limit: limit === 'maxDailyLoss' ? 'maxDailyLoss' : 'maxGrossExposure',
      symbol: null,
      message: `desk: ${message}`,
      hard: this.#hard.has(limit),
    };
  }

  /** Account check over the desk on a mark of any book. */
  checkAccount(): Breach | null {
    const l = this.#limits;
    if (l.maxGrossExposure === undefined && l.maxDailyLoss === undefined) return null;
    const t = this.totals();
    if (l.maxGrossExposure !== undefined && t.gross > l.maxGrossExposure)
      return this.#breach(
        'maxGrossExposure',
        `gross exposure ${t.gross.toFixed(2)} exceeds desk limit ${l.maxGrossExposure}`,
      );
    if (l.maxDailyLoss !== undefined && t.dayLoss > l.maxDailyLoss)
      return this.#breach('maxDailyLoss', `daily loss ${t.dayLoss.toFixed(2)} exceeds desk limit ${l.maxDailyLoss}`);
    return null;
  }
}

/** A broker book's figures as its broker reports them (positions symbol → signed qty). */
export interface ExternalFigures {
  readonly positions: ReadonlyMap<string, number>;
  readonly gross: number;
  readonly net: number;
  readonly equity: number;
  readonly dayStart: number;
}

/**
 * A book's risk checker: the book's own limits first (as any session's), then the desk's over every book.
 * `cash` reads the book's cash, so the book's net exposure is equity − cash. `external` gives a broker book's
 * figures as its broker last reported them: when it does, every check (position, exposure, daily loss, the desk's
 * sums) is judged on the broker's position and account, not on the book's paper model.
 */
export class BookRiskChecker extends RiskChecker {
  readonly #desk: DeskRisk;
  readonly #book: string;
  cash: () => number = () => 0;
  external: () => ExternalFigures | null = () => null;
  /** The highest equity any mark of the book showed (its drawdown's reference); NaN before the first. */
  peak = Number.NaN;
  #net = 0;

  constructor(desk: DeskRisk, book: string, limits?: RiskLimits) {
    super(limits);
    this.#desk = desk;
    this.#book = book;
  }

  /** The book's own limits only (the ticket's preview shows both layers apart). */
  checkBook(o: OrderCheck): Breach | null {
    return super.checkOrder(this.#judged(o));
  }

  /** The desk's limits only, without side effects (the ticket's preview). */
  previewDesk(o: OrderCheck): Breach | null {
    return this.#desk.checkOrder(this.#book, this.#judged(o), this.#net, true);
  }

  override checkOrder(o: OrderCheck): Breach | null {
    const j = this.#judged(o);
    return super.checkOrder(j) ?? this.#desk.checkOrder(this.#book, j, this.#net);
  }

  // The order as the broker's account would take it: its position and gross exposure are the broker's.
  #judged(o: OrderCheck): OrderCheck {
    const x = this.external();
    return x ? { ...o, position: x.positions.get(o.symbol) ?? 0, grossExposure: x.gross } : o;
  }

  override checkAccount(grossExposure: number, dayStartEquity: number, equity: number): Breach | null {
    const x = this.external();
    if (x) ({ gross: grossExposure, dayStart: dayStartEquity, equity } = x);
    if (!(equity <= this.peak)) this.peak = equity;
    this.#net = x ? x.net : equity - this.cash();
    this.#desk.record(this.#book, grossExposure, this.#net, equity, dayStartEquity);
    return super.checkAccount(grossExposure, dayStartEquity, equity) ?? this.#desk.checkAccount();
  }

  /** Records the book's figures without checking (after a restore, before any mark, after a broker read). */
  record(grossExposure: number, dayStartEquity: number, equity: number): void {
    const x = this.external();
    if (x) ({ gross: grossExposure, dayStart: dayStartEquity, equity } = x);
    this.#net = x ? x.net : equity - this.cash();
    this.#desk.record(this.#book, grossExposure, this.#net, equity, dayStartEquity);
  }
}
