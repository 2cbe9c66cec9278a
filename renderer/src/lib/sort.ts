/** Sort direction of a table column. */
export type SortDir = 'asc' | 'desc';

/** A table's sort state: which column, which way. */
export interface SortState<K extends string = string> {
  readonly key: K;
  readonly dir: SortDir;
}

/** Clicking a header: a new column sorts descending first (best figures on top); the same column flips. */
export function nextSort<K extends string>(cur: SortState<K> | null, key: K): SortState<K> {
  if (!cur || cur.key !== key) return { key, dir: 'desc' };
  return { key, dir: cur.dir === 'desc' ? 'asc' : 'desc' };
}

/**
 * A sorted copy of `rows` by the value `get` reads. Numbers compare numerically, strings by locale;
 * missing and NaN values always go last whatever the direction. Stable for equal values.
 */
export function sortRows<T>(
  rows: readonly T[],
  get: (row: T) => number | string | null | undefined,
  dir: SortDir,
): T[] {
  const sign = dir === 'asc' ? 1 : -1;
  const idx = rows.map((r, i) => ({ r, i, v: get(r) }));
  const missing = (v: unknown) => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
  idx.sort((a, b) => {
    const ma = missing(a.v);
    const mb = missing(b.v);
    if (ma || mb) return ma === mb ? a.i - b.i : ma ? 1 : -1;
    const c = typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v));
    return c === 0 ? a.i - b.i : c * sign;
  });
  return idx.map((x) => x.r);
}
