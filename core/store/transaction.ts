import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/**
 * Runs `fn` in one SQLite transaction on `store` (nested calls join the outer one): every write the
 * named store functions make inside it commits together or not at all, which is what makes kill -9 safe.
 */
export function inTransaction<T>(store: Store, fn: () => T): T {
  const db = connection(store);
  if (db.inTransaction) return fn();
  return db.transaction(fn)();
}
