/*
 * The sma-cross sweep kernel's per-block work in C: for one block of symbols, each symbol's SMAs with their
 * per-block ranges, then per tile of (fast, slow) pairs and per symbol, the scan for crosses, the fills, the
 * held bars and the pair's equity row as the difference to its neighbour's. A line-by-line port of
 * core/optimize/sma-scan.ts, the fill loop of core/optimize/event-kernel.ts and core/optimize/equity-rows.ts:
 * the same IEEE double operations in the same order (built with -ffp-contract=off and no fast-math), so every
 * value written is bit-identical to the JS kernel's. Only comparisons and control flow differ in shape.
 */
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
/* SSE2 (baseline on x86-64) for the comparisons and the SMAs' lanes; plain C elsewhere (aarch64), or when built with
 * -DSMAKERNEL_PORTABLE (how the portable path is tested on x86-64). */
#if defined(__SSE2__) && !defined(SMAKERNEL_PORTABLE)
#define SMAK_SSE2 1
#else
#define SMAK_SSE2 0
#endif
#if SMAK_SSE2
#include <emmintrin.h>
#endif

#define LOG_B 4
#define B (1 << LOG_B)

/* Growable scratch kept per Node environment (main thread and each worker get their own). */
typedef struct {
  int32_t *at;
  double *q;
  double *cash;
  size_t len;
  size_t cap;
} Log;

typedef struct {
  double *sma;
  size_t smaCap;
  double *bmn;
  double *bmx;
  size_t bCap;
  Log *logs;
  size_t nLogs;
  int32_t *logFrom;
  int32_t *logTo;
  size_t lfCap;
  int32_t *evAt;
  double *evTarget;
  int8_t *crossDir;
  size_t evCap;
  uint64_t *gw;
  uint64_t *lw;
  size_t wCap;
} Scratch;

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 1;
  size_t c = *cap ? *cap : 64;
  while (c < need) c *= 2;
  void *np = realloc(*p, c * elem);
  if (!np) return 0;
  *p = np;
  *cap = c;
  return 1;
}

static int logReserve(Log *l, size_t need) {
  if (need <= l->cap) return 1;
  size_t c = l->cap ? l->cap : 256;
  while (c < need) c *= 2;
  int32_t *at = realloc(l->at, c * sizeof(int32_t));
  if (!at) return 0;
  l->at = at;
  double *q = realloc(l->q, c * sizeof(double));
  if (!q) return 0;
  l->q = q;
  double *cash = realloc(l->cash, c * sizeof(double));
  if (!cash) return 0;
  l->cash = cash;
  l->cap = c;
  return 1;
}

static void freeScratch(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  Scratch *s = data;
  free(s->sma);
  free(s->bmn);
  free(s->bmx);
  for (size_t i = 0; i < s->nLogs; i++) {
    free(s->logs[i].at);
    free(s->logs[i].q);
    free(s->logs[i].cash);
  }
  free(s->logs);
  free(s->logFrom);
  free(s->logTo);
  free(s->evAt);
  free(s->evTarget);
  free(s->crossDir);
  free(s->gw);
  free(s->lw);
  free(s);
}

/* ---- SMAs (core/optimize/sma-scan.ts: smaWithRanges, smaPairWithRanges) ---- */

typedef struct {
  double sum, cAdd, cRemove, last;
  int32_t run;
} SmaState;

/* One step of a Kahan-Neumaier running sum as core/indicators' compensated sums take it: add v to *sum, *comp the carry. */
static inline void kadd(double *sum, double *comp, double v) {
  const double y = v - *comp;
  const double t = *sum + y;
  *comp = t - *sum - y;
  *sum = t;
}

static void smaWithRanges(const double *src, int m, int p, double *out, double *mn, double *mx, int until,
                          SmaState *st) {
  double sum = 0, cAdd = 0, cRemove = 0, last = NAN;
  int32_t run = 0;
  int j = 0;
  const int warm = p - 1 < m ? p - 1 : m;
  for (; j < warm; j++) {
    const double v = src[j];
    kadd(&sum, &cAdd, v);
    run = v == last ? run + 1 : 1;
    last = v;
    out[j] = NAN;
  }
  for (int b = 0; b <= (warm >> LOG_B) && (b << LOG_B) < m; b++) {
    mn[b] = NAN;
    mx[b] = NAN;
  }
  int e = ((warm >> LOG_B) + 1) << LOG_B;
  for (; j < m && j < e; j++) {
    if (j >= p) kadd(&sum, &cRemove, -src[j - p]);
    const double v = src[j];
    kadd(&sum, &cAdd, v);
    run = v == last ? run + 1 : 1;
    last = v;
    out[j] = run >= p ? last : sum / p;
  }
  for (; j < until; j = e) {
    e = j + B < m ? j + B : m;
    double lo = INFINITY, hi = -INFINITY;
    for (int k = j; k < e; k++) {
      kadd(&sum, &cRemove, -src[k - p]);
      const double x = src[k];
      kadd(&sum, &cAdd, x);
      run = x == last ? run + 1 : 1;
      last = x;
      const double v = run >= p ? last : sum / p;
      out[k] = v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    mn[j >> LOG_B] = lo;
    mx[j >> LOG_B] = hi;
  }
  st->sum = sum;
  st->cAdd = cAdd;
  st->cRemove = cRemove;
  st->run = run;
  st->last = last;
}

static void smaPairWithRanges(const double *src, int m, int pa, double *oa, double *mna, double *mxa, int pb,
                              double *ob, double *mnb, double *mxb) {
  const int hi = pa > pb ? pa : pb;
  int from = (((hi - 1) >> LOG_B) + 1) << LOG_B;
  if (from > m) from = m;
  SmaState A, Bs;
  smaWithRanges(src, m, pa, oa, mna, mxa, from, &A);
  smaWithRanges(src, m, pb, ob, mnb, mxb, from, &Bs);
  double sa = A.sum, caA = A.cAdd, crA = A.cRemove;
  double sb = Bs.sum, caB = Bs.cAdd, crB = Bs.cRemove;
  int32_t runA = A.run, runB = Bs.run;
  double last = A.last;
  for (int j = from, e = from; j < m; j = e) {
    e = j + B < m ? j + B : m;
    double loA = INFINITY, hiA = -INFINITY, loB = INFINITY, hiB = -INFINITY;
    for (int k = j; k < e; k++) {
      double ya = -src[k - pa] - crA;
      double yb = -src[k - pb] - crB;
      double ta = sa + ya;
      double tb = sb + yb;
      crA = ta - sa - ya;
      crB = tb - sb - yb;
      sa = ta;
      sb = tb;
      const double x = src[k];
      ya = x - caA;
      yb = x - caB;
      ta = sa + ya;
      tb = sb + yb;
      caA = ta - sa - ya;
      caB = tb - sb - yb;
      sa = ta;
      sb = tb;
      if (x == last) {
        runA++;
        runB++;
      } else {
        runA = 1;
        runB = 1;
      }
      last = x;
      const double va = runA >= pa ? x : sa / pa;
      const double vb = runB >= pb ? x : sb / pb;
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

#if SMAK_SSE2
/*
 * {@link smaPairWithRanges} for four periods at once, as two pairs of SSE2 lanes: the same operations per period
 * (packed IEEE add, subtract and divide round each lane as the scalar ones do; min/max as `v < lo`/`v > hi`), so
 * the same bits, with four compensated sums' latency chains overlapping instead of two. The run of equal closes
 * is the same for every period (it counts over all bars whatever the period).
 */
static void smaQuadWithRanges(const double *src, int m, const int *p, double *const *out, double *const *mn,
                              double *const *mx) {
  int hi = 0;
  for (int i = 0; i < 4; i++)
    if (p[i] > hi) hi = p[i];
  int from = (((hi - 1) >> LOG_B) + 1) << LOG_B;
  if (from > m) from = m;
  SmaState st[4];
  for (int i = 0; i < 4; i++) smaWithRanges(src, m, p[i], out[i], mn[i], mx[i], from, &st[i]);
  __m128d s0 = _mm_set_pd(st[1].sum, st[0].sum), s1 = _mm_set_pd(st[3].sum, st[2].sum);
  __m128d ca0 = _mm_set_pd(st[1].cAdd, st[0].cAdd), ca1 = _mm_set_pd(st[3].cAdd, st[2].cAdd);
  __m128d cr0 = _mm_set_pd(st[1].cRemove, st[0].cRemove), cr1 = _mm_set_pd(st[3].cRemove, st[2].cRemove);
  const __m128d p0 = _mm_set_pd((double)p[1], (double)p[0]), p1 = _mm_set_pd((double)p[3], (double)p[2]);
  const __m128d sign = _mm_set1_pd(-0.0);
  int32_t run = st[0].run;
  double last = st[0].last;
  for (int j = from, e = from; j < m; j = e) {
    e = j + B < m ? j + B : m;
    __m128d lo0 = _mm_set1_pd(INFINITY), lo1 = lo0, hi0 = _mm_set1_pd(-INFINITY), hi1 = hi0;
    for (int k = j; k < e; k++) {
      __m128d y0 = _mm_sub_pd(_mm_xor_pd(_mm_set_pd(src[k - p[1]], src[k - p[0]]), sign), cr0);
      __m128d y1 = _mm_sub_pd(_mm_xor_pd(_mm_set_pd(src[k - p[3]], src[k - p[2]]), sign), cr1);
      __m128d t0 = _mm_add_pd(s0, y0);
      __m128d t1 = _mm_add_pd(s1, y1);
      cr0 = _mm_sub_pd(_mm_sub_pd(t0, s0), y0);
      cr1 = _mm_sub_pd(_mm_sub_pd(t1, s1), y1);
      s0 = t0;
      s1 = t1;
      const double x = src[k];
      const __m128d xv = _mm_set1_pd(x);
      y0 = _mm_sub_pd(xv, ca0);
      y1 = _mm_sub_pd(xv, ca1);
      t0 = _mm_add_pd(s0, y0);
      t1 = _mm_add_pd(s1, y1);
      ca0 = _mm_sub_pd(_mm_sub_pd(t0, s0), y0);
      ca1 = _mm_sub_pd(_mm_sub_pd(t1, s1), y1);
      s0 = t0;
      s1 = t1;
      run = x == last ? run + 1 : 1;
      last = x;
      const __m128d q0 = _mm_div_pd(s0, p0), q1 = _mm_div_pd(s1, p1);
      const __m128d k0 = _mm_castsi128_pd(_mm_set_epi64x(-(int64_t)(run >= p[1]), -(int64_t)(run >= p[0])));
      const __m128d k1 = _mm_castsi128_pd(_mm_set_epi64x(-(int64_t)(run >= p[3]), -(int64_t)(run >= p[2])));
      const __m128d v0 = _mm_or_pd(_mm_and_pd(k0, xv), _mm_andnot_pd(k0, q0));
      const __m128d v1 = _mm_or_pd(_mm_and_pd(k1, xv), _mm_andnot_pd(k1, q1));
      _mm_storel_pd(out[0] + k, v0);
      _mm_storeh_pd(out[1] + k, v0);
      _mm_storel_pd(out[2] + k, v1);
      _mm_storeh_pd(out[3] + k, v1);
      /* minpd(v, lo) is `v < lo ? v : lo`, maxpd(v, hi) is `v > hi ? v : hi`: the scalar updates. */
      lo0 = _mm_min_pd(v0, lo0);
      lo1 = _mm_min_pd(v1, lo1);
      hi0 = _mm_max_pd(v0, hi0);
      hi1 = _mm_max_pd(v1, hi1);
    }
    const int b = j >> LOG_B;
    _mm_storel_pd(mn[0] + b, lo0);
    _mm_storeh_pd(mn[1] + b, lo0);
    _mm_storel_pd(mn[2] + b, lo1);
    _mm_storeh_pd(mn[3] + b, lo1);
    _mm_storel_pd(mx[0] + b, hi0);
    _mm_storeh_pd(mx[1] + b, hi0);
    _mm_storel_pd(mx[2] + b, hi1);
    _mm_storeh_pd(mx[3] + b, hi1);
  }
}
#endif

/* ---- The cross scan (core/optimize/sma-scan.ts: scanCrosses) ---- */

/*
 * The JS scan's `prev` is always the sign of fast - slow on the previous bar (0 when equal or NaN, and 0 before
 * `j0`), so its crosses are exactly the bars whose sign is the opposite of the previous bar's, both non-zero. Here
 * per block of B bars: a bit mask of the bars where fast > slow (G) and where fast < slow (L), from the block
 * ranges when they do not overlap (every bar on one side, as in the JS skip) or from the B comparisons (SSE2 on
 * x86-64, plain C elsewhere); the crosses up are G & (L shifted by a bar), down L & (G shifted), in bar order.
 * The same comparisons of the same values, so the same crosses, with no branch per bar.
 */
#define FULL ((1u << B) - 1)

static inline uint32_t blockMasks(const double *fa, const double *sl, int base, int len, uint32_t *lt) {
  uint32_t G = 0, L = 0;
#if SMAK_SSE2
  if (len == B) {
    for (int k = 0; k < B; k += 2) {
      const __m128d a = _mm_loadu_pd(fa + base + k), s = _mm_loadu_pd(sl + base + k);
      G |= (uint32_t)_mm_movemask_pd(_mm_cmpgt_pd(a, s)) << k;
      L |= (uint32_t)_mm_movemask_pd(_mm_cmplt_pd(a, s)) << k;
    }
    *lt = L;
    return G;
  }
#endif
  for (int k = 0; k < len; k++) {
    G |= (uint32_t)(fa[base + k] > sl[base + k]) << k;
    L |= (uint32_t)(fa[base + k] < sl[base + k]) << k;
  }
  *lt = L;
  return G;
}

/*
 * In two passes: first, per block, whether its ranges put every bar above (bit of `gw`) or below (`lw`); then only
 * the blocks where a cross can be are looked at: a block with overlapping ranges, the first and last blocks, and a
 * block on one side whose predecessor is not wholly on that same side. The bars of an overlapping block are
 * prefetched between the passes, so their misses overlap.
 */
static int scanCrosses(const double *fa, const double *sl, const double *fmn, const double *fmx, const double *smn,
                       const double *smx, int j0, int m, int32_t *crossAt, int8_t *crossDir, uint64_t *gw,
                       uint64_t *lw) {
  int nc = 0;
  const int nb = (m + B - 1) >> LOG_B;
  const int b0 = j0 >> LOG_B;
  if (b0 >= nb) return 0;
  const int w0 = b0 >> 6, nw = (nb + 63) >> 6;
  for (int w = w0; w < nw; w++) {
    uint64_t g = 0, l = 0;
    const int lo = w << 6, hi = lo + 64 < nb ? lo + 64 : nb;
    for (int b = lo; b < hi; b++) {
      g |= (uint64_t)(fmn[b] > smx[b]) << (b - lo);
      l |= (uint64_t)(fmx[b] < smn[b]) << (b - lo);
    }
    gw[w] = g;
    lw[w] = l;
  }
  for (int w = w0; w < nw; w++) {
    uint64_t mixed = ~(gw[w] | lw[w]);
    const int lo = w << 6;
    if (w == w0) mixed &= ~0ull << (b0 - lo);
    if (nb - lo < 64) mixed &= (1ull << (nb - lo)) - 1;
    while (mixed) {
      const int base = (lo + __builtin_ctzll(mixed)) << LOG_B;
      __builtin_prefetch(fa + base);
      __builtin_prefetch(fa + base + 8);
      __builtin_prefetch(sl + base);
      __builtin_prefetch(sl + base + 8);
      mixed &= mixed - 1;
    }
  }
  uint32_t carryG = 0, carryL = 0;
  int done = -2;
  for (int w = w0; w < nw; w++) {
    const uint64_t g = gw[w], l = lw[w];
    const uint64_t pg = (g << 1) | (w > w0 ? gw[w - 1] >> 63 : 0);
    const uint64_t pl = (l << 1) | (w > w0 ? lw[w - 1] >> 63 : 0);
    uint64_t look = ~(g | l) | (g & ~pg) | (l & ~pl);
    const int lo = w << 6;
    if (w == w0) look = (look & (~0ull << (b0 - lo))) | (1ull << (b0 - lo));
    if (nb - lo <= 64) look = (look & ((nb - lo == 64 ? 0 : 1ull << (nb - lo)) - 1)) | (1ull << (nb - 1 - lo));
    while (look) {
      const int b = lo + __builtin_ctzll(look);
      look &= look - 1;
      if (b == b0) {
        carryG = 0;
        carryL = 0;
      } else if (done != b - 1) {
        /* The previous block is wholly on one side: its last bar's sign. */
        carryG = (gw[(b - 1) >> 6] >> ((b - 1) & 63)) & 1;
        carryL = (lw[(b - 1) >> 6] >> ((b - 1) & 63)) & 1;
      }
      const int base = b << LOG_B;
      const int len = m - base < B ? m - base : B;
      const uint32_t gf = (g >> (b - lo)) & 1, lf = (l >> (b - lo)) & 1;
      uint32_t G = (0u - gf) & FULL, L = (0u - lf) & FULL;
      if (!(gf | lf)) G = blockMasks(fa, sl, base, len, &L);
      if (len < B) {
        G &= (1u << len) - 1;
        L &= (1u << len) - 1;
      }
      if (base < j0) {
        G &= ~((1u << (j0 - base)) - 1);
        L &= ~((1u << (j0 - base)) - 1);
      }
      const uint32_t up = G & ((L << 1) | carryL);
      const uint32_t dn = L & ((G << 1) | carryG);
      carryG = (G >> (B - 1)) & 1;
      carryL = (L >> (B - 1)) & 1;
      done = b;
      uint32_t x = up | dn;
      while (x) {
        const int k = __builtin_ctz(x);
        crossAt[nc] = base + k;
        crossDir[nc++] = (up >> k) & 1 ? 1 : -1;
        x &= x - 1;
      }
    }
  }
  return nc;
}

/* ---- Equity rows (core/optimize/equity-rows.ts) ---- */

/*
 * event-kernel.ts `fill` closing a position of q at the raw price `raw`: returns the cash after it and adds the
 * traded value, the trade, a win or a loss, as the JS kernel does, operation for operation. costs: rate, fixed,
 * bps, buyMul, sellMul.
 */
static inline double exitCash(double q, double raw, const double *costs, double entryPx, double entryComm, double cash,
                              double *tv, double *nt, double *nw, double *gw, double *gl) {
  const double rate = costs[0], fixed = costs[1], bps = costs[2], buyMul = costs[3], sellMul = costs[4];
  const double px = bps == 0 ? raw : q > 0 ? raw * sellMul : raw * buyMul;
  const double aq = q > 0 ? q : -q;
  const double comm = fixed + rate * aq * px;
  cash -= -q * px + comm;
  *tv += aq * px;
  const double pnl = (q > 0 ? 1.0 : -1.0) * aq * (px - entryPx) - entryComm - comm;
  (*nt)++;
  if (pnl > 0) {
    (*nw)++;
    *gw += pnl;
  } else
    *gl -= pnl;
  return cash;
}

static int pushFill(Log *log, size_t from, int32_t j, double q, double cash) {
  const size_t k = log->len;
  if (k > from && log->at[k - 1] == j) {
    log->q[k - 1] = q;
    log->cash[k - 1] += cash;
    return 1;
  }
  if (k == log->cap && !logReserve(log, k + 1)) return 0;
  log->at[k] = j;
  log->q[k] = q;
  log->cash[k] = cash;
  log->len = k + 1;
  return 1;
}

static inline void addSpan(double *row, const double *c, const double *dc, const int32_t *idx, int m, int contiguous,
                           double q, int from, int to) {
  row[idx[from]] += q * c[from];
  if (contiguous) {
    double *t = row + idx[from] + 1;
    for (int j = from + 1; j < to; j++, t++) *t += q * dc[j];
  } else {
    for (int j = from + 1; j < to; j++) row[idx[j]] += q * dc[j];
  }
  if (to < m) row[idx[to]] -= q * c[to - 1];
}

static void addDifference(double *row, const double *c, const double *dc, const int32_t *idx, int m, int contiguous,
                          const Log *log, size_t a0, size_t a1, size_t b0, size_t b1) {
  const int32_t *at = log->at;
  const double *qs = log->q;
  const double *cs = log->cash;
  size_t ia = a0, ib = b0;
  double qa = 0, qb = 0;
  int pos = 0;
  while (pos < m) {
    const int xa = ia < a1 ? at[ia] : m;
    const int xb = ib < b1 ? at[ib] : m;
    const int x = xa < xb ? xa : xb;
    if (qa != qb && x > pos) addSpan(row, c, dc, idx, m, contiguous, qa - qb, pos, x);
    pos = x;
    const int hasA = xa == x && ia < a1;
    const int hasB = xb == x && ib < b1;
    if (hasA && hasB) {
      const double d = cs[ia] - cs[ib];
      if (d != 0) row[idx[x]] += d;
      qa = qs[ia++];
      qb = qs[ib++];
    } else if (hasA) {
      row[idx[x]] += cs[ia];
      qa = qs[ia++];
    } else if (hasB) {
      row[idx[x]] -= cs[ib];
      qb = qs[ib++];
    }
  }
}

static void setBits(uint32_t *bits, int t0, int t1) {
  if (t0 >= t1) return;
  const int w0 = t0 >> 5;
  const int w1 = (t1 - 1) >> 5;
  const uint32_t lo = 0xFFFFFFFFu << (t0 & 31);
  const uint32_t hi = 0xFFFFFFFFu >> (31 - ((t1 - 1) & 31));
  if (w0 == w1) {
    bits[w0] |= lo & hi;
    return;
  }
  bits[w0] |= lo;
  for (int w = w0 + 1; w < w1; w++) bits[w] = 0xFFFFFFFFu;
  bits[w1] |= hi;
}

/* ---- Node-API glue ---- */

#define NARGS 23

/* Config words (argument 0). */
enum { K_N, K_NALL, K_NB, K_P, K_NV, K_LONG_ONLY, K_AT_CLOSE, K_CLOSE_AT_END, K_WORDS, K_NBLK, K_NTILES, K_COUNT };

static void *typed(napi_env env, napi_value v, size_t *len, napi_typedarray_type want, int *ok) {
  napi_typedarray_type type;
  size_t length = 0, offset = 0;
  void *data = NULL;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &offset) != napi_ok || type != want) {
    *ok = 0;
    return NULL;
  }
  if (len) *len = length;
  return data;
}

static napi_value fail(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

/*
 * runBlock(config, plist, slowOf, fastSlot, slowSlot, pred, tileRows, tileEnds, costs,
 *          cell, held, endCorr, heldToEnd, nTrades, wins, grossWin, grossLoss, traded,
 *          symMeta, idx[], c[], dc[], o[])
 */
static napi_value runBlock(napi_env env, napi_callback_info info) {
  size_t argc = NARGS;
  napi_value a[NARGS];
  if (napi_get_cb_info(env, info, &argc, a, NULL, NULL) != napi_ok || argc != NARGS)
    return fail(env, "smakernel.runBlock: wrong argument count");
  Scratch *S = NULL;
  if (napi_get_instance_data(env, (void **)&S) != napi_ok || !S) return fail(env, "smakernel: no instance data");
  int ok = 1;
  size_t kLen = 0;
  const int32_t *K = typed(env, a[0], &kLen, napi_int32_array, &ok);
  if (!ok || kLen < K_COUNT) return fail(env, "smakernel.runBlock: bad config");
  const int n = K[K_N], nAll = K[K_NALL], nb = K[K_NB], P = K[K_P], nv = K[K_NV];
  const int longOnly = K[K_LONG_ONLY], atClose = K[K_AT_CLOSE], closeAtEnd = K[K_CLOSE_AT_END];
  const int words = K[K_WORDS], nBlk = K[K_NBLK], nTiles = K[K_NTILES];
  /* Lengths of the typed-array arguments 1..18, checked below: a wrong caller gets an error, not a stray write. */
  size_t len[19] = {0};
  const int32_t *plist = typed(env, a[1], &len[1], napi_int32_array, &ok);
  const int32_t *slowOf = typed(env, a[2], &len[2], napi_int32_array, &ok);
  const int32_t *fastSlot = typed(env, a[3], &len[3], napi_int32_array, &ok);
  const int32_t *slowSlot = typed(env, a[4], &len[4], napi_int32_array, &ok);
  const int32_t *pred = typed(env, a[5], &len[5], napi_int32_array, &ok);
  const int32_t *tileRows = typed(env, a[6], &len[6], napi_int32_array, &ok);
  const int32_t *tileEnds = typed(env, a[7], &len[7], napi_int32_array, &ok);
  const double *costs = typed(env, a[8], &len[8], napi_float64_array, &ok);
  double *cell = typed(env, a[9], &len[9], napi_float64_array, &ok);
  uint32_t *held = typed(env, a[10], &len[10], napi_int32_array, &ok);
  double *endCorr = typed(env, a[11], &len[11], napi_float64_array, &ok);
  int32_t *heldToEnd = typed(env, a[12], &len[12], napi_int32_array, &ok);
  double *nTrades = typed(env, a[13], &len[13], napi_float64_array, &ok);
  double *wins = typed(env, a[14], &len[14], napi_float64_array, &ok);
  double *grossWin = typed(env, a[15], &len[15], napi_float64_array, &ok);
  double *grossLoss = typed(env, a[16], &len[16], napi_float64_array, &ok);
  double *traded = typed(env, a[17], &len[17], napi_float64_array, &ok);
  const int32_t *meta = typed(env, a[18], &len[18], napi_int32_array, &ok);
  if (!ok) return fail(env, "smakernel.runBlock: bad typed array argument");
  if (n < 0 || nAll < 0 || P < 0 || nv < 0 || nTiles < 0 || nBlk < 0 || nb != (nAll + B - 1) / B ||
      words != (n + 31) / 32)
    return fail(env, "smakernel.runBlock: inconsistent config");
  if (nBlk > 64) return fail(env, "smakernel.runBlock: at most 64 symbols per block");
  if (len[1] < (size_t)P || len[2] < (size_t)nv || len[3] < (size_t)nv || len[4] < (size_t)nv ||
      len[5] < (size_t)nv || len[7] < (size_t)nTiles || len[8] < 6 || len[9] < (size_t)nv * n ||
      len[10] < (size_t)nv * words || len[18] < 4 * (size_t)nBlk)
    return fail(env, "smakernel.runBlock: an array is shorter than the config says");
  for (int i = 11; i <= 17; i++)
    if (len[i] < (size_t)nv) return fail(env, "smakernel.runBlock: a row array is shorter than the rows");
  for (int i = 0; i < P; i++)
    if (plist[i] < 1) return fail(env, "smakernel.runBlock: a period below 1");
  for (int r = 0; r < nv; r++)
    if (fastSlot[r] < 0 || fastSlot[r] >= P || slowSlot[r] < 0 || slowSlot[r] >= P || slowOf[r] < 1 ||
        pred[r] < -1 || pred[r] >= nv)
      return fail(env, "smakernel.runBlock: a row's slot, slow period or pred is out of range");
  for (int t = 0, t0 = 0; t < nTiles; t0 = tileEnds[t++])
    if (tileEnds[t] < t0 || (size_t)tileEnds[t] > len[6])
      return fail(env, "smakernel.runBlock: tile ends out of order or past the tile rows");
  for (int t = 0, t1 = nTiles > 0 ? tileEnds[nTiles - 1] : 0; t < t1; t++)
    if (tileRows[t] < 0 || tileRows[t] >= nv) return fail(env, "smakernel.runBlock: a tile row out of range");
  if (nBlk == 0) return NULL;

  /* The block's symbols: m bars each, the run's from w0 on at calendar rows idx[w0..m) < n (warm-up bars, never
     filled, have negative rows). */
  const int32_t *idxs[64];
  const double *cs[64], *dcs[64], *os[64];
  for (int b = 0; b < nBlk; b++) {
    const int m = meta[4 * b], w0 = meta[4 * b + 1];
    if (m < 0 || m > nAll || w0 < 0 || (m > 0 && w0 >= m))
      return fail(env, "smakernel.runBlock: a symbol's bar count is out of range");
    size_t li = 0, lc = 0, ld = 0, lo = 0;
    napi_value v;
    if (napi_get_element(env, a[19], b, &v) != napi_ok) ok = 0;
    idxs[b] = typed(env, v, &li, napi_int32_array, &ok);
    if (napi_get_element(env, a[20], b, &v) != napi_ok) ok = 0;
    cs[b] = typed(env, v, &lc, napi_float64_array, &ok);
    if (napi_get_element(env, a[21], b, &v) != napi_ok) ok = 0;
    dcs[b] = typed(env, v, &ld, napi_float64_array, &ok);
    if (napi_get_element(env, a[22], b, &v) != napi_ok) ok = 0;
    os[b] = typed(env, v, &lo, napi_float64_array, &ok);
    if (!ok) return fail(env, "smakernel.runBlock: bad symbol arrays");
    if (li < (size_t)m || lc < (size_t)m || ld < (size_t)m || lo < (size_t)m)
      return fail(env, "smakernel.runBlock: a symbol's arrays are shorter than its bars");
    for (int j = w0; j < m; j++)
      if (idxs[b][j] < 0 || idxs[b][j] >= n)
        return fail(env, "smakernel.runBlock: a symbol's bar index is past the calendar");
  }

  /* Scratch: SMAs and ranges per (symbol, period), a fill log per symbol, log spans per (symbol, row). */
  const size_t smaPer = (size_t)P * nAll, bPer = (size_t)P * nb;
  if (!grow((void **)&S->sma, &S->smaCap, smaPer * nBlk, sizeof(double)) ||
      !grow((void **)&S->bmn, &S->bCap, bPer * nBlk, sizeof(double)))
    return fail(env, "smakernel: out of memory");
  {
    size_t cap = S->bCap;
    S->bCap = 0;
    void *p = realloc(S->bmx, cap * sizeof(double));
    if (!p) return fail(env, "smakernel: out of memory");
    S->bmx = p;
    S->bCap = cap;
  }
  if ((size_t)nBlk > S->nLogs) {
    Log *l = realloc(S->logs, nBlk * sizeof(Log));
    if (!l) return fail(env, "smakernel: out of memory");
    memset(l + S->nLogs, 0, (nBlk - S->nLogs) * sizeof(Log));
    S->logs = l;
    S->nLogs = nBlk;
  }
  {
    size_t cap = S->lfCap;
    if (!grow((void **)&S->logFrom, &cap, (size_t)nv * nBlk, sizeof(int32_t))) return fail(env, "smakernel: out of memory");
    size_t cap2 = S->lfCap;
    if (!grow((void **)&S->logTo, &cap2, (size_t)nv * nBlk, sizeof(int32_t))) return fail(env, "smakernel: out of memory");
    S->lfCap = cap < cap2 ? cap : cap2;
  }
  {
    size_t c1 = S->evCap, c2 = S->evCap, c3 = S->evCap;
    if (!grow((void **)&S->evAt, &c1, nAll + 1, sizeof(int32_t)) ||
        !grow((void **)&S->evTarget, &c2, nAll + 1, sizeof(double)) ||
        !grow((void **)&S->crossDir, &c3, nAll + 1, sizeof(int8_t)))
      return fail(env, "smakernel: out of memory");
    S->evCap = c1 < c2 ? (c1 < c3 ? c1 : c3) : (c2 < c3 ? c2 : c3);
  }

  {
    size_t c1 = S->wCap, c2 = S->wCap;
    const size_t need = (size_t)(nb + 63) / 64 + 1;
    if (!grow((void **)&S->gw, &c1, need, sizeof(uint64_t)) || !grow((void **)&S->lw, &c2, need, sizeof(uint64_t)))
      return fail(env, "smakernel: out of memory");
    S->wCap = c1 < c2 ? c1 : c2;
  }
  uint64_t *gw = S->gw, *lw = S->lw;

  const double rate = costs[0], fixed = costs[1], bps = costs[2], buyMul = costs[3], sellMul = costs[4],
               unit = costs[5];

  for (int b = 0; b < nBlk; b++) {
    const int m = meta[4 * b];
    S->logs[b].len = 0;
    if (m == 0) continue;
    double *sma = S->sma + smaPer * b, *mn = S->bmn + bPer * b, *mx = S->bmx + bPer * b;
    const double *c = cs[b];
    int i = 0;
#if SMAK_SSE2
    for (; i + 3 < P && plist[i + 3] <= m; i += 4) {
      double *o4[4], *mn4[4], *mx4[4];
      for (int q = 0; q < 4; q++) {
        o4[q] = sma + (size_t)(i + q) * nAll;
        mn4[q] = mn + (size_t)(i + q) * nb;
        mx4[q] = mx + (size_t)(i + q) * nb;
      }
      smaQuadWithRanges(c, m, plist + i, o4, mn4, mx4);
    }
#endif
    for (; i + 1 < P && plist[i + 1] <= m; i += 2)
      smaPairWithRanges(c, m, plist[i], sma + (size_t)i * nAll, mn + (size_t)i * nb, mx + (size_t)i * nb,
                        plist[i + 1], sma + (size_t)(i + 1) * nAll, mn + (size_t)(i + 1) * nb,
                        mx + (size_t)(i + 1) * nb);
    if (i < P && plist[i] <= m) {
      SmaState st;
      smaWithRanges(c, m, plist[i], sma + (size_t)i * nAll, mn + (size_t)i * nb, mx + (size_t)i * nb, m, &st);
    }
  }

  int32_t *evAt = S->evAt;
  double *evTarget = S->evTarget;
  int8_t *crossDir = S->crossDir;
  for (int t = 0, t0 = 0; t < nTiles; t0 = tileEnds[t++]) {
    const int t1 = tileEnds[t];
    for (int b = 0; b < nBlk; b++) {
      const int m = meta[4 * b], w0 = meta[4 * b + 1], lastIsDelisting = meta[4 * b + 2], contiguous = meta[4 * b + 3];
      if (m == 0) continue;
      const int32_t *idx = idxs[b];
      const double *c = cs[b], *dc = dcs[b], *o = os[b];
      const double *sma = S->sma + smaPer * b, *mn = S->bmn + bPer * b, *mx = S->bmx + bPer * b;
      Log *log = &S->logs[b];
      int32_t *logFrom = S->logFrom + (size_t)nv * b, *logTo = S->logTo + (size_t)nv * b;
      for (int ti = t0; ti < t1; ti++) {
        const int r = tileRows[ti];
        const size_t from = log->len;
        logFrom[r] = (int32_t)from;
        double *row = cell + (size_t)r * n;
        const int p = pred[r];
        if (p >= 0) {
          /* This pair writes about where its pred filled: ask for those lines now, so their misses overlap the scan. */
          for (int32_t g = logFrom[p], g1 = logTo[p]; g < g1; g++) __builtin_prefetch(row + idx[log->at[g]], 1);
        }
        int nc = 0;
        if (slowOf[r] <= m) {
          const int fs = fastSlot[r], ss = slowSlot[r];
          nc = scanCrosses(sma + (size_t)fs * nAll, sma + (size_t)ss * nAll, mn + (size_t)fs * nb,
                           mx + (size_t)fs * nb, mn + (size_t)ss * nb, mx + (size_t)ss * nb, slowOf[r] - 1, m, evAt,
                           crossDir, gw, lw);
          for (int e = 0; e < nc; e++) evTarget[e] = longOnly && crossDir[e] < 0 ? 0 : crossDir[e];
        }
        double q = 0, cash = 0, entryPx = 0, entryComm = 0, tv = 0, nt = 0, nw = 0, gw = 0, gl = 0;
        for (int e = 0; e <= nc; e++) {
          int fb;
          double raw, target;
          if (e < nc) {
            const int j = evAt[e];
            if (j < w0) continue;
            target = evTarget[e];
            if ((q != 0 && target != 0 && (q > 0) == (target > 0)) || (q == 0 && target == 0)) continue;
            if (atClose) {
              fb = j;
              raw = c[j];
            } else if (j + 1 < m) {
              fb = j + 1;
              raw = o[j + 1];
            } else
              continue;
          } else if (lastIsDelisting && q != 0) {
            fb = m - 1;
            raw = c[m - 1];
            target = 0;
          } else
            break;
          const double cashBefore = cash;
          if (q != 0) {
            cash = exitCash(q, raw, costs, entryPx, entryComm, cash, &tv, &nt, &nw, &gw, &gl);
            q = 0;
          }
          /* sma-cross targets are -1, 0 or +1: the size is always `unit`. */
          const double u = unit;
          if (target != 0 && u > 0) {
            const double side = target > 0 ? 1.0 : -1.0;
            const double px = bps == 0 ? raw : side > 0 ? raw * buyMul : raw * sellMul;
            const double comm = fixed + rate * u * px;
            cash -= side * u * px + comm;
            tv += u * px;
            entryPx = px;
            entryComm = comm;
            q = side * u;
          }
          if (!pushFill(log, from, fb, q, cash - cashBefore)) return fail(env, "smakernel: out of memory");
        }
        if (closeAtEnd && q != 0) {
          /* event-kernel.ts `fill(st, 0, c[m - 1], costs)`: close the position at the last close. */
          const double raw = c[m - 1];
          const double cash2 = exitCash(q, raw, costs, entryPx, entryComm, cash, &tv, &nt, &nw, &gw, &gl);
          endCorr[r] += cash2 - cash - q * c[m - 1];
        }
        logTo[r] = (int32_t)log->len;
        traded[r] += tv;
        nTrades[r] += nt;
        wins[r] += nw;
        grossWin[r] += gw;
        grossLoss[r] += gl;
        uint32_t *bits = held + (size_t)r * words;
        int heldFrom = -1;
        for (size_t g = from; g < log->len; g++) {
          if (log->q[g] != 0) {
            if (heldFrom < 0) heldFrom = idx[log->at[g]];
          } else if (heldFrom >= 0) {
            setBits(bits, heldFrom, idx[log->at[g]]);
            heldFrom = -1;
          }
        }
        if (heldFrom >= 0 && heldFrom < heldToEnd[r]) heldToEnd[r] = heldFrom;
        addDifference(row, c, dc, idx, m, contiguous, log, from, log->len, p < 0 ? 0 : (size_t)logFrom[p],
                      p < 0 ? 0 : (size_t)logTo[p]);
      }
    }
  }
  return NULL;
}

NAPI_MODULE_INIT() {
  Scratch *s = calloc(1, sizeof(Scratch));
  if (!s || napi_set_instance_data(env, s, freeScratch, NULL) != napi_ok) {
    free(s);
    napi_throw_error(env, NULL, "smakernel: cannot allocate its scratch");
    return NULL;
  }
  napi_value fn;
  if (napi_create_function(env, "runBlock", NAPI_AUTO_LENGTH, runBlock, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "runBlock", fn) != napi_ok)
    return NULL;
  return exports;
}
