/**
 * The per-symbol half of the sma-cross kernel: SMAs with the strategy's exact arithmetic and their
 * per-block ranges, and the scan for strict crosses that skips blocks whose ranges cannot meet.
 */

/** log2 of {@link B}. */
export const LOG_B = 4;
/** Bars per block of the block-range skip in {@link scanCrosses} (a power of two). */
export const B = 1 << LOG_B;

/** Running state of one SMA between calls: the window sum, its add and remove compensations, the run of equal values and the last value. */
const SUM = 0;
const C_ADD = 1;
const C_REMOVE = 2;
const RUN = 3;
const LAST = 4;

/**
 * SMA of period `p` over `src[0..m)` into `out`, with exactly the arithmetic of `SmaStream` (pandas' rolling
 * mean: Kahan-compensated add and remove, a run of equal values returned as is) so crosses are bit-identical to
 * the strategy's; and per block of {@link B} bars the min and max of `out` into `mn`/`mx`, in the same pass.
 * `src` holds positive prices and no NaN (the kernel's compacted closes), so the mean's sign clamps never apply.
 * A block holding a warm-up NaN (bars `j < p - 1`) gets NaN, so no comparison with it holds and the scan looks at
 * its bars one by one. Stops at `until`, leaving the running state in `st` for {@link smaPairWithRanges}.
 */
export function smaWithRanges(
  src: Float64Array,
  m: number,
  p: number,
  out: Float64Array,
  mn: Float64Array,
  mx: Float64Array,
  until = m,
  st = new Float64Array(5),
): Float64Array {
  let sum = 0;
  let cAdd = 0;
  let cRemove = 0;
  let run = 0;
  let last = Number.NaN;
  let j = 0;
  const warm = p - 1 < m ? p - 1 : m;
  for (; j < warm; j++) {
    const v = src[j];
    const y = v - cAdd;
    const t = sum + y;
    cAdd = t - sum - y;
    sum = t;
    run = v === last ? run + 1 : 1;
    last = v;
    out[j] = Number.NaN;
  }
  // Blocks up to and including the one holding the first value are NaN-tainted.
  for (let b = 0; b <= warm >> LOG_B && b << LOG_B < m; b++) {
    mn[b] = Number.NaN;
    mx[b] = Number.NaN;
  }
  let e = ((warm >> LOG_B) + 1) << LOG_B;
  for (; j < m && j < e; j++) {
    if (j >= p) {
      const y = -src[j - p] - cRemove;
      const t = sum + y;
      cRemove = t - sum - y;
      sum = t;
    }
    const v = src[j];
    const y = v - cAdd;
    const t = sum + y;
    cAdd = t - sum - y;
    sum = t;
    run = v === last ? run + 1 : 1;
    last = v;
    out[j] = run >= p ? last : sum / p;
  }
  for (; j < until; j = e) {
    e = j + B < m ? j + B : m;
    let lo = Infinity;
    let hi = -Infinity;
    for (let k = j; k < e; k++) {
      let y = -src[k - p] - cRemove;
      let t = sum + y;
      cRemove = t - sum - y;
      sum = t;
      const x = src[k];
      y = x - cAdd;
      t = sum + y;
      cAdd = t - sum - y;
      sum = t;
      run = x === last ? run + 1 : 1;
      last = x;
      const v = run >= p ? last : sum / p;
      out[k] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    mn[j >> LOG_B] = lo;
    mx[j >> LOG_B] = hi;
  }
  st[SUM] = sum;
  st[C_ADD] = cAdd;
  st[C_REMOVE] = cRemove;
  st[RUN] = run;
  st[LAST] = last;
  return st;
}

const stateA = new Float64Array(5);
const stateB = new Float64Array(5);

/**
 * {@link smaWithRanges} for two periods at once, so the two running sums' add chains overlap
 * (one period alone waits on its own chain). Same arithmetic per period, so the same bits.
 */
export function smaPairWithRanges(
  src: Float64Array,
  m: number,
  pa: number,
  oa: Float64Array,
  mna: Float64Array,
  mxa: Float64Array,
  pb: number,
  ob: Float64Array,
  mnb: Float64Array,
  mxb: Float64Array,
): void {
  const hi = pa > pb ? pa : pb;
  let from = (((hi - 1) >> LOG_B) + 1) << LOG_B;
  if (from > m) from = m;
  smaWithRanges(src, m, pa, oa, mna, mxa, from, stateA);
  smaWithRanges(src, m, pb, ob, mnb, mxb, from, stateB);
  let sa = stateA[SUM];
  let caA = stateA[C_ADD];
  let crA = stateA[C_REMOVE];
  let runA = stateA[RUN];
  let sb = stateB[SUM];
  let caB = stateB[C_ADD];
  let crB = stateB[C_REMOVE];
  let runB = stateB[RUN];
  // Both windows end on the same bar, so their last value is the same.
  let last = stateA[LAST];
  for (let j = from, e = from; j < m; j = e) {
    e = j + B < m ? j + B : m;
    let loA = Infinity;
    let hiA = -Infinity;
    let loB = Infinity;
    let hiB = -Infinity;
    for (let k = j; k < e; k++) {
      let ya = -src[k - pa] - crA;
      let yb = -src[k - pb] - crB;
      let ta = sa + ya;
      let tb = sb + yb;
      crA = ta - sa - ya;
      crB = tb - sb - yb;
      sa = ta;
      sb = tb;
      const x = src[k];
      ya = x - caA;
      yb = x - caB;
      ta = sa + ya;
      tb = sb + yb;
      caA = ta - sa - ya;
      caB = tb - sb - yb;
      sa = ta;
      sb = tb;
      if (x === last) {
        runA++;
        runB++;
      } else {
        runA = 1;
        runB = 1;
      }
      last = x;
      const va = runA >= pa ? x : sa / pa;
      const vb = runB >= pb ? x : sb / pb;
      oa[k] = va;
      ob[k] = vb;
      if (va < loA) loA = va;
      if (va > hiA) hiA = va;
      if (vb < loB) loB = vb;
      if (vb > hiB) hiB = vb;
    }
    mna[j >> LOG_B] = loA;
    mxa[j >> LOG_B] = hiA;
    mnb[j >> LOG_B] = loB;
    mxb[j >> LOG_B] = hiB;
  }
}

/**
 * The strict crosses of `fa` over `sl` on bars [j0, m): `crossAt[i]` is the bar, `crossDir[i]` the
 * new sign (+1 fast above). `prev` is the sign of fast - slow on the previous bar, 0 when equal or
 * NaN, so `+, 0, -` is no cross (as the strategy sees it). A block of bars where the fast SMA's
 * range lies strictly on the current side of the slow SMA's range cannot change the sign and is
 * skipped with one comparison: exact, since both ranges are of the very values compared per bar.
 * Runs of such blocks are skipped in a loop of their own (a load pair and a compare per block):
 * most blocks are skipped, and going round the bar loop for each cost about 10% of the kernel.
 */
export function scanCrosses(
  fa: Float64Array,
  sl: Float64Array,
  fmn: Float64Array,
  fmx: Float64Array,
  smn: Float64Array,
  smx: Float64Array,
  j0: number,
  m: number,
  crossAt: Int32Array,
  crossDir: Int8Array,
): number {
  let prev = 0;
  let nc = 0;
  let j = j0;
  const nb = (m + B - 1) >> LOG_B;
  while (j < m) {
    // On the current side: skip whole blocks while the ranges allow, then run to the first bar
    // that leaves the side or to the block's end.
    let e: number;
    if (prev > 0) {
      if ((j & (B - 1)) === 0) {
        let b = j >> LOG_B;
        while (b < nb && fmn[b] > smx[b]) b++;
        j = b << LOG_B;
        if (j >= m) break;
      }
      e = (j | (B - 1)) + 1;
      if (e > m) e = m;
      while (j + 3 < e && fa[j] > sl[j] && fa[j + 1] > sl[j + 1] && fa[j + 2] > sl[j + 2] && fa[j + 3] > sl[j + 3])
        j += 4;
      while (j < e && fa[j] > sl[j]) j++;
    } else if (prev < 0) {
      if ((j & (B - 1)) === 0) {
        let b = j >> LOG_B;
        while (b < nb && fmx[b] < smn[b]) b++;
        j = b << LOG_B;
        if (j >= m) break;
      }
      e = (j | (B - 1)) + 1;
      if (e > m) e = m;
      while (j + 3 < e && fa[j] < sl[j] && fa[j + 1] < sl[j + 1] && fa[j + 2] < sl[j + 2] && fa[j + 3] < sl[j + 3])
        j += 4;
      while (j < e && fa[j] < sl[j]) j++;
    } else e = m;
    if (j === e) continue;
    const diff = fa[j] - sl[j];
    const cur = +(diff > 0) - +(diff < 0);
    if (cur !== prev) {
      if (prev !== 0 && cur === -prev) {
        crossAt[nc] = j;
        crossDir[nc++] = cur;
      }
      prev = cur;
    }
    j++;
  }
  return nc;
}
