import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** Number of instruments in the store (listed or not). */
export function countInstruments(store: Store): number {
  return connection(store).prepare('SELECT count(*) FROM instruments').pluck().get() as number;
}

/** Number of bar rows in the store, all instruments. */
export function countBars(store: Store): number {
  return connection(store).prepare('SELECT count(*) FROM bars').pluck().get() as number;
}

/** Number of distinct import sources (file names) that start with `prefix` (a LIKE pattern: `_` matches any character). */
export function countImportSources(store: Store, prefix: string): number {
  return connection(store)
    .prepare('SELECT count(DISTINCT source) FROM imports WHERE source LIKE ?')
    .pluck()
    .get(`${prefix}%`) as number;
}

/**
 * Records an import that changed nothing (its rows were already present), so a dataset made of several
 * files counts as complete. Does not touch the data fingerprint: nothing changed.
 */
export function recordUnchangedImport(
  store: Store,
  kind: string,
  source: string,
  sha256: string,
  rows: number,
  importedAt = Date.now(),
): void {
  connection(store)
    .prepare('INSERT INTO imports(kind, source, sha256, rows, changed, imported_at) VALUES (?, ?, ?, ?, 0, ?)')
    .run(kind, source, sha256, rows, importedAt);
}
