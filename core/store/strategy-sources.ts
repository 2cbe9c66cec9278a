import type { Store } from './sqlite-bar-store';
import { connection } from './internal';

/** A stored strategy source. */
export interface StoredSource {
  readonly hash: string;
  readonly name: string;
  readonly file: string;
  readonly source: string;
  readonly createdAt: number;
}

/** One version of a stored user strategy. */
export interface StrategyVersion {
  readonly name: string;
  readonly version: number;
  readonly hash: string;
  readonly addedAt: number;
}

/** Keeps a source by its hash (a no-op when it is already there). */
export function saveSource(
  store: Store,
  s: { hash: string; name: string; file: string; source: string },
  now = Date.now(),
): void {
  connection(store)
    .prepare('INSERT OR IGNORE INTO strategy_sources (hash, name, file, source, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(s.hash, s.name, s.file, s.source, now);
}

/** The source with `hash`, or undefined. */
export function getSource(store: Store, hash: string): StoredSource | undefined {
  return connection(store)
    .prepare('SELECT hash, name, file, source, created_at AS createdAt FROM strategy_sources WHERE hash = ?')
    .get(hash) as StoredSource | undefined;
}

/** The tables of versioned user code by name (sources in `strategy_sources` by hash): strategies and features. */
export type UserCodeTable = 'user_strategies' | 'user_features';

/**
 * Stores `s` as the newest version of `s.name` in `table` (unless the newest already has this source); returns
 * the version now current and whether it is new. One transaction: a kill leaves all or nothing.
 */
export function addUserVersion(
  store: Store,
  table: UserCodeTable,
  s: { hash: string; name: string; file: string; source: string },
  now = Date.now(),
): { version: number; added: boolean } {
  const db = connection(store);
  return db.transaction(() => {
    saveSource(store, s, now);
    const last = db
      .prepare(`SELECT version, hash FROM ${table} WHERE name = ? ORDER BY version DESC LIMIT 1`)
      .get(s.name) as { version: number; hash: string } | undefined;
    if (last && last.hash === s.hash) return { version: last.version, added: false };
    const version = (last?.version ?? 0) + 1;
    db.prepare(`INSERT INTO ${table} (name, version, hash, added_at) VALUES (?, ?, ?, ?)`).run(
      s.name,
      version,
      s.hash,
      now,
    );
    return { version, added: true };
  })();
}

/** The newest version of every name in `table`, by name. */
export function latestUserVersions(store: Store, table: UserCodeTable): StrategyVersion[] {
  return connection(store)
    .prepare(
      `SELECT u.name, u.version, u.hash, u.added_at AS addedAt FROM ${table} u
       WHERE u.version = (SELECT max(version) FROM ${table} WHERE name = u.name) ORDER BY u.name`,
    )
    .all() as StrategyVersion[];
}

/**
 * Stores `s` as the newest version of user strategy `s.name` (unless the newest already has this
 * source); returns the version now current and whether it is new.
 */
export function addUserStrategy(
  store: Store,
  s: { hash: string; name: string; file: string; source: string },
  now = Date.now(),
): { version: number; added: boolean } {
  return addUserVersion(store, 'user_strategies', s, now);
}

/** The newest version of every stored user strategy, by name. */
export function listUserStrategies(store: Store): StrategyVersion[] {
  return latestUserVersions(store, 'user_strategies');
}

/** Every version of user strategy `name`, newest first. */
export function strategyVersions(store: Store, name: string): StrategyVersion[] {
  return connection(store)
    .prepare(
      'SELECT name, version, hash, added_at AS addedAt FROM user_strategies WHERE name = ? ORDER BY version DESC',
    )
    .all(name) as StrategyVersion[];
}

/** The source of the newest version of user strategy `name`, or undefined. */
export function latestUserSource(store: Store, name: string): StoredSource | undefined {
  const v = strategyVersions(store, name)[0];
  return v ? getSource(store, v.hash) : undefined;
}

/** Records that run `runId` ran source `hash` (kept in `strategy_sources`). */
export function recordRunSource(
  store: Store,
  runId: string,
  s: { hash: string; name: string; file: string; source: string },
): void {
  const db = connection(store);
  db.transaction(() => {
    saveSource(store, s);
    db.prepare('INSERT OR REPLACE INTO run_strategy_sources (run_id, hash) VALUES (?, ?)').run(runId, s.hash);
  })();
}

/** The source run `runId` ran, or undefined (a built-in, or a run from before sources were kept). */
export function runSource(store: Store, runId: string): StoredSource | undefined {
  const row = connection(store).prepare('SELECT hash FROM run_strategy_sources WHERE run_id = ?').get(runId) as
    { hash: string } | undefined;
  return row ? getSource(store, row.hash) : undefined;
}
