import type {
  DeskBookDetail,
  DeskBookView,
  DeskKillSwitch,
  DeskLimitsValue,
  DeskOverview,
  DeskPosition,
  ExposureRow,
} from '../../model/books';
import type { Journal } from '../../store/journal';
import { brokerMark, brokerTotals } from './book-broker';
import type { Book } from './desk';

/** What a stopped book keeps in its journal (`deskMarks`): the last marks, its equity peak and day-start equity. */
export interface BookMarks {
  readonly marks: Readonly<Record<string, number>>;
  readonly peak: number;
  readonly dayStart: number;
}

// Non-signal alerts not yet acknowledged, per book; read from the journal at most once a second.
const unackedCache = new WeakMap<Book, { at: number; n: number }>();

/** Drops a book's cached count of unacknowledged alerts (after an action that may have raised or acknowledged one). */
export function forgetUnacked(book: Book): void {
  unackedCache.delete(book);
}

function unacked(book: Book, journal: Journal | null, now: number): number {
  const hit = unackedCache.get(book);
  // Only a running book's count is cached (its feed can raise alerts on every step); a stopped book's is read each time.
  if (hit && (journal === null || (book.feed !== null && now - hit.at < 1_000))) return hit.n;
  if (journal === null) return 0;
  const n = journal.countUnackedOther(book.session.session, 200);
  unackedCache.set(book, { at: now, n });
  return n;
}

/** A position's mark: the live one while the book runs, else the one its journal kept at its stop. */
function markOf(book: Book, symbol: string, last: number): number {
  const saved = book.feed === null ? book.saved?.marks[symbol] : undefined;
  return saved ?? (last === last ? last : 0);
}

/**
 * A book's positions with their marks: a broker book's are its broker's (as last read, including what was traded
 * at the broker behind the book's back), a paper book's its session's.
 */
export function bookPositions(book: Book): { symbol: string; qty: number; mark: number }[] {
  const figures = book.broker?.figures();
  if (figures) return figures.positions.map((p) => ({ symbol: p.symbol, qty: p.qty, mark: brokerMark(p) }));
  return book.session.broker
    .positions()
    .map((p) => ({ symbol: p.symbol, qty: p.qty, mark: markOf(book, p.symbol, p.last) }));
}

/**
 * A book's figures: equity (cash + Σ qty × mark), day PnL, gross and net exposure, peak and drawdown,
 * limit usage. Updates the book's equity peak. `journal` (optional) refreshes the unacknowledged-alert count.
 */
export function bookView(book: Book, now: number, journal: Journal | null = null): DeskBookView {
  const broker = book.session.broker;
  const figures = book.broker?.figures() ?? null;
  let cash = broker.cash;
  let net = 0;
  let gross = 0;
  let open = 0;
  let posUse: number | null = null;
  const lim = broker.risk.limits;
  for (const p of bookPositions(book)) {
    if (p.qty === 0) continue;
    open++;
    const v = p.qty * p.mark;
    net += v;
    gross += Math.abs(v);
    const max = (lim.symbols[p.symbol] ?? lim.symbols['*'])?.maxPosition;
    if (max !== undefined) posUse = Math.max(posUse ?? 0, Math.abs(p.qty) / max);
  }
  let equity = cash + net;
  const running = book.feed !== null;
  let dayStart = running ? broker.account().dayStartEquity : (book.saved?.dayStart ?? equity);
  // A broker book's figures are its broker's (as last read), so they reconcile with the broker's statement.
  if (figures) {
    const t = brokerTotals(figures);
    cash = t.cash;
    equity = t.equity;
    dayStart = figures.dayStart;
  }
  // Every mark's equity goes through the book's risk checker, which keeps the exact peak; the view's samples add the rest.
  book.peak = Math.max(book.peak, equity, book.risk.peak === book.risk.peak ? book.risk.peak : -Infinity);
  const working = broker.workingCount();
  const dayLoss = Math.max(0, dayStart - equity);
  return {
    name: book.config.name,
    strategy: book.config.strategy,
    symbols: book.sectors.size || (book.config.symbols?.length ?? 0),
    feed: book.config.feed,
    status: running ? (book.finished ? 'finished' : 'running') : 'stopped',
    feedState: running ? (book.session.feedStatus?.state ?? null) : null,
    capital: book.config.capital,
    cash,
    equity,
    dayPnl: equity - dayStart,
    grossExposure: gross,
    netExposure: net,
    peakEquity: book.peak,
    drawdown: book.peak > 0 ? Math.max(0, 1 - equity / book.peak) : 0,
    usage: {
      grossExposure: lim.maxGrossExposure !== undefined ? gross / lim.maxGrossExposure : null,
      dailyLoss: lim.maxDailyLoss !== undefined ? dayLoss / lim.maxDailyLoss : null,
      position: posUse,
    },
    killSwitch: broker.killSwitch,
    openPositions: open,
    workingOrders: working,
    unackedAlerts: unacked(book, journal, now),
    lastTime: book.session.journal.getState<number>(book.session.session, 'lastTime') ?? null,
    broker: book.broker?.view() ?? null,
  };
}

/** The portfolio overview over `books`: totals, exposure by sector and by book, desk limit usage. */
export function overview(
  books: readonly Book[],
  limits: DeskLimitsValue,
  kill: DeskKillSwitch,
  now: number,
  sectorOf: (symbol: string) => string,
  journal: Journal | null = null,
): DeskOverview {
  const views = books.map((b) => bookView(b, now, journal));
  const sectors = new Map<string, { gross: number; net: number }>();
  for (const b of books) {
    for (const p of bookPositions(b)) {
      if (p.qty === 0) continue;
      const v = p.qty * p.mark;
      const key = sectorOf(p.symbol) || 'unknown';
      const s = sectors.get(key) ?? { gross: 0, net: 0 };
      s.gross += Math.abs(v);
      s.net += v;
      sectors.set(key, s);
    }
  }
  let equity = 0;
  let dayPnl = 0;
  let gross = 0;
  let net = 0;
  let capital = 0;
  for (const v of views) {
    equity += v.equity;
    dayPnl += v.dayPnl;
    gross += v.grossExposure;
    net += v.netExposure;
    capital += v.capital;
  }
  const bySector: ExposureRow[] = [...sectors]
    .map(([key, s]) => ({ key, gross: s.gross, net: s.net }))
    .sort((a, b) => b.gross - a.gross);
  const byBook: ExposureRow[] = views.map((v) => ({ key: v.name, gross: v.grossExposure, net: v.netExposure }));
  return {
    at: now,
    books: views,
    totals: { equity, dayPnl, grossExposure: gross, netExposure: net, capital },
    bySector,
    byBook,
    limits,
    usage: {
      grossExposure: limits.maxGrossExposure !== undefined ? gross / limits.maxGrossExposure : null,
      netExposure: limits.maxNetExposure !== undefined ? Math.abs(net) / limits.maxNetExposure : null,
      dailyLoss: limits.maxDailyLoss !== undefined ? Math.max(0, -dayPnl) / limits.maxDailyLoss : null,
    },
    killSwitch: kill,
  };
}

/** A book's drill-down from its session and journal (orders, signals and alerts newest first). */
export function bookDetail(
  book: Book,
  journal: Journal,
  limit: number,
  sectorOf: (symbol: string) => string,
): DeskBookDetail {
  const now = Date.now();
  const positions: DeskPosition[] = [];
  const figures = book.broker?.figures();
  if (figures) {
    // The broker's positions are the book's; the journal's quantity shows beside them (and what only it holds).
    const journaled = new Map(book.session.broker.positions().map((p) => [p.symbol, p]));
    for (const p of figures.positions) {
      const last = brokerMark(p);
      positions.push({
        symbol: p.symbol,
        sector: sectorOf(p.symbol),
        qty: p.qty,
        avgCost: p.avgCost,
        last,
        marketValue: p.qty * last,
        realized: journaled.get(p.symbol)?.realized ?? 0,
        unrealized: p.qty * (last - p.avgCost),
        brokerQty: p.qty,
        bookQty: journaled.get(p.symbol)?.qty ?? 0,
      });
    }
    for (const p of journaled.values())
      if (p.qty !== 0 && !figures.positions.some((f) => f.symbol === p.symbol))
        positions.push({
          symbol: p.symbol,
          sector: sectorOf(p.symbol),
          qty: 0,
          avgCost: 0,
          last: 0,
          marketValue: 0,
          realized: p.realized,
          unrealized: 0,
          brokerQty: 0,
          bookQty: p.qty,
        });
  } else
    for (const p of book.session.broker.positions()) {
      const last = markOf(book, p.symbol, p.last);
      positions.push({
        symbol: p.symbol,
        sector: sectorOf(p.symbol),
        qty: p.qty,
        avgCost: p.avgCost,
        last,
        marketValue: p.qty * last,
        realized: p.realized,
        unrealized: p.qty === 0 ? 0 : p.qty * (last - p.avgCost),
        ...(book.broker ? { brokerQty: book.broker.brokerQty(p.symbol) } : {}),
      });
    }
  // Before any read of the broker's figures: what the broker holds that the book does not shows too.
  if (book.broker && !figures)
    for (const [symbol, { qty }] of book.broker.brokerPositions())
      if (!positions.some((p) => p.symbol === symbol))
        positions.push({
          symbol,
          sector: sectorOf(symbol),
          qty: 0,
          avgCost: 0,
          last: 0,
          marketValue: 0,
          realized: 0,
          unrealized: 0,
          brokerQty: qty,
        });
  positions.sort((a, b) => Math.abs(b.marketValue) - Math.abs(a.marketValue) || a.symbol.localeCompare(b.symbol));
  const orders = [...book.session.broker.orders()]
    .reverse()
    .slice(0, limit)
    .map((o) => ({ ...o }));
  const { risk: _r, ...config } = book.config;
  return {
    view: bookView(book, now, journal),
    config: { ...config, risk: book.session.broker.risk.limits },
    positions,
    orders,
    signals: journal.loadSignals(book.session.session, limit).map((s) => ({
      symbol: s.symbol,
      time: s.time,
      side: s.side,
      price: s.price,
      target: s.target,
      reason: s.reason,
    })),
    alerts: journal.loadAlerts(book.session.session, limit),
  };
}
