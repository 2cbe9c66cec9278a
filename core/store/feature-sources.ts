import type { Store } from './sqlite-bar-store';
import { connection } from './internal';
import { saveSource, type StrategyVersion } from './strategy-sources';

/** One version of a stored user feature (its source is kept in `strategy_sources` by hash). */
export type FeatureVersion = StrategyVersion;

/**
 * Stores `s` as the newest version of user feature `s.name` (unless the newest already has this source);
 * returns the version now current and whether it is new. One transaction: a kill leaves all or nothing.
 */
export function addUserFeature(
  store: Store,
  s: { hash: string; name: string; file: string; source: string },
  now = Date.now(),
): { version: number; added: boolean } {
  const db = connection(store);
  return db.transaction(() => {
    saveSource(store, s, now);
    const last = db
      .prepare('SELECT version, hash FROM user_features WHERE name = ? ORDER BY version DESC LIMIT 1')
      .get(s.name) as { version: number; hash: string } | undefined;
    if (last && last.hash === s.hash) return { version: last.version, added: false };
    const version = (last?.version ?? 0) + 1;
    db.prepare('INSERT INTO user_features (name, version, hash, added_at) VALUES (?, ?, ?, ?)').run(
      s.name,
      version,
      s.hash,
      now,
    );
    return { version, added: true };
  })();
}

/** The newest version of every stored user feature, by name. */
export function listUserFeatures(store: Store): FeatureVersion[] {
  return connection(store)
    .prepare(
      `SELECT u.name, u.version, u.hash, u.added_at AS addedAt FROM user_features u
       WHERE u.version = (SELECT max(version) FROM user_features WHERE name = u.name) ORDER BY u.name`,
    )
    .all() as FeatureVersion[];
}

/** The newest version of user feature `name`, or undefined. */
export function latestUserFeature(store: Store, name: string): FeatureVersion | undefined {
  return connection(store)
    .prepare(
      'SELECT name, version, hash, added_at AS addedAt FROM user_features WHERE name = ? ORDER BY version DESC LIMIT 1',
    )
    .get(name) as FeatureVersion | undefined;
}
