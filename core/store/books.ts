import type { Store } from './sqlite-bar-store';
import { connection } from './internal';

/** A book's stored row: its configuration (JSON as the desk wrote it) and whether it was left running. */
export interface DeskBookRow {
  readonly name: string;
  readonly config: unknown;
  readonly state: 'running' | 'stopped';
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** Every book of the desk, oldest first (the order the desk shows them in). */
export function listDeskBooks(store: Store): DeskBookRow[] {
  const rows = connection(store)
    .prepare(
      'SELECT name, config, state, created_at AS createdAt, updated_at AS updatedAt FROM desk_books ORDER BY created_at, name',
    )
    .all() as {
    name: string;
    config: string;
    state: 'running' | 'stopped';
    createdAt: number;
    updatedAt: number;
  }[];
  return rows.map((r) => ({ ...r, config: JSON.parse(r.config) as unknown }));
}

/** Creates or replaces book `name` with `config` (kept as JSON) in `state`; keeps its creation time. */
export function saveDeskBook(
  store: Store,
  name: string,
  config: unknown,
  state: 'running' | 'stopped',
  now = Date.now(),
): void {
  connection(store)
    .prepare(
      `INSERT INTO desk_books (name, config, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET config = excluded.config, state = excluded.state, updated_at = excluded.updated_at`,
    )
    .run(name, JSON.stringify(config), state, now, now);
}

/** Records whether book `name` runs; false when there is no such book. */
export function setDeskBookState(store: Store, name: string, state: 'running' | 'stopped', now = Date.now()): boolean {
  return (
    connection(store).prepare('UPDATE desk_books SET state = ?, updated_at = ? WHERE name = ?').run(state, now, name)
      .changes > 0
  );
}

/** Removes book `name` from the desk (its journal stays); false when there is no such book. */
export function deleteDeskBook(store: Store, name: string): boolean {
  return connection(store).prepare('DELETE FROM desk_books WHERE name = ?').run(name).changes > 0;
}

/** A desk-wide value (desk limits, the desk kill switch), or undefined. */
export function getDeskState<T>(store: Store, key: string): T | undefined {
  const v = connection(store).prepare('SELECT value FROM desk_state WHERE key = ?').pluck().get(key) as
    string | undefined;
  return v === undefined ? undefined : (JSON.parse(v) as T);
}

/** Writes a desk-wide value. */
export function setDeskState(store: Store, key: string, value: unknown): void {
  connection(store)
    .prepare('INSERT INTO desk_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
    .run(key, JSON.stringify(value));
}

/** Sector of each symbol in `symbols` as the instruments table names it ('' when unknown). */
export function sectorsOf(store: Store, symbols: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  const q = connection(store).prepare('SELECT sector FROM instruments WHERE symbol = ?').pluck();
  for (const s of symbols) out.set(s, ((q.get(s) as string | undefined) ?? '') || '');
  return out;
}
