/**
 * The desk's user state (issue 16 items 3-6) in the store: user alert rules and their firings, alert
 * queries across books, watchlists, saved screens and workspaces. The only SQL of those domains.
 */
import type {
  AlertCondition,
  DeskAlert,
  PaneLayout,
  SavedScreen,
  ScreenDef,
  UserAlertFire,
  Watchlist,
  Workspace,
  DeskColumn,
} from '../model/desk';
import type { Store } from './sqlite-bar-store';
import { connection } from './internal';

// == user alert rules ========================================================================

/** A rule row as stored (webhooks in full: only the alert service reads them). */
export interface StoredRule {
  readonly id: string;
  readonly name: string;
  readonly symbol: string;
  readonly condition: AlertCondition;
  readonly mode: 'once' | 'every';
  readonly expiresAt: number | null;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly message: string;
  readonly webhooks: readonly unknown[];
  readonly paused: boolean;
  readonly triggered: boolean;
  /** The last stored bar this rule was evaluated on (import path); bars at or before it never fire again. */
  readonly storedCursor: number | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly fires: number;
  readonly lastFiredAt: number | null;
}

type RuleRow = {
  id: string;
  name: string;
  symbol: string;
  condition: string;
  mode: 'once' | 'every';
  expires_at: number | null;
  severity: StoredRule['severity'];
  message: string;
  webhooks: string;
  paused: number;
  triggered: number;
  stored_cursor: number | null;
  created_at: number;
  updated_at: number;
  fires: number;
  last_fired_at: number | null;
};

function toRule(r: RuleRow): StoredRule {
  return {
    id: r.id,
    name: r.name,
    symbol: r.symbol,
    condition: JSON.parse(r.condition) as AlertCondition,
    mode: r.mode,
    expiresAt: r.expires_at,
    severity: r.severity,
    message: r.message,
    webhooks: JSON.parse(r.webhooks) as unknown[],
    paused: r.paused === 1,
    triggered: r.triggered === 1,
    storedCursor: r.stored_cursor,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    fires: r.fires,
    lastFiredAt: r.last_fired_at,
  };
}

const RULE_SELECT = `SELECT r.*, (SELECT count(*) FROM user_alert_fires f WHERE f.rule_id = r.id) fires,
  (SELECT max(fired_at) FROM user_alert_fires f WHERE f.rule_id = r.id) last_fired_at FROM user_alert_rules r`;

/** Every rule, oldest first. */
export function listUserAlertRules(store: Store): StoredRule[] {
  return (connection(store).prepare(`${RULE_SELECT} ORDER BY created_at, id`).all() as RuleRow[]).map(toRule);
}

/** One rule, or undefined. */
export function getUserAlertRule(store: Store, id: string): StoredRule | undefined {
  const r = connection(store).prepare(`${RULE_SELECT} WHERE id = ?`).get(id) as RuleRow | undefined;
  return r ? toRule(r) : undefined;
}

/** Inserts or replaces a rule (its firings are kept). */
export function upsertUserAlertRule(store: Store, r: Omit<StoredRule, 'fires' | 'lastFiredAt'>): void {
  connection(store)
    .prepare(
      `INSERT INTO user_alert_rules (id, name, symbol, condition, mode, expires_at, severity, message, webhooks, paused, triggered, stored_cursor, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, symbol = excluded.symbol, condition = excluded.condition, mode = excluded.mode,
         expires_at = excluded.expires_at, severity = excluded.severity, message = excluded.message, webhooks = excluded.webhooks,
         paused = excluded.paused, triggered = excluded.triggered, stored_cursor = excluded.stored_cursor, updated_at = excluded.updated_at`,
    )
    .run(
      r.id,
      r.name,
      r.symbol,
      JSON.stringify(r.condition),
      r.mode,
      r.expiresAt,
      r.severity,
      r.message,
      JSON.stringify(r.webhooks),
      r.paused ? 1 : 0,
      r.triggered ? 1 : 0,
      r.storedCursor,
      r.createdAt,
      r.updatedAt,
    );
}

/** Sets a rule's paused flag; false when there is no such rule. */
export function setUserAlertPaused(store: Store, id: string, paused: boolean, now: number): boolean {
  return (
    connection(store)
      .prepare('UPDATE user_alert_rules SET paused = ?, updated_at = ? WHERE id = ?')
      .run(paused ? 1 : 0, now, id).changes > 0
  );
}

/** Marks a `once` rule triggered. */
export function setUserAlertTriggered(store: Store, id: string, now: number): void {
  connection(store).prepare('UPDATE user_alert_rules SET triggered = 1, updated_at = ? WHERE id = ?').run(now, id);
}

/** Moves a rule's stored-bar cursor forward (never back). */
export function setUserAlertCursor(store: Store, id: string, time: number): void {
  connection(store)
    .prepare(
      'UPDATE user_alert_rules SET stored_cursor = ? WHERE id = ? AND (stored_cursor IS NULL OR stored_cursor < ?)',
    )
    .run(time, id, time);
}

/** Deletes a rule with its firing history (the alerts it raised stay in the journal). */
export function deleteUserAlertRule(store: Store, id: string): boolean {
  return connection(store).transaction(() => {
    connection(store).prepare('DELETE FROM user_alert_fires WHERE rule_id = ?').run(id);
    return connection(store).prepare('DELETE FROM user_alert_rules WHERE id = ?').run(id).changes > 0;
  })();
}

/** Records one firing. */
export function insertUserAlertFire(store: Store, f: UserAlertFire): void {
  connection(store)
    .prepare(
      'INSERT INTO user_alert_fires (rule_id, alert_id, ts, fired_at, symbol, value, source, book, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(
      f.ruleId,
      f.alertId,
      f.time,
      f.firedAt,
      f.symbol,
      Number.isFinite(f.value) ? f.value : null,
      f.source,
      f.book,
      f.message,
    );
}

/** A rule's firings, newest first. */
export function userAlertFires(store: Store, ruleId: string, limit: number): UserAlertFire[] {
  const rows = connection(store)
    .prepare(
      'SELECT rule_id ruleId, alert_id alertId, ts time, fired_at firedAt, symbol, value, source, book, message FROM user_alert_fires WHERE rule_id = ? ORDER BY seq DESC LIMIT ?',
    )
    .all(ruleId, limit) as (Omit<UserAlertFire, 'value'> & { value: number | null })[];
  return rows.map((r) => ({ ...r, value: r.value ?? Number.NaN }));
}

/** The last stored bar time of `symbol` (raw bars), or null. */
export function lastStoredBarTime(store: Store, symbol: string): number | null {
  const r = connection(store)
    .prepare('SELECT max(b.ts) t FROM bars b JOIN instruments i ON i.id = b.instrument_id WHERE i.symbol = ?')
    .get(symbol) as { t: number | null } | undefined;
  return r?.t ?? null;
}

/** Up to `limit` stored bars of `symbol` with `ts <= to`, the latest ones, ascending (warm-up of a rule). */
export function storedBarsBefore(store: Store, symbol: string, to: number, limit: number): number[][] {
  const rows = connection(store)
    .prepare(
      `SELECT ts, open, high, low, close, volume FROM bars b JOIN instruments i ON i.id = b.instrument_id
       WHERE i.symbol = ? AND b.ts <= ? ORDER BY b.ts DESC LIMIT ?`,
    )
    .raw()
    .all(symbol, to, limit) as number[][];
  return rows.reverse();
}

/** Stored bars of `symbol` with `ts > after`, ascending, at most `limit`. */
export function storedBarsAfter(store: Store, symbol: string, after: number, limit: number): number[][] {
  return connection(store)
    .prepare(
      `SELECT ts, open, high, low, close, volume FROM bars b JOIN instruments i ON i.id = b.instrument_id
       WHERE i.symbol = ? AND b.ts > ? ORDER BY b.ts LIMIT ?`,
    )
    .raw()
    .all(symbol, after, limit) as number[][];
}

// == alerts across books =======================================================================

function alertWhere(f: { book?: string; kind?: string; unacknowledged?: boolean }): [string, unknown[]] {
  const where: string[] = [];
  const args: unknown[] = [];
  if (f.book !== undefined) {
    where.push('session = ?');
    args.push(f.book);
  }
  if (f.kind !== undefined) {
    where.push('kind = ?');
    args.push(f.kind);
  }
  if (f.unacknowledged) where.push('acknowledged_at IS NULL');
  return [where.length ? `WHERE ${where.join(' AND ')}` : '', args];
}

/** Journaled alerts of every book, newest first, filtered by book (session), kind and acknowledgement. */
export function queryAlerts(
  store: Store,
  f: { book?: string; kind?: string; unacknowledged?: boolean; limit: number },
): DeskAlert[] {
  const [where, args] = alertWhere(f);
  return connection(store)
    .prepare(
      `SELECT id, session book, ts time, kind, severity, symbol, message, acknowledged_at acknowledgedAt FROM alerts ${where} ORDER BY seq DESC LIMIT ?`,
    )
    .all(...args, f.limit) as DeskAlert[];
}

/** Acknowledges every unacknowledged alert matching the filter at `time`; returns how many. */
export function ackAlerts(store: Store, f: { book?: string; kind?: string }, time: number): number {
  const [where, args] = alertWhere({ ...f, unacknowledged: true });
  return connection(store)
    .prepare(`UPDATE alerts SET acknowledged_at = ? ${where}`)
    .run(time, ...args).changes;
}

/** The books (sessions) and kinds that have alerts, for the filters. */
export function alertFacets(store: Store): { books: string[]; kinds: string[] } {
  return {
    books: connection(store).prepare('SELECT DISTINCT session FROM alerts ORDER BY session').pluck().all() as string[],
    kinds: connection(store).prepare('SELECT DISTINCT kind FROM alerts ORDER BY kind').pluck().all() as string[],
  };
}

// == watchlists ================================================================================

type ListRow = { id: string; name: string; symbols: string; columns: string; updated_at: number };
const toList = (r: ListRow): Watchlist => ({
  id: r.id,
  name: r.name,
  symbols: JSON.parse(r.symbols) as string[],
  columns: JSON.parse(r.columns) as DeskColumn[],
  updatedAt: r.updated_at,
});

/** Every watchlist in the user's order. */
export function listWatchlists(store: Store): Watchlist[] {
  return (connection(store).prepare('SELECT * FROM watchlists ORDER BY position, id').all() as ListRow[]).map(toList);
}

/** Inserts or replaces a watchlist (a new one goes last). */
export function saveWatchlist(store: Store, w: Omit<Watchlist, 'updatedAt'>, now: number): Watchlist {
  const pos =
    (connection(store).prepare('SELECT coalesce(max(position), -1) + 1 FROM watchlists').pluck().get() as number) ?? 0;
  connection(store)
    .prepare(
      `INSERT INTO watchlists (id, name, symbols, columns, position, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET name = excluded.name, symbols = excluded.symbols, columns = excluded.columns, updated_at = excluded.updated_at`,
    )
    .run(w.id, w.name, JSON.stringify(w.symbols), JSON.stringify(w.columns), pos, now);
  return { ...w, updatedAt: now };
}

/** Deletes a watchlist. */
export function deleteWatchlist(store: Store, id: string): boolean {
  return connection(store).prepare('DELETE FROM watchlists WHERE id = ?').run(id).changes > 0;
}

// == saved screens ===============================================================================

/** Every saved screen by name. */
export function listScreens(store: Store): SavedScreen[] {
  const rows = connection(store)
    .prepare('SELECT id, name, screen, updated_at FROM saved_screens ORDER BY name')
    .all() as { id: string; name: string; screen: string; updated_at: number }[];
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    screen: JSON.parse(r.screen) as ScreenDef,
    updatedAt: r.updated_at,
  }));
}

/** Saves a screen under `name` (replacing a screen of that name). */
export function saveScreen(store: Store, id: string, name: string, screen: ScreenDef, now: number): SavedScreen {
  connection(store)
    .prepare(
      `INSERT INTO saved_screens (id, name, screen, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET screen = excluded.screen, updated_at = excluded.updated_at`,
    )
    .run(id, name, JSON.stringify(screen), now);
  return listScreens(store).find((s) => s.name === name)!;
}

/** Deletes a saved screen. */
export function deleteScreen(store: Store, id: string): boolean {
  return connection(store).prepare('DELETE FROM saved_screens WHERE id = ?').run(id).changes > 0;
}

// == workspaces ===================================================================================

/** Every workspace by name. */
export function listWorkspaces(store: Store): Workspace[] {
  const rows = connection(store)
    .prepare('SELECT name, layout, windows, updated_at FROM workspaces ORDER BY name')
    .all() as { name: string; layout: string; windows: string; updated_at: number }[];
  return rows.map((r) => ({
    name: r.name,
    layout: JSON.parse(r.layout) as PaneLayout,
    windows: JSON.parse(r.windows) as string[],
    updatedAt: r.updated_at,
  }));
}

/** Saves (replaces) a workspace. */
export function saveWorkspace(store: Store, w: Omit<Workspace, 'updatedAt'>, now: number): Workspace {
  connection(store)
    .prepare(
      `INSERT INTO workspaces (name, layout, windows, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET layout = excluded.layout, windows = excluded.windows, updated_at = excluded.updated_at`,
    )
    .run(w.name, JSON.stringify(w.layout), JSON.stringify(w.windows), now);
  return { ...w, updatedAt: now };
}

/** Deletes a workspace. */
export function deleteWorkspace(store: Store, name: string): boolean {
  return connection(store).prepare('DELETE FROM workspaces WHERE name = ?').run(name).changes > 0;
}

// == column tables =================================================================================

/** The latest bar time at or before `asOf` among `symbols` (one index seek per symbol), or null when none has one. */
export function latestBarAtOrBefore(store: Store, symbols: readonly string[], asOf: number): number | null {
  const r = connection(store)
    .prepare(
      `SELECT max((SELECT max(b.ts) FROM bars b WHERE b.instrument_id = i.id AND b.ts <= ?)) t
       FROM instruments i WHERE i.symbol IN (SELECT value FROM json_each(?))`,
    )
    .get(asOf, JSON.stringify(symbols)) as { t: number | null } | undefined;
  return r?.t ?? null;
}
