import type { Db, Store } from './sqlite-bar-store';

/**
 * The store's one door to its SQLite connection. Only modules under `core/store/` (and tests, for fixtures)
 * import this file; ESLint's `no-restricted-imports` refuses it anywhere else, so every query outside the
 * store goes through a named function in `core/store/*`.
 */
let read: ((store: Store) => Db) | undefined;

/** The raw better-sqlite3 handle behind `store`. Store-internal: see the file's comment. */
export function connection(store: Store): Db {
  if (read === undefined) throw new Error('core/store/internal: the Store class is not loaded');
  return read(store);
}

/** Called once, by the `Store` class's static block, to hand over the private field's reader. */
export function bindConnection(reader: (store: Store) => Db): void {
  read = reader;
}
