import type { ScreenDef, ScreenFilter, ScreenResult } from '../model/desk';
import { universeAsOf } from '../store/queries';
import type { Store } from '../store/sqlite-bar-store';
import { columnTable, type ColumnOptions } from './columns';

/** Whether `v` passes filter `f` (an unknown value never passes). */
export function passes(f: ScreenFilter, v: number | null): boolean {
  if (v === null || !Number.isFinite(v)) return false;
  const lo = Math.min(f.value, f.value2 ?? f.value);
  const hi = Math.max(f.value, f.value2 ?? f.value);
  switch (f.op) {
    case '>':
      return v > f.value;
    case '>=':
      return v >= f.value;
    case '<':
      return v < f.value;
    case '<=':
      return v <= f.value;
    case 'between':
      return v >= lo && v <= hi;
    case 'outside':
      return v < lo || v > hi;
  }
}

/**
 * Runs a screen: the universe at the date (instruments listed then, delisted ones included before their
 * delisting, or a named universe's members known then), the columns as of the date (bars up to it,
 * fundamentals known by it: see `columnTable`), the rows passing every filter, ranked by the rank column
 * (unknown values last), at most `limit`. `now` is the wall clock used when the screen has no date. User-feature
 * columns run on `opts.pool` (see `columnTable`).
 */
export async function runScreen(
  store: Store,
  def: ScreenDef,
  now: number = Date.now(),
  opts: ColumnOptions = {},
): Promise<ScreenResult> {
  const asOf = def.asOf ?? now;
  const universe = universeAsOf(store, asOf, def.universe);
  const table = await columnTable(store, universe, def.columns, asOf, def.asOf === null, opts);
  let rows = table.symbols
    .map((_, i) => i)
    .filter((i) => def.filters.every((f) => passes(f, table.values[i][f.column])));
  if (def.rank) {
    const { column, order } = def.rank;
    const sign = order === 'desc' ? -1 : 1;
    rows = rows.sort((a, b) => {
      const x = table.values[a][column];
      const y = table.values[b][column];
      if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
      return sign * (x - y) || table.symbols[a].localeCompare(table.symbols[b]);
    });
  }
  rows = rows.slice(0, def.limit);
  return {
    asOf,
    labels: table.labels,
    universeSize: universe.length,
    symbols: rows.map((i) => table.symbols[i]),
    values: rows.map((i) => table.values[i]),
    barTime: rows.map((i) => table.barTime[i]),
  };
}
