/** The `desk` slice of the contract (composed in `core/contract.ts`), issue 16: books, the ticket, desk limits (desk1); user alerts, every book's alerts, watchlists, the screener, workspaces (desk2). */
import { z } from 'zod';
import { event, method, noInput } from './define';
import { RiskLimitsInput } from './live';
import type { Order as LiveOrder } from '../live/types';
import type { RiskLimits as RiskLimitsValue } from '../live/risk';
import type { DeskActionReport, DeskBookDetail, DeskLimitsValue, DeskOverview, TicketPreview } from '../model/books';
import {
  AlertFilterInput,
  ScreenDef,
  UserAlertInput,
  WatchlistInput,
  WorkspaceInput,
  type ColumnTable,
  type DeskAlert,
  type SavedScreen,
  type ScreenResult,
  type UserAlertFire,
  type UserAlertRule,
  type Watchlist,
  type Workspace,
} from '../model/desk';

export type {
  DeskActionReport,
  DeskBookDetail,
  DeskBookView,
  DeskBookBroker,
  DeskOverview,
  DeskPosition,
  DeskOrder,
  DeskLimitsValue,
  TicketPreview,
  TicketCheck,
  ExposureRow,
} from '../model/books';

/** A book's name: also its journal session `desk:<name>`. */
const deskBookName = z
  .string()
  .min(1)
  .max(64)
  // eslint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters');
const deskDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD');

/**
 * A book's broker account: which broker, which of its accounts and endpoint. Keys never travel with it (the host
 * reads them from its secret store). `live: true` is the broker's real-money endpoint: the book then needs `confirm`
 * equal to the arming phrase `LIVE <account id>` (the broker's account id), or it is refused naming the phrase.
 */
export const DeskBrokerAccountInput = z
  .object({
    broker: z.enum(['alpaca', 'kis']),
    account: z.string().min(1).max(64).optional(),
    baseUrl: z.string().url().optional(),
    live: z.boolean().optional(),
  })
  .strict();

/** `desk:book-start`: a book (strategy or `manual`, symbols or the whole universe, feed, paper account, capital, limits, params, replay range). */
export const DeskBookInput = z
  .object({
    name: deskBookName,
    /** A single-symbol strategy (built-in or stored user strategy), or `manual` (traded from the ticket only). */
    strategy: z.string().min(1).max(100),
    params: z.record(z.string(), z.unknown()).default({}),
    /** Symbols to trade; none = `universe` (default the whole stored universe). */
    symbols: z.array(z.string().min(1).max(32)).max(5_000).optional(),
    /**
     * Without symbols: `all` (every stored symbol) or a named point-in-time universe from the store (its members,
     * each traded only on the days it is a member as known that day).
     */
    universe: z.string().min(1).max(64).optional(),
    feed: z.enum(['replay', 'websocket']).default('replay'),
    url: z.string().url().optional(),
    /** Replay speed in time steps per second; 0 = as fast as possible. */
    speed: z.number().min(0).max(1_000_000).default(0),
    from: deskDate.optional(),
    to: deskDate.optional(),
    capital: z.number().positive().default(100_000),
    /**
     * Whose account the book trades: `paper` (the built-in paper model), or a configured broker account whose
     * keys the host holds (Alpaca, KIS; their paper endpoints, or another endpoint such as a test server).
     */
    account: z
      .union([z.literal('paper'), DeskBrokerAccountInput], {
        error:
          'expected "paper" or {"broker": "alpaca" | "kis", "account"?, "baseUrl"?, "live"?} (live: real money, armed with "confirm")',
      })
      .default('paper'),
    /** The arming phrase of a real-money book (`LIVE <account id>`); used for this start only, never stored. */
    confirm: z.string().max(200).optional(),
    risk: RiskLimitsInput.optional(),
    interval: z.enum(['1m', '5m', '1h', '1d']).default('1m'),
    /** Further spec fields (sizing, commission, slippageBps, longOnly, ...), validated as a backtest spec's. */
    spec: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((b) => !(b.symbols?.length && b.universe !== undefined), {
    path: ['universe'],
    message: 'give "symbols" or "universe", not both',
  });

/** Desk-wide limits; `hard` lists the limits whose breach trips the desk kill switch (default all). */
export const DeskLimitsInput = z
  .object({
    maxGrossExposure: z.number().positive().optional(),
    maxNetExposure: z.number().positive().optional(),
    maxDailyLoss: z.number().positive().optional(),
    hard: z.array(z.enum(['maxGrossExposure', 'maxNetExposure', 'maxDailyLoss'])).optional(),
  })
  .strict();

/** A ticket order for a book: market, limit, stop (with `price`), TWAP/VWAP (with `durationMs`, `slices`). */
export const DeskOrderInput = z
  .object({
    book: deskBookName,
    symbol: z.string().min(1).max(32),
    side: z.enum(['buy', 'sell']),
    qty: z.number().positive(),
    type: z.enum(['market', 'limit', 'stop', 'twap', 'vwap']).default('market'),
    price: z.number().positive().optional(),
    durationMs: z.number().int().positive().optional(),
    slices: z.number().int().min(1).max(1000).optional(),
    reduceOnly: z.boolean().optional(),
  })
  .strict()
  .refine((o) => (o.type !== 'limit' && o.type !== 'stop') || o.price !== undefined, {
    path: ['price'],
    message: 'limit and stop orders need a price',
  });

export const deskMethods = {
  'desk:overview': method(noInput).returns<DeskOverview>(),
  /** Starts a book (or restarts a stopped one with a new configuration); `conflict` while it runs. */
  'desk:book-start': method(DeskBookInput).returns<DeskOverview>(),
  'desk:book-stop': method(z.object({ book: deskBookName }).strict()).returns<DeskOverview>(),
  /** Restarts a stopped book with its stored configuration; `speed` overrides the replay speed. */
  'desk:book-resume': method(
    z
      .object({ book: deskBookName, speed: z.number().min(0).optional(), confirm: z.string().max(200).optional() })
      .strict(),
  ).returns<DeskOverview>(),
  /** Removes a stopped book from the desk (its journal stays). */
  'desk:book-remove': method(z.object({ book: deskBookName }).strict()).returns<DeskOverview>(),
  /** A book's drill-down: figures, positions, orders, signals, alerts (newest first, at most `limit`). */
  'desk:book': method(
    z.object({ book: deskBookName, limit: z.number().int().min(1).max(2_000).default(200) }).strict(),
  ).returns<DeskBookDetail>(),
  /** The ticket's pre-trade checks (kill switch, book limits, desk limits) without sending. */
  'desk:order-check': method(DeskOrderInput).returns<TicketPreview>(),
  /** Sends a ticket order through the book's normal path; `status: "rejected"` with the reason when a check refuses it. */
  'desk:order-submit': method(DeskOrderInput).returns<LiveOrder>(),
  'desk:order-cancel': method(z.object({ book: deskBookName, id: z.string().min(1).max(200) }).strict()).returns<{
    readonly cancelled: boolean;
  }>(),
  /** Cancel-and-replace of an unfilled working order with a new quantity and/or price. */
  'desk:order-replace': method(
    z
      .object({
        book: deskBookName,
        id: z.string().min(1).max(200),
        qty: z.number().positive().optional(),
        price: z.number().positive().optional(),
      })
      .strict(),
  ).returns<LiveOrder>(),
  /** Flattens one book (or, without `book`, every book) with reduce-only market orders; reports what it sent. */
  'desk:flatten': method(
    z.object({ book: deskBookName.optional(), reason: z.string().min(1).max(500).default('flatten') }).strict(),
  ).returns<DeskActionReport>(),
  /** Trips the desk kill switch and stops every book: working orders cancelled, new ones refused, feeds stopped; positions stay open. */
  'desk:kill': method(
    z.object({ reason: z.string().min(1).max(500).default('manual') }).strict(),
  ).returns<DeskActionReport>(),
  'desk:rearm': method(noInput).returns<DeskActionReport>(),
  'desk:limits-set': method(DeskLimitsInput).returns<DeskLimitsValue>(),
  'desk:book-limits-set': method(
    z.object({ book: deskBookName, risk: RiskLimitsInput }).strict(),
  ).returns<RiskLimitsValue>(),
  'desk:alert-ack': method(z.object({ book: deskBookName, id: z.string().min(1).max(200) }).strict()).returns<{
    readonly acknowledged: boolean;
  }>(),
  /** The user's alert rules with their status (active, paused, triggered, expired) and firing counts. */
  'user-alerts:list': method(noInput).returns<readonly UserAlertRule[]>(),
  /** Creates a rule, or replaces rule `id` (re-armed; judges only bars stored after the save). Indicators are checked against the registry. */
  'user-alerts:save': method(UserAlertInput).returns<UserAlertRule>(),
  'user-alerts:pause': method(
    z.object({ id: z.string().min(1).max(64), paused: z.boolean() }).strict(),
  ).returns<UserAlertRule>(),
  'user-alerts:delete': method(z.object({ id: z.string().min(1).max(64) }).strict()).returns<{
    readonly deleted: boolean;
  }>(),
  /** A rule's firings, newest first. */
  'user-alerts:history': method(
    z.object({ id: z.string().min(1).max(64), limit: z.number().int().positive().max(5_000).default(200) }).strict(),
  ).returns<readonly UserAlertFire[]>(),
  /** Journaled alerts of every book (session), newest first, filtered by book, kind and acknowledgement. */
  'alerts:query': method(AlertFilterInput).returns<readonly DeskAlert[]>(),
  /** Acknowledges every unacknowledged alert of the book and kind given (all when neither); answers how many. */
  'alerts:ack-all': method(
    z.object({ book: z.string().min(1).max(64).optional(), kind: z.string().min(1).max(64).optional() }).strict(),
  ).returns<{ readonly acknowledged: number }>(),
  /** The books and kinds that have alerts (the alert list's filters). */
  'alerts:facets': method(noInput).returns<{ readonly books: readonly string[]; readonly kinds: readonly string[] }>(),
  'watchlists:list': method(noInput).returns<readonly Watchlist[]>(),
  /** Creates (no `id`) or replaces a watchlist: name, symbols in order, columns. */
  'watchlists:save': method(WatchlistInput).returns<Watchlist>(),
  'watchlists:delete': method(z.object({ id: z.string().min(1).max(64) }).strict()).returns<{
    readonly deleted: boolean;
  }>(),
  /** A watchlist's columns for its symbols as of now (fundamentals as known now). */
  'watchlists:table': method(z.object({ id: z.string().min(1).max(64) }).strict()).returns<ColumnTable>(),
  /** Runs a screen on the point-in-time universe of its date (or now). */
  'screener:run': method(ScreenDef).returns<ScreenResult>(),
  'screener:list': method(noInput).returns<readonly SavedScreen[]>(),
  /** Saves a screen under a name (replacing one of that name). */
  'screener:save': method(
    z.object({ name: z.string().trim().min(1).max(100), screen: ScreenDef }).strict(),
  ).returns<SavedScreen>(),
  'screener:delete': method(z.object({ id: z.string().min(1).max(64) }).strict()).returns<{
    readonly deleted: boolean;
  }>(),
  /** Named pane layouts; `current` is the one in use. */
  'workspaces:list': method(noInput).returns<readonly Workspace[]>(),
  'workspaces:save': method(WorkspaceInput).returns<Workspace>(),
  'workspaces:delete': method(z.object({ name: z.string().min(1).max(100) }).strict()).returns<{
    readonly deleted: boolean;
  }>(),
  /** Opens a view in its own window (the desktop app: a second monitor); `unavailable` under `quantdesk serve` (open `#view=NAME` in a tab). */
  'app:open-view': method(z.object({ view: z.string().regex(/^[a-z][a-z-]{0,30}$/) }).strict()).returns<{
    readonly opened: boolean;
  }>(),
} as const;

export const deskEvents = {
  /** The desk's overview, at most every 25 ms while any book changes (issue 16). */
  'desk:changed': event<DeskOverview>(),
  /** A user alert rule fired (its `alert:raised` comes first). */
  'user-alert:fired': event<UserAlertFire>(),
} as const;
