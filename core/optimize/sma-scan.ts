/**
 * The per-symbol half of the sma-cross kernel: SMAs with the strategy's exact arithmetic and their
 * per-block ranges, and the scan for strict crosses that skips blocks whose ranges cannot meet.
 */

/** log2 of {@link B}. */
export const LOG_B = 4;
/** Bars per block of the block-range skip in {@link scanCrosses} (a power of two). */
export const B = 1 << LOG_B;

/**
 * SMA of period `p` over `src[0..m)` into `out`, with exactly the arithmetic of `SmaStream` (a
 * running total, divided per bar) so crosses are bit-identical to the strategy's; and per block of
 * {@link B} bars the min and max of `out` into `mn`/`mx`, in the same pass. A block holding a warm-up NaN (bars `j < p - 1`) gets NaN, so no
 * comparison with it holds and the scan looks at its bars one by one.
 */
export function smaWithRanges(src: Float64Array, m: number, p: number, out: Float64Array, mn: Float64Array, mx: Float64Array, until = m): number {
  let total = 0;
  let j = 0;
  const warm = p - 1 < m ? p - 1 : m;
  for (; j < warm; j++) {
    total += src[j];
    out[j] = Number.NaN;
  }
  // Blocks up to and including the one holding the first value are NaN-tainted.
  for (let b = 0; b <= warm >> LOG_B && b << LOG_B < m; b++) {
    mn[b] = Number.NaN;
    mx[b] = Number.NaN;
  }
  let e = ((warm >> LOG_B) + 1) << LOG_B;
  for (; j < m && j < e; j++) {
    total += src[j];
    out[j] = total / p;
    total -= src[j + 1 - p];
  }
  for (; j < until; j = e) {
    e = j + B < m ? j + B : m;
    total += src[j];
    let v = total / p;
    out[j] = v;
    total -= src[j + 1 - p];
    let lo = v;
    let hi = v;
    for (let k = j + 1; k < e; k++) {
      total += src[k];
      v = total / p;
      out[k] = v;
      total -= src[k + 1 - p];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    mn[j >> LOG_B] = lo;
    mx[j >> LOG_B] = hi;
  }
  return total;
}

/**
 * {@link smaWithRanges} for two periods at once, so the two running totals' add chains overlap
 * (one period alone waits on its own chain). Same arithmetic per period, so the same bits.
 */
export function smaPairWithRanges(src: Float64Array, m: number, pa: number, oa: Float64Array, mna: Float64Array, mxa: Float64Array, pb: number, ob: Float64Array, mnb: Float64Array, mxb: Float64Array): void {
  const hi = pa > pb ? pa : pb;
  let from = (((hi - 1) >> LOG_B) + 1) << LOG_B;
  if (from > m) from = m;
  let ta = smaWithRanges(src, m, pa, oa, mna, mxa, from);
  let tb = smaWithRanges(src, m, pb, ob, mnb, mxb, from);
  for (let j = from, e = from; j < m; j = e) {
    e = j + B < m ? j + B : m;
    let loA = Infinity;
    let hiA = -Infinity;
    let loB = Infinity;
    let hiB = -Infinity;
    for (let k = j; k < e; k++) {
      const x = src[k];
      ta += x;
      tb += x;
      const va = ta / pa;
      const vb = tb / pb;
      oa[k] = va;
      ob[k] = vb;
      ta -= src[k + 1 - pa];
      tb -= src[k + 1 - pb];
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
      while (j + 3 < e && fa[j] > sl[j] && fa[j + 1] > sl[j + 1] && fa[j + 2] > sl[j + 2] && fa[j + 3] > sl[j + 3]) j += 4;
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
      while (j + 3 < e && fa[j] < sl[j] && fa[j + 1] < sl[j + 1] && fa[j + 2] < sl[j + 2] && fa[j + 3] < sl[j + 3]) j += 4;
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
