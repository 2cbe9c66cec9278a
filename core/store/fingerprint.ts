import { createHash } from 'node:crypto';
import type { Store } from './sqlite-bar-store';

const cache = new WeakMap<Store, { stamp: string; fingerprint: string }>();

/**
 * A stable hash of the store's market data (instruments, bars, corporate actions, fundamentals,
 * universes): the log of imports that changed something plus each table's row count. It changes
 * when an import changes data and not otherwise (re-importing an identical file, or writing runs or
 * journal rows, leaves it as is). Two stores built by the same imports in the same order share it.
 * Cached per connection until SQLite reports a commit by any connection.
 */
export function dataFingerprint(store: Store): string {
  const db = store.db;
  // data_version moves on commits by other connections, total_changes on this one's.
  const stamp = `${db.pragma('data_version', { simple: true })}:${(db.prepare('SELECT total_changes()').pluck().get() as number)}`;
  const hit = cache.get(store);
  if (hit && hit.stamp === stamp) return hit.fingerprint;
  const h = createHash('sha256');
  for (const row of db.prepare('SELECT kind, sha256, changed FROM imports WHERE changed > 0 ORDER BY id').raw().iterate()) h.update(JSON.stringify(row));
  for (const t of ['instruments', 'bars', 'corporate_actions', 'fundamentals', 'universes']) {
    h.update(`${t}:${db.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number};`);
  }
  const fingerprint = h.digest('hex').slice(0, 32);
  cache.set(store, { stamp, fingerprint });
  return fingerprint;
}
