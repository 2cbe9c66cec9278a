import type { ImportKind } from './import';
import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/**
 * The store's rows of an import kind in the lake's layout (symbols instead of instrument ids; PIT columns as
 * stored, times in epoch ms). Column order is fixed per kind:
 * - instruments: symbol, name, sector, currency, listed_on, delisted_on (by symbol)
 * - bars: symbol, ts, open, high, low, close, volume
 * - actions: symbol, kind, ex_date, value, known_at
 * - fundamentals: symbol, field, period_end, value, known_at
 */
const EXPORT_SELECTS: Readonly<Record<ImportKind, string>> = {
  instruments: 'SELECT symbol, name, sector, currency, listed_on, delisted_on FROM instruments ORDER BY symbol',
  bars: 'SELECT i.symbol, b.ts, b.open, b.high, b.low, b.close, b.volume FROM instruments i CROSS JOIN bars b ON b.instrument_id = i.id',
  actions:
    'SELECT i.symbol, a.kind, a.ex_date, a.value, a.known_at FROM corporate_actions a JOIN instruments i ON i.id = a.instrument_id',
  fundamentals:
    'SELECT i.symbol, f.field, f.period_end, f.value, f.known_at FROM fundamentals f JOIN instruments i ON i.id = f.instrument_id',
};

/** Streams the rows of `kind` as arrays (see the column orders above), without holding them. */
export function exportRows(store: Store, kind: ImportKind): Iterable<unknown[]> {
  return connection(store).prepare(EXPORT_SELECTS[kind]).raw(true).iterate() as Iterable<unknown[]>;
}

/** The store's own tables (not SQLite's), unordered. */
export function listTables(store: Store): string[] {
  return connection(store)
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
}

/** A table's columns and declared SQLite types, in table order. `table` must come from {@link listTables}. */
export function tableColumns(store: Store, table: string): { name: string; type: string }[] {
  return connection(store)
    .prepare(`PRAGMA table_info(${quoteIdent(table)})`)
    .all() as { name: string; type: string }[];
}

/** Streams every row of `table` as arrays of `columns` (in that order). Names must come from {@link listTables} / {@link tableColumns}. */
export function tableRows(store: Store, table: string, columns: readonly string[]): Iterable<unknown[]> {
  return connection(store)
    .prepare(`SELECT ${columns.map(quoteIdent).join(', ')} FROM ${quoteIdent(table)}`)
    .raw(true)
    .iterate() as Iterable<unknown[]>;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
