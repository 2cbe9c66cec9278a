import { dataFingerprint } from '../store/fingerprint';
import type { Store } from '../store/sqlite-bar-store';
import { pitFieldCacheFile, readPitFieldFile, writePitFieldFile } from './pit-facts-cache';
import { fundamentalRowsReader, instrumentSymbols, universeRows } from '../store/pit-rows';

/**
 * One fundamental field for every instrument of a panel, as a point-in-time timeline in CSR layout:
 * instrument `s` owns rows `offsets[s] .. offsets[s+1]-1`, sorted by `knownAt`. Row `r` is the value a
 * reader sees from `knownAt[r]` on: the latest period known then (and, for that period, its latest
 * version). So "the value as of D" is one binary search: the last row with `knownAt <= D`.
 */
export interface PitField {
  readonly field: string;
  readonly offsets: Int32Array;
  readonly knownAt: Float64Array;
  readonly periodEnd: Float64Array;
  readonly value: Float64Array;
}

/**
 * Point-in-time index membership per instrument of a panel (CSR like {@link PitField}): a row says
 * the instrument is a member over `[validFrom, validTo)` (`validTo` NaN = open), a fact public from `knownAt`.
 */
export interface PitUniverse {
  readonly name: string;
  readonly offsets: Int32Array;
  readonly validFrom: Float64Array;
  readonly validTo: Float64Array;
  readonly knownAt: Float64Array;
}

/** Facts a cross-section reads beside the panel's bars. */
export interface PitFacts {
  readonly fields: ReadonlyMap<string, PitField>;
  /** Named PIT universe, or null to use every panel instrument within its listing window. */
  readonly universe: PitUniverse | null;
}

/** A raw fundamentals row, as stored: `(symbol index, period_end, known_at, value)`. */
export interface FundamentalRow {
  readonly inst: number;
  readonly periodEnd: number;
  readonly knownAt: number;
  readonly value: number;
}

/** Growable columns a {@link PitField} is built into. */
class FieldBuilder {
  readonly offsets: Int32Array;
  knownAt: number[] = [];
  periodEnd: number[] = [];
  value: number[] = [];
  constructor(nInst: number) {
    this.offsets = new Int32Array(nInst + 1);
  }
  /**
   * Appends instrument `s`'s rows, which must come sorted by (knownAt, periodEnd): each row replayed in
   * turn, the visible value is the one of the latest `periodEnd` seen so far, its latest version winning.
   */
  add(s: number, n: number, pe: (k: number) => number, ka: (k: number) => number, v: (k: number) => number): void {
    this.offsets[s] = this.knownAt.length;
    let bestPeriod = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < n; k++) {
      const period = pe(k);
      if (period < bestPeriod) continue; // an older period's late revision: not what "latest" shows
      bestPeriod = period;
      const last = this.knownAt.length - 1;
      if (last >= this.offsets[s] && this.knownAt[last] === ka(k)) {
        this.periodEnd[last] = period; // same instant: the later period (rows sorted) wins
        this.value[last] = v(k);
      } else {
        this.knownAt.push(ka(k));
        this.periodEnd.push(period);
        this.value.push(v(k));
      }
    }
    this.offsets[s + 1] = this.knownAt.length;
  }
  build(field: string): PitField {
    return {
      field,
      offsets: this.offsets,
      knownAt: Float64Array.from(this.knownAt),
      periodEnd: Float64Array.from(this.periodEnd),
      value: Float64Array.from(this.value),
    };
  }
}

/**
 * Builds a {@link PitField} from raw versioned rows (any order). Rows of one instrument are replayed in
 * `knownAt` order; after each, the visible value is the one of the latest `periodEnd` seen so far, the
 * latest version of it winning. A late revision of an old period therefore changes nothing visible.
 */
export function buildPitField(field: string, nInst: number, rows: readonly FundamentalRow[]): PitField {
  for (const r of rows)
    if (!(r.inst >= 0 && r.inst < nInst))
      throw new Error(`fundamental rows reference instruments outside 0..${nInst - 1}`);
  const sorted = [...rows].sort((a, b) => a.inst - b.inst || a.knownAt - b.knownAt || a.periodEnd - b.periodEnd);
  const b = new FieldBuilder(nInst);
  let r = 0;
  for (let s = 0; s < nInst; s++) {
    const from = r;
    while (r < sorted.length && sorted[r].inst === s) r++;
    b.add(
      s,
      r - from,
      (k) => sorted[from + k].periodEnd,
      (k) => sorted[from + k].knownAt,
      (k) => sorted[from + k].value,
    );
  }
  return b.build(field);
}

/**
 * Index of the row of instrument `s` visible at `date` (last `knownAt <= date`), or -1 if none.
 * Binary search; no allocation.
 */
export function pitRowAt(f: PitField, s: number, date: number): number {
  let lo = f.offsets[s];
  let hi = f.offsets[s + 1] - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (f.knownAt[mid] <= date) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Reads fundamentals `fields` and, when `universe` is given, its membership rows from the store, for
 * the instruments `symbols` (a panel's order), so a whole backtest's facts are loaded once and every
 * rebalance reads them from memory. Unknown symbols simply have no rows. For a file database each
 * field's index is cached beside it (`<db>.qdcache/*.pit`, keyed by the data fingerprint) unless
 * `noCache`; the universe is always read from the store.
 */
export function loadPitFacts(
  store: Store,
  symbols: readonly string[],
  fields: readonly string[],
  universe?: string,
  options: { readonly noCache?: boolean } = {},
): PitFacts {
  const index = new Map<string, number>();
  symbols.forEach((s, i) => index.set(s, i));
  const idToInst = new Map<number, number>();
  const inst = instrumentSymbols(store);
  for (const row of inst) {
    const s = index.get(row.symbol);
    if (s !== undefined) idToInst.set(row.id, s);
  }
  const out = new Map<string, PitField>();
  // One primary-key range read per instrument (see fundamentalRowsReader).
  const readRows = fundamentalRowsReader(store);
  const instIds = new Int32Array(symbols.length).fill(-1);
  for (const [id, s] of idToInst) instIds[s] = id;
  const byKnown = (a: number[], b: number[]) => a[1] - b[1] || a[0] - b[0];
  const cached = store.path !== ':memory:' && store.path !== '' && !options.noCache;
  const fp = cached ? dataFingerprint(store) : '';
  for (const field of fields) {
    const file = cached ? pitFieldCacheFile(store.path, fp, field, symbols) : '';
    const hit = cached ? readPitFieldFile(file, field, symbols.length) : null;
    if (hit) {
      out.set(field, hit);
      continue;
    }
    const b = new FieldBuilder(symbols.length);
    for (let s = 0; s < symbols.length; s++) {
      const rows = instIds[s] < 0 ? [] : readRows(instIds[s], field);
      rows.sort(byKnown); // stored by (period_end, known_at); replayed by known_at
      b.add(
        s,
        rows.length,
        (k) => rows[k][0],
        (k) => rows[k][1],
        (k) => rows[k][2],
      );
    }
    const built = b.build(field);
    if (cached) writePitFieldFile(file, built, fp);
    out.set(field, built);
  }
  let uni: PitUniverse | null = null;
  if (universe !== undefined) {
    const rows = universeRows(store, universe);
    if (rows.length === 0) throw new Error(`universe "${universe}" has no members in the store`);
    uni = buildPitUniverse(
      universe,
      symbols.length,
      rows.flatMap(([id, from, to, known]) => {
        const s = idToInst.get(id);
        return s === undefined ? [] : [{ inst: s, validFrom: from, validTo: to ?? Number.NaN, knownAt: known }];
      }),
    );
  }
  return { fields: out, universe: uni };
}

/** Builds a {@link PitUniverse} from membership rows (any order). */
export function buildPitUniverse(
  name: string,
  nInst: number,
  rows: readonly { inst: number; validFrom: number; validTo: number; knownAt: number }[],
): PitUniverse {
  const sorted = [...rows].sort((a, b) => a.inst - b.inst || a.knownAt - b.knownAt);
  const offsets = new Int32Array(nInst + 1);
  let r = 0;
  for (let s = 0; s < nInst; s++) {
    offsets[s] = r;
    while (r < sorted.length && sorted[r].inst === s) r++;
  }
  offsets[nInst] = r;
  if (r !== sorted.length) throw new Error(`universe rows reference instruments outside 0..${nInst - 1}`);
  return {
    name,
    offsets,
    validFrom: Float64Array.from(sorted, (x) => x.validFrom),
    validTo: Float64Array.from(sorted, (x) => x.validTo),
    knownAt: Float64Array.from(sorted, (x) => x.knownAt),
  };
}
