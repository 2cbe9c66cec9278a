/**
 * The per-pair half of the sma-cross kernel: each symbol's fills in a flat log, and a pair's equity
 * row (differences in time) written as the difference to a neighbouring pair's fills and positions.
 */

/**
 * The fills of one symbol's pairs, in a flat log: entry i says that at compacted bar `at[i]` the
 * position became `q[i]` and cash changed by `cash[i]`. A pair's entries are `[from, to)`.
 */
export interface FillLog {
  at: Int32Array;
  q: Float64Array;
  cash: Float64Array;
  len: number;
}

/** An empty {@link FillLog} with room for `capacity` fills (it grows when needed). */
export function newFillLog(capacity: number): FillLog {
  return { at: new Int32Array(capacity), q: new Float64Array(capacity), cash: new Float64Array(capacity), len: 0 };
}

/** Appends a fill of the pair whose entries start at `from`; a second fill on the same bar (a next-open fill, then the delisting close) merges into the first. */
export function pushFill(log: FillLog, from: number, j: number, q: number, cash: number): void {
  const k = log.len;
  if (k > from && log.at[k - 1] === j) {
    log.q[k - 1] = q;
    log.cash[k - 1] += cash;
    return;
  }
  if (k === log.at.length) {
    const at = new Int32Array(k * 2);
    const qs = new Float64Array(k * 2);
    const cs = new Float64Array(k * 2);
    at.set(log.at);
    qs.set(log.q);
    cs.set(log.cash);
    log.at = at;
    log.q = qs;
    log.cash = cs;
  }
  log.at[k] = j;
  log.q[k] = q;
  log.cash[k] = cash;
  log.len = k + 1;
}

/**
 * Adds a position `q` held over compacted bars [from, to) to the curve `cell[row + t]` kept as
 * differences in time (the curve is their running sum): `q × close` enters on the first bar, moves
 * by `q × (close - previous close)` on each later bar, and leaves on bar `to` (a bar inside a gap
 * carries the previous close, so it adds nothing). Held to the run's end when `to` is `m`.
 */
function addSpan(
  cell: Float64Array,
  row: number,
  c: Float64Array,
  dc: Float64Array,
  idx: Int32Array,
  m: number,
  contiguous: boolean,
  q: number,
  from: number,
  to: number,
): void {
  cell[row + idx[from]] += q * c[from];
  if (contiguous) {
    for (let j = from + 1, t = row + idx[from] + 1; j < to; j++, t++) cell[t] += q * dc[j];
  } else {
    for (let j = from + 1; j < to; j++) cell[row + idx[j]] += q * dc[j];
  }
  if (to < m) cell[row + idx[to]] -= q * c[to - 1];
}

/**
 * Adds to row `row` the curve of fills `log[a0..a1)` minus that of fills `log[b0..b1)`: cash of
 * both, and the position only on the bars where the two positions differ. Pairs with
 * neighbouring parameters hold the same position on most bars, so a pair's row is kept as the
 * difference to its reference pair's (the chain is summed at the end) and costs a few bars per cross.
 */
export function addDifference(
  cell: Float64Array,
  row: number,
  c: Float64Array,
  dc: Float64Array,
  idx: Int32Array,
  m: number,
  contiguous: boolean,
  log: FillLog,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
): void {
  const at = log.at;
  const qs = log.q;
  const cs = log.cash;
  let ia = a0;
  let ib = b0;
  let qa = 0;
  let qb = 0;
  let pos = 0;
  while (pos < m) {
    const xa = ia < a1 ? at[ia] : m;
    const xb = ib < b1 ? at[ib] : m;
    const x = xa < xb ? xa : xb;
    if (qa !== qb && x > pos) addSpan(cell, row, c, dc, idx, m, contiguous, qa - qb, pos, x);
    pos = x;
    const hasA = xa === x && ia < a1;
    const hasB = xb === x && ib < b1;
    if (hasA && hasB) {
      // Both filled on this bar: most often the same order at the same price, cancelling exactly.
      const d = cs[ia] - cs[ib];
      if (d !== 0) cell[row + idx[x]] += d;
      qa = qs[ia++];
      qb = qs[ib++];
    } else if (hasA) {
      cell[row + idx[x]] += cs[ia];
      qa = qs[ia++];
    } else if (hasB) {
      cell[row + idx[x]] -= cs[ib];
      qb = qs[ib++];
    }
  }
}

/** Sets bits [t0, t1) of the bitmap of 32-bit words starting at `word0`. */
export function setBits(bits: Int32Array, word0: number, t0: number, t1: number): void {
  if (t0 >= t1) return;
  const w0 = t0 >> 5;
  const w1 = (t1 - 1) >> 5;
  const lo = -1 << (t0 & 31);
  const hi = -1 >>> (31 - ((t1 - 1) & 31));
  if (w0 === w1) {
    bits[word0 + w0] |= lo & hi;
    return;
  }
  bits[word0 + w0] |= lo;
  for (let w = w0 + 1; w < w1; w++) bits[word0 + w] = -1;
  bits[word0 + w1] |= hi;
}

/** Number of set bits of a 32-bit integer. */
export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
