import type { Metrics, Trade } from './types';

const YEAR_MS = 365.25 * 86_400_000;

/** Per-bar simple returns of an equity curve: `r[t-1] = e[t] / e[t-1] - 1` for t = 1..n-1. */
export function barReturns(equity: Float64Array, out = new Float64Array(Math.max(0, equity.length - 1))): Float64Array {
  for (let t = 1; t < equity.length; t++) out[t - 1] = equity[t] / equity[t - 1] - 1;
  return out;
}

/** Arithmetic mean; NaN for an empty array. */
export function mean(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return x.length ? s / x.length : Number.NaN;
}

/** Sample standard deviation (n - 1 denominator); NaN below two values. */
export function sampleStd(x: Float64Array): number {
  const n = x.length;
  if (n < 2) return Number.NaN;
  const m = mean(x);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i] - m) * (x[i] - m);
  return Math.sqrt(ss / (n - 1));
}

/**
 * Maximum drawdown as a negative fraction: the minimum over t of `equity[t] / peak[t] - 1`, where
 * peak is the running maximum of the curve. 0 for a curve that never falls.
 */
export function maxDrawdown(equity: Float64Array): number {
  let peak = -Infinity;
  let worst = 0;
  for (let t = 0; t < equity.length; t++) {
    const e = equity[t];
    if (e >= peak) peak = e;
    else if (e < peak * (1 + worst)) worst = e / peak - 1;
  }
  return worst;
}

/**
 * Longest drawdown in bars: from the bar of a peak to the first bar back at or above it (or to the
 * last bar if the curve never recovers).
 */
export function maxDrawdownDuration(equity: Float64Array): number {
  let peak = -Infinity;
  let peakAt = 0;
  let longest = 0;
  for (let t = 0; t < equity.length; t++) {
    if (equity[t] >= peak) {
      if (t - peakAt > longest) longest = t - peakAt;
      peak = equity[t];
      peakAt = t;
    }
  }
  const open = equity.length - 1 - peakAt;
  return open > longest ? open : longest;
}

/** Rearranges `a` so `a[k]` is the k-th smallest (0-based) and everything before it is <= it (quickselect, O(n)). */
function selectKth(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * Historical value at risk at `level` (0.95): the (1 - level) quantile of the returns, linearly
 * interpolated between order statistics (numpy's default). A loss is negative. NaN when empty.
 * O(n) without copying the returns: a threshold from a strided sample bounds the tail, one pass
 * gathers the values at or below it, and the order statistics are selected among those few (the
 * full selection runs when the sample's guess holds too few, or on NaN).
 */
export function valueAtRisk(returns: Float64Array, level = 0.95): number {
  const n = returns.length;
  if (n < 4096) return valueAtRiskBySelection(returns, level);
  const pos = (1 - level) * (n - 1);
  const lo = Math.floor(pos);
  const needNext = !(lo + 1 >= n || pos === lo);
  const want = needNext ? lo + 2 : lo + 1;
  const step = Math.floor(n / 2048);
  const ns = Math.floor((n - 1) / step) + 1;
  if (scratchSelect.length < n) scratchSelect = new Float64Array(n);
  const sample = scratchSelect.subarray(0, ns);
  for (let i = 0, j = 0; j < ns; i += step, j++) sample[j] = returns[i];
  // Aim above the wanted share (+50% and a margin) so the gathered tail almost always suffices.
  const ks = Math.min(ns - 1, Math.ceil((want / n) * ns * 1.5) + 16);
  const threshold = selectKth(sample, ks);
  if (threshold !== threshold) return valueAtRiskBySelection(returns, level);
  const tail = scratchSelect;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const x = returns[i];
    if (x <= threshold) tail[c++] = x;
    else if (x !== x) return valueAtRiskBySelection(returns, level);
  }
  if (c < want) return valueAtRiskBySelection(returns, level);
  // Every value below the threshold is in the tail and it holds at least `want` of them, so the
  // smallest `want` values of the tail are the smallest of all.
  const s = tail.subarray(0, c);
  const a = selectKth(s, lo);
  if (!needNext) return a;
  let b = Infinity;
  for (let i = lo + 1; i < c; i++) if (s[i] < b) b = s[i];
  return a + (b - a) * (pos - lo);
}

let scratchSelect = new Float64Array(1024);

/** {@link valueAtRisk} by quickselect on a copy: the reference, and the path for inputs holding NaN. */
export function valueAtRiskBySelection(returns: Float64Array, level = 0.95): number {
  const n = returns.length;
  if (n === 0) return Number.NaN;
  const s = returns.slice();
  const pos = (1 - level) * (n - 1);
  const lo = Math.floor(pos);
  const a = selectKth(s, lo);
  if (lo + 1 >= n || pos === lo) return a;
  // the next order statistic is the smallest value right of the selected one
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (s[i] < b) b = s[i];
  return a + (b - a) * (pos - lo);
}

/** Conditional VaR: the mean of the returns at or below the VaR at `level` (`var` may be passed in when known). NaN when empty. */
export function conditionalVaR(returns: Float64Array, level = 0.95, v = valueAtRisk(returns, level)): number {
  let s = 0;
  let k = 0;
  for (let i = 0; i < returns.length; i++) {
    if (returns[i] <= v) {
      s += returns[i];
      k++;
    }
  }
  return k ? s / k : Number.NaN;
}

/** Inputs beyond the equity curve that some metrics need. */
export interface MetricsInput {
  readonly capital: number;
  readonly time: Float64Array;
  readonly equity: Float64Array;
  readonly trades: readonly Trade[];
  /** Bars with at least one open position at the close. */
  readonly barsInMarket: number;
  /** Sum of |qty × price| over every fill. */
  readonly tradedValue: number;
  readonly barsPerYear: number;
  /** Benchmark closes on the same bars (NaN where missing), or undefined. */
  readonly benchmark?: Float64Array;
}

let scratchReturns = new Float64Array(1024);
let scratchTail = new Float64Array(1024);
const tailPair: [number, number] = [0, 0];

/**
 * Fewest returns for which the fused pass gathers the VaR's tail under a sampled threshold (see
 * {@link tailThreshold}); shorter series select over a copy of all of them. The result is the same
 * either way (tailVaR falls back when the tail cannot decide); the sample pays from a few hundred
 * returns on, e.g. ten years of daily bars, which a sweep's kernel scores for every combination.
 */
const TAIL_MIN_RETURNS = 512;

/**
 * The sampled threshold {@link valueAtRisk} gathers its tail under (NaN when the sample holds NaN). Below
 * 4,096 returns, about 256 samples (a stride of n / 2048 would be 1 or 0 there).
 */
function tailThreshold(returns: Float64Array, level: number): number {
  const n = returns.length;
  const pos = (1 - level) * (n - 1);
  const lo = Math.floor(pos);
  const want = lo + 1 >= n || pos === lo ? lo + 1 : lo + 2;
  const step = n >= 4096 ? Math.floor(n / 2048) : Math.max(1, Math.floor(n / 256));
  const ns = Math.floor((n - 1) / step) + 1;
  if (scratchSelect.length < n) scratchSelect = new Float64Array(n);
  const sample = scratchSelect.subarray(0, ns);
  for (let i = 0, j = 0; j < ns; i += step, j++) sample[j] = returns[i];
  return selectKth(sample, Math.min(ns - 1, Math.ceil((want / n) * ns * 1.5) + 16));
}

/**
 * VaR and CVaR at `level` from the values at or below `threshold`, gathered in order (`tail[0, nTail)`):
 * the same numbers as valueAtRisk and conditionalVaR (same order statistics; the CVaR sums the same
 * values in the same order). Null when the tail cannot decide (no threshold, too few values). The
 * caller handles NaN returns (never in the tail) by not calling it.
 */
function tailVaR(
  returns: Float64Array,
  tail: Float64Array,
  nTail: number,
  threshold: number,
  level: number,
): [number, number] | null {
  const n = returns.length;
  if (threshold !== threshold) return null;
  const pos = (1 - level) * (n - 1);
  const lo = Math.floor(pos);
  const needNext = !(lo + 1 >= n || pos === lo);
  if (nTail < (needNext ? lo + 2 : lo + 1)) return null;
  if (scratchSelect.length < nTail) scratchSelect = new Float64Array(nTail);
  const s = scratchSelect.subarray(0, nTail);
  s.set(tail.subarray(0, nTail));
  const a = selectKth(s, lo);
  let v = a;
  if (needNext) {
    let b = Infinity;
    for (let i = lo + 1; i < nTail; i++) if (s[i] < b) b = s[i];
    v = a + (b - a) * (pos - lo);
  }
  let sum = 0;
  let k = 0;
  for (let i = 0; i < nTail; i++) {
    const x = tail[i];
    if (x <= v) {
      sum += x;
      k++;
    }
  }
  tailPair[0] = v;
  tailPair[1] = k ? sum / k : Number.NaN;
  return tailPair;
}

function orNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/**
 * Computes every metric of a run (see the README for definitions). Returns are the per-bar simple
 * returns of the equity curve from its first bar; annualisation uses `barsPerYear` (252 for daily
 * bars), CAGR uses calendar time between the first and last bar. Risk-free rate 0.
 */
export function computeMetrics(m: MetricsInput): Metrics {
  const e = m.equity;
  const n = e.length;
  const final = n ? e[n - 1] : m.capital;
  // Fused passes with the same operations in the same order as barReturns, mean, sampleStd,
  // maxDrawdown and maxDrawdownDuration (bit-identical results; the metrics tests compare them).
  const nr = Math.max(0, n - 1);
  if (scratchReturns.length < nr) scratchReturns = new Float64Array(nr);
  const r = scratchReturns.subarray(0, nr);
  let sumR = 0;
  let meanEquity = 0;
  let peak = -Infinity;
  let mdd = 0;
  let ddPeak = -Infinity;
  let peakAt = 0;
  let longest = 0;
  for (let t = 0; t < n; t++) {
    const y = e[t];
    if (t > 0) {
      const x = y / e[t - 1] - 1;
      r[t - 1] = x;
      sumR += x;
    }
    meanEquity += y;
    if (y >= peak) peak = y;
    else if (y < peak * (1 + mdd)) mdd = y / peak - 1;
    if (y >= ddPeak) {
      if (t - peakAt > longest) longest = t - peakAt;
      ddPeak = y;
      peakAt = t;
    }
  }
  const mu = nr ? sumR / nr : Number.NaN;
  // The VaR's tail (values at or below a sampled threshold, see valueAtRisk) is gathered in this pass,
  // in order, so neither VaR nor CVaR needs another pass over all returns. NaN: no threshold.
  const threshold = nr >= TAIL_MIN_RETURNS ? tailThreshold(r, 0.95) : Number.NaN;
  if (scratchTail.length < nr) scratchTail = new Float64Array(nr);
  const tail = scratchTail;
  let nTail = 0;
  let ss = 0;
  let down = 0;
  for (let i = 0; i < nr; i++) {
    const x = r[i];
    ss += (x - mu) * (x - mu);
    // Branch-free (signs are random): adding +0 for a gain leaves the sum unchanged.
    const loss = x < 0 ? x : 0;
    down += loss * loss;
    if (x <= threshold) tail[nTail++] = x;
  }
  const sd = nr < 2 ? Number.NaN : Math.sqrt(ss / (nr - 1));
  const ann = Math.sqrt(m.barsPerYear);
  const downDev = nr ? Math.sqrt(down / nr) : Number.NaN;
  const years = n > 1 ? (m.time[n - 1] - m.time[0]) / YEAR_MS : 0;
  const cagr = years > 0 && final > 0 ? Math.pow(final / m.capital, 1 / years) - 1 : Number.NaN;
  const ddDuration = n - 1 - peakAt > longest ? n - 1 - peakAt : longest;
  meanEquity = n ? meanEquity / n : m.capital;
  // A NaN (or infinite) return makes ss NaN: leave those inputs to the reference functions.
  const tailRisk = ss === ss ? tailVaR(r, tail, nTail, threshold, 0.95) : null;
  const var95 = tailRisk ? tailRisk[0] : valueAtRisk(r);
  const cvar95 = tailRisk ? tailRisk[1] : conditionalVaR(r, 0.95, var95);
  let wins = 0;
  let grossWin = 0;
  let grossLoss = 0;
  for (const t of m.trades) {
    if (t.pnl > 0) {
      wins++;
      grossWin += t.pnl;
    } else grossLoss -= t.pnl;
  }
  let alpha = Number.NaN;
  let beta = Number.NaN;
  let informationRatio = Number.NaN;
  if (m.benchmark) {
    const b = m.benchmark;
    let k = 0;
    let sx = 0;
    let sy = 0;
    for (let t = 1; t < n; t++) {
      const rb = b[t] / b[t - 1] - 1;
      if (rb === rb) {
        k++;
        sx += rb;
        sy += r[t - 1];
      }
    }
    if (k > 1) {
      const mx = sx / k;
      const my = sy / k;
      let cov = 0;
      let varx = 0;
      for (let t = 1; t < n; t++) {
        const rb = b[t] / b[t - 1] - 1;
        if (rb === rb) {
          cov += (rb - mx) * (r[t - 1] - my);
          varx += (rb - mx) * (rb - mx);
        }
      }
      if (varx > 0) {
        beta = cov / varx;
        alpha = (my - beta * mx) * m.barsPerYear;
      }
      // Active return a = r − rb on the same bars: its mean is my − mx; tracking error is its sample std.
      const ma = my - mx;
      let ssa = 0;
      for (let t = 1; t < n; t++) {
        const rb = b[t] / b[t - 1] - 1;
        if (rb === rb) {
          const d = r[t - 1] - rb - ma;
          ssa += d * d;
        }
      }
      const te = Math.sqrt(ssa / (k - 1));
      if (te > 0) informationRatio = (ma / te) * Math.sqrt(m.barsPerYear);
    }
  }
  return {
    finalEquity: final,
    totalReturn: final / m.capital - 1,
    cagr: orNull(cagr),
    volatility: orNull(sd * ann),
    sharpe: orNull(sd > 0 ? (mu / sd) * ann : Number.NaN),
    sortino: orNull(downDev > 0 ? (mu / downDev) * ann : Number.NaN),
    calmar: orNull(mdd < 0 ? cagr / -mdd : Number.NaN),
    maxDrawdown: mdd,
    maxDrawdownDuration: ddDuration,
    var95: orNull(var95),
    cvar95: orNull(cvar95),
    winRate: m.trades.length ? wins / m.trades.length : null,
    profitFactor: grossLoss > 0 ? grossWin / grossLoss : null,
    trades: m.trades.length,
    exposure: n ? m.barsInMarket / n : 0,
    turnover: meanEquity > 0 ? m.tradedValue / meanEquity : 0,
    alpha: orNull(alpha),
    beta: orNull(beta),
    informationRatio: orNull(informationRatio),
  };
}
