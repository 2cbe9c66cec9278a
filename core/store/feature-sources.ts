import type { Store } from './sqlite-bar-store';
import { connection } from './internal';
import { addUserVersion, latestUserVersions, type StrategyVersion } from './strategy-sources';

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
  return addUserVersion(store, 'user_features', s, now);
}

/** The newest version of every stored user feature, by name. */
export function listUserFeatures(store: Store): FeatureVersion[] {
  return latestUserVersions(store, 'user_features');
}

/** The newest version of user feature `name`, or undefined. */
export function latestUserFeature(store: Store, name: string): FeatureVersion | undefined {
  return connection(store)
    .prepare(
      'SELECT name, version, hash, added_at AS addedAt FROM user_features WHERE name = ? ORDER BY version DESC LIMIT 1',
    )
    .get(name) as FeatureVersion | undefined;
}
