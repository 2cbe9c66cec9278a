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

/**
 * Stores `s` as the newest version of user strategy `s.name` (unless the newest already has this
 * source); returns the version now current and whether it is new.
 */
export function addUserStrategy(
  store: Store,
  s: { hash: string; name: string; file: string; source: string },
  now = Date.now(),
): { version: number; added: boolean } {
  const db = connection(store);
  return db.transaction(() => {
    saveSource(store, s, now);
    const last = db
      .prepare('SELECT version, hash FROM user_strategies WHERE name = ? ORDER BY version DESC LIMIT 1')
      .get(s.name) as { version: number; hash: string } | undefined;
    if (last && last.hash === s.hash) return { version: last.version, added: false };
    const version = (last?.version ?? 0) + 1;
    db.prepare('INSERT INTO user_strategies (name, version, hash, added_at) VALUES (?, ?, ?, ?)').run(
      s.name,
      version,
      s.hash,
      now,
    );
    return { version, added: true };
  })();
}

/** The newest version of every stored user strategy, by name. */
export function listUserStrategies(store: Store): StrategyVersion[] {
  return connection(store)
    .prepare(
      `SELECT u.name, u.version, u.hash, u.added_at AS addedAt FROM user_strategies u
       WHERE u.version = (SELECT max(version) FROM user_strategies WHERE name = u.name) ORDER BY u.name`,
    )
    .all() as StrategyVersion[];
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
