import type { Statement } from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { Db, Store } from './sqlite-bar-store';
import { connection } from './internal';

/** The market-data tables: every write to them moves the fingerprint (migration 3's triggers). */
export const MARKET_TABLES: readonly string[] = [
  'instruments',
  'bars',
  'corporate_actions',
  'fundamentals',
  'universes',
];

const cache = new WeakMap<Store, { stamp: string; fingerprint: string }>();
// The prepared read per connection (absent while a read-only connection sees a store not yet migrated).
const statements = new WeakMap<Store, Statement>();

/**
 * A stable hash of the store's market data (instruments, bars, corporate actions, fundamentals,
 * universes), read from the `meta` table in one primary-key lookup: the hash chain of the imports that
 * changed data plus the count of row writes to market tables (kept by triggers, so a write that
 * bypasses the import service still shows). It changes when data changes and not otherwise
 * (re-importing an identical file, or writing runs or journal rows, leaves it as is). Two stores
 * built by the same writes in the same order share it. 32 hex characters.
 */
export function dataFingerprint(store: Store): string {
  let row: [string | null, number] | undefined;
  let read = statements.get(store);
  if (read === undefined && store.schemaVersion >= 3)
    statements.set(
      store,
      (read = connection(store).prepare("SELECT value, changes FROM meta WHERE key = 'data'").raw()),
    );
  if (read) row = read.get() as [string | null, number] | undefined;
  // A read-only connection to a store not yet migrated: what migration 3 will seed.
  else row = [null, connection(store).prepare('SELECT coalesce(sum(changed), 0) FROM imports').pluck().get() as number];
  if (row === undefined) throw new Error(`${store.path}: no data fingerprint row in the meta table`);
  let chain = row[0];
  if (chain === null) {
    // A store migrated from schema 2: rebuild the chain from the imports log (what importCsv would have written).
    chain = chainFromLog(connection(store));
    if (!store.readonly)
      connection(store).prepare("UPDATE meta SET value = ? WHERE key = 'data' AND value IS NULL").run(chain);
  }
  const stamp = `${chain}:${row[1]}`;
  const hit = cache.get(store);
  if (hit && hit.stamp === stamp) return hit.fingerprint;
  const fingerprint = createHash('sha256').update(stamp).digest('hex').slice(0, 32);
  cache.set(store, { stamp, fingerprint });
  return fingerprint;
}

function link(prev: string, kind: string, sha256: string, changed: number): string {
  return createHash('sha256')
    .update(`${prev}\n${JSON.stringify([kind, sha256, changed])}`)
    .digest('hex');
}

function chainFromLog(db: Db): string {
  let chain = '';
  for (const r of db
    .prepare('SELECT kind, sha256, changed FROM imports WHERE changed > 0 ORDER BY id')
    .raw()
    .iterate()) {
    const [kind, sha, changed] = r as [string, string, number];
    chain = link(chain, kind, sha, changed);
  }
  return chain;
}

/**
 * Records an import that changed `changed` rows in the fingerprint's chain. Call it inside the same
 * transaction as the writes and after inserting the import's row in `imports`.
 */
export function recordImport(db: Db, kind: string, sha256: string, changed: number): void {
  const prev = db.prepare("SELECT value FROM meta WHERE key = 'data'").pluck().get() as string | null;
  // A NULL chain (migrated store) already counts this import once rebuilt from the log.
  if (prev === null) return;
  db.prepare("UPDATE meta SET value = ? WHERE key = 'data'").run(link(prev, kind, sha256, changed));
}

/**
 * Runs `write` (a bulk write to `table`, inside the caller's transaction) with the table's change
 * triggers dropped, then restores them and adds the row changes `write` returns to the counter, as
 * the triggers would have (they cost ~65% more CPU per inserted row). Returns what `write` returns.
 */
export function withoutChangeTriggers(db: Db, table: string, write: () => number): number {
  if (!db.inTransaction) throw new Error('withoutChangeTriggers: call it inside a transaction');
  const triggers = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name LIKE 'data\\_%' ESCAPE '\\'",
    )
    .all(table) as { name: string; sql: string }[];
  for (const t of triggers) db.exec(`DROP TRIGGER "${t.name}"`);
  const changed = write();
  for (const t of triggers) db.exec(t.sql);
  db.prepare("UPDATE meta SET changes = changes + ? WHERE key = 'data'").run(changed);
  return changed;
}
