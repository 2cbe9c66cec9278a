import { dataFingerprint } from './fingerprint';
import type { Store } from './sqlite-bar-store';
import { connection } from './internal';

/** One field for many instruments as known at a date. Arrays are parallel to `symbols`; NaN when nothing was known. */
export interface CrossSection {
  readonly field: string;
  readonly asOf: number;
  readonly symbols: readonly string[];
  readonly instrumentIds: Int32Array;
  readonly value: Float64Array;
  readonly periodEnd: Float64Array;
  readonly knownAt: Float64Array;
}

/**
 * Per instrument, the answer of "as of D" as a step function of D: entry j holds from `t[j]` until
 * `t[j + 1]`. Built once per (field, data fingerprint) so a query is one binary search per instrument.
 */
interface Timeline {
  readonly fp: string;
  readonly start: Int32Array; // by instrument id
  readonly end: Int32Array;
  readonly t: Float64Array;
  readonly value: Float64Array;
  readonly period: Float64Array;
  readonly known: Float64Array;
}

interface Catalog {
  readonly fp: string;
  readonly symbols: string[];
  readonly ids: Int32Array;
  readonly bySymbol: Map<string, number>;
  readonly symbolById: Map<number, string>;
  readonly timelines: Map<string, Timeline>;
}

const catalogs = new WeakMap<Store, Catalog>();

function catalog(store: Store): Catalog {
  const fp = dataFingerprint(store);
  const hit = catalogs.get(store);
  if (hit && hit.fp === fp) return hit;
  const rows = connection(store).prepare('SELECT id, symbol FROM instruments ORDER BY symbol').raw().all() as [
    number,
    string,
  ][];
  const c: Catalog = {
    fp,
    symbols: rows.map((r) => r[1]),
    ids: Int32Array.from(rows.map((r) => r[0])),
    bySymbol: new Map(rows.map((r) => [r[1], r[0]])),
    symbolById: new Map(rows.map((r) => [r[0], r[1]])),
    timelines: new Map(),
  };
  catalogs.set(store, c);
  return c;
}

function timeline(store: Store, c: Catalog, field: string): Timeline {
  const hit = c.timelines.get(field);
  if (hit) return hit;
  const rows = connection(store)
    .prepare(
      'SELECT instrument_id, known_at, period_end, value FROM fundamentals WHERE field = ? ORDER BY instrument_id, known_at, period_end',
    )
    .raw()
    .all(field) as [number, number, number, number][];
  let maxId = 0;
  for (const id of c.ids) maxId = Math.max(maxId, id);
  const start = new Int32Array(maxId + 1);
  const end = new Int32Array(maxId + 1);
  const t = new Float64Array(rows.length);
  const value = new Float64Array(rows.length);
  const period = new Float64Array(rows.length);
  const known = new Float64Array(rows.length);
  let n = 0;
  let cur = -1;
  let bestPeriod = -Infinity;
  for (const [id, k, p, v] of rows) {
    if (id !== cur) {
      if (cur >= 0 && cur <= maxId) end[cur] = n;
      cur = id;
      if (id <= maxId) start[id] = n;
      bestPeriod = -Infinity;
    }
    // Rows arrive by known_at: a row becomes the answer when its period is at least as recent as the
    // current one (the same period known later is a restatement and replaces it).
    if (p < bestPeriod) continue;
    bestPeriod = p;
    if (n > 0 && t[n - 1] === k && n > start[id]) n--;
    t[n] = k;
    value[n] = v;
    period[n] = p;
    known[n] = k;
    n++;
  }
  if (cur >= 0 && cur <= maxId) end[cur] = n;
  const tl = { fp: c.fp, start, end, t, value, period, known };
  c.timelines.set(field, tl);
  return tl;
}

/**
 * `field` for every instrument (or those given, by id or symbol; unknown ones get NaN) as known at
 * `asOf`: the latest period_end among rows with `known_at <= asOf`, in its latest version known then
 * (same rule as `fundamentalAsOf`). The first call per field and data fingerprint builds an index
 * (tens of ms); later calls are a binary search per instrument (~2,000 instruments well under 2 ms).
 */
export function crossSectionAsOf(
  store: Store,
  field: string,
  asOf: number,
  instruments?: readonly number[] | readonly string[],
): CrossSection {
  const c = catalog(store);
  const tl = timeline(store, c, field);
  let ids: Int32Array;
  let symbols: readonly string[];
  if (instruments === undefined) {
    ids = c.ids;
    symbols = c.symbols;
  } else {
    ids = new Int32Array(instruments.length);
    const names: string[] = [];
    for (let i = 0; i < instruments.length; i++) {
      const x = instruments[i];
      const id = typeof x === 'number' ? x : (c.bySymbol.get(x) ?? -1);
      ids[i] = id;
      names.push(typeof x === 'string' ? x : (c.symbolById.get(x) ?? ''));
    }
    symbols = names;
  }
  const n = ids.length;
  const value = new Float64Array(n).fill(Number.NaN);
  const periodEnd = new Float64Array(n).fill(Number.NaN);
  const knownAt = new Float64Array(n).fill(Number.NaN);
  const { start, end, t } = tl;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (id < 0 || id >= start.length) continue;
    let lo = start[id];
    let hi = end[id];
    // Last entry with t <= asOf.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid] <= asOf) lo = mid + 1;
      else hi = mid;
    }
    const j = lo - 1;
    if (j < start[id]) continue;
    value[i] = tl.value[j];
    periodEnd[i] = tl.period[j];
    knownAt[i] = tl.known[j];
  }
  return { field, asOf, symbols, instrumentIds: ids, value, periodEnd, knownAt };
}
