import type { Store } from '../store/sqlite-bar-store';

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

/**
 * Builds a {@link PitField} from raw versioned rows (any order). Rows of one instrument are replayed in
 * `knownAt` order; after each, the visible value is the one of the latest `periodEnd` seen so far, the
 * latest version of it winning. A late revision of an old period therefore changes nothing visible.
 */
export function buildPitField(field: string, nInst: number, rows: readonly FundamentalRow[]): PitField {
  const order = rows.map((_, i) => i);
  order.sort((a, b) => rows[a].inst - rows[b].inst || rows[a].knownAt - rows[b].knownAt || rows[a].periodEnd - rows[b].periodEnd);
  const offsets = new Int32Array(nInst + 1);
  const knownAt: number[] = [];
  const periodEnd: number[] = [];
  const value: number[] = [];
  let r = 0;
  for (let s = 0; s < nInst; s++) {
    offsets[s] = knownAt.length;
    let bestPeriod = Number.NEGATIVE_INFINITY;
    while (r < order.length && rows[order[r]].inst === s) {
      const row = rows[order[r++]];
      if (row.periodEnd < bestPeriod) continue; // an older period's revision: not what "latest" shows
      bestPeriod = row.periodEnd;
      const last = knownAt.length - 1;
      if (last >= offsets[s] && knownAt[last] === row.knownAt) {
        periodEnd[last] = row.periodEnd; // same instant: the later period (sorted) wins
        value[last] = row.value;
      } else {
        knownAt.push(row.knownAt);
        periodEnd.push(row.periodEnd);
        value.push(row.value);
      }
    }
  }
  offsets[nInst] = knownAt.length;
  if (r !== order.length) throw new Error(`fundamental rows reference instruments outside 0..${nInst - 1}`);
  return { field, offsets, knownAt: Float64Array.from(knownAt), periodEnd: Float64Array.from(periodEnd), value: Float64Array.from(value) };
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
 * the instruments `symbols` (a panel's order). One query per field, so a whole backtest's facts are
 * loaded once and every rebalance reads them from memory. Unknown symbols simply have no rows.
 */
export function loadPitFacts(store: Store, symbols: readonly string[], fields: readonly string[], universe?: string): PitFacts {
  const index = new Map<string, number>();
  symbols.forEach((s, i) => index.set(s, i));
  const idToInst = new Map<number, number>();
  const inst = store.db.prepare('SELECT id, symbol FROM instruments').all() as { id: number; symbol: string }[];
  for (const row of inst) {
    const s = index.get(row.symbol);
    if (s !== undefined) idToInst.set(row.id, s);
  }
  const out = new Map<string, PitField>();
  const q = store.db.prepare('SELECT instrument_id, period_end, known_at, value FROM fundamentals WHERE field = ?').raw(true);
  for (const field of fields) {
    const rows: FundamentalRow[] = [];
    for (const [id, pe, ka, v] of q.iterate(field) as Iterable<[number, number, number, number]>) {
      const s = idToInst.get(id);
      if (s !== undefined) rows.push({ inst: s, periodEnd: pe, knownAt: ka, value: v });
    }
    out.set(field, buildPitField(field, symbols.length, rows));
  }
  let uni: PitUniverse | null = null;
  if (universe !== undefined) {
    const rows = store.db
      .prepare('SELECT instrument_id, valid_from, valid_to, known_at FROM universes WHERE name = ? ORDER BY instrument_id, known_at')
      .raw(true)
      .all(universe) as [number, number, number | null, number][];
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
