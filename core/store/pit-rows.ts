import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** Every instrument's id and symbol (unordered). */
export function instrumentSymbols(store: Store): { id: number; symbol: string }[] {
  return connection(store).prepare('SELECT id, symbol FROM instruments').all() as { id: number; symbol: string }[];
}

/**
 * A reader of one instrument's stored versions of a fundamental field as `[period_end, known_at, value]` rows,
 * in key order (period_end, known_at). One primary-key range read per call: (instrument_id, field) is the key's
 * prefix, so each read is contiguous; several times faster than the field index, which needs a key lookup per row.
 */
export function fundamentalRowsReader(store: Store): (instrumentId: number, field: string) => number[][] {
  const q = connection(store)
    .prepare('SELECT period_end, known_at, value FROM fundamentals WHERE instrument_id = ? AND field = ?')
    .raw(true);
  return (instrumentId, field) => q.all(instrumentId, field) as number[][];
}

/** Every membership row of universe `name` as `[instrument_id, valid_from, valid_to | null, known_at]`, by instrument then known_at. */
export function universeRows(store: Store, name: string): [number, number, number | null, number][] {
  return connection(store)
    .prepare(
      'SELECT instrument_id, valid_from, valid_to, known_at FROM universes WHERE name = ? ORDER BY instrument_id, known_at',
    )
    .raw(true)
    .all(name) as [number, number, number | null, number][];
}

/** The symbols universe `name` ever held (any membership row, whenever known), sorted; empty for an unknown name. */
export function universeSymbols(store: Store, name: string): string[] {
  return connection(store)
    .prepare(
      'SELECT DISTINCT i.symbol FROM universes u JOIN instruments i ON i.id = u.instrument_id WHERE u.name = ? ORDER BY i.symbol',
    )
    .pluck()
    .all(name) as string[];
}

/** Universe `name`'s membership rows by symbol: `[valid_from, valid_to | null, known_at]`, by known_at. */
export function universeRowsBySymbol(store: Store, name: string): Map<string, [number, number | null, number][]> {
  const out = new Map<string, [number, number | null, number][]>();
  const rows = connection(store)
    .prepare(
      'SELECT i.symbol, u.valid_from, u.valid_to, u.known_at FROM universes u JOIN instruments i ON i.id = u.instrument_id WHERE u.name = ? ORDER BY i.symbol, u.known_at',
    )
    .raw(true)
    .all(name) as [string, number, number | null, number][];
  for (const [s, from, to, known] of rows) {
    const list = out.get(s) ?? [];
    list.push([from, to, known]);
    out.set(s, list);
  }
  return out;
}
