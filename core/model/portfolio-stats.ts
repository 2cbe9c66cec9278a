/**
 * Portfolio statistics shared by the Backtest view's analytics (renderer) and the HTML tear sheet (core): simple
 * returns, rolling Sharpe / volatility / beta, and histograms. Plain functions over numbers, in `core/model` so
 * the renderer runs the same code as the tear sheet.
 */

/** Simple returns of a series; r[0] = NaN. */
export function returnsOf(values: ArrayLike<number>): Float64Array {
  const r = new Float64Array(values.length);
  r[0] = Number.NaN;
  for (let i = 1; i < values.length; i++) r[i] = values[i - 1] > 0 ? values[i] / values[i - 1] - 1 : Number.NaN;
  return r;
}

/** Rolling statistics over `window` bars of returns, annualised with `barsPerYear`; NaN until a full window. */
export interface Rolling {
  readonly sharpe: Float64Array;
  readonly volatility: Float64Array;
  /** NaN without a benchmark, or where a window has fewer than half its bars with one. */
  readonly beta: Float64Array;
}

/** Rolling Sharpe (mean/std × √barsPerYear, rf 0), volatility (std × √barsPerYear) and beta (cov/var against the benchmark). */
export function rollingStats(
  equity: ArrayLike<number>,
  bench: ArrayLike<number> | null,
  window: number,
  barsPerYear = 252,
): Rolling {
  const n = equity.length;
  const r = returnsOf(equity);
  const b = bench ? returnsOf(bench) : null;
  const sharpe = new Float64Array(n).fill(Number.NaN);
  const volatility = new Float64Array(n).fill(Number.NaN);
  const beta = new Float64Array(n).fill(Number.NaN);
  const ann = Math.sqrt(barsPerYear);
  for (let i = window; i < n; i++) {
    let s = 0;
    let ss = 0;
    let k = 0;
    for (let j = i - window + 1; j <= i; j++) {
      const x = r[j];
      if (!Number.isFinite(x)) continue;
      s += x;
      ss += x * x;
      k++;
    }
    if (k < 2) continue;
    const m = s / k;
    const sd = Math.sqrt(Math.max(0, (ss - k * m * m) / (k - 1)));
    volatility[i] = sd * ann;
    sharpe[i] = sd > 0 ? (m / sd) * ann : Number.NaN;
    if (b) {
      let sx = 0;
      let sy = 0;
      let sxy = 0;
      let syy = 0;
      let kb = 0;
      for (let j = i - window + 1; j <= i; j++) {
        const x = r[j];
        const y = b[j];
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        sx += x;
        sy += y;
        sxy += x * y;
        syy += y * y;
        kb++;
      }
      if (kb >= Math.max(2, window / 2)) {
        const cov = (sxy - (sx * sy) / kb) / (kb - 1);
        const varY = (syy - (sy * sy) / kb) / (kb - 1);
        beta[i] = varY > 0 ? cov / varY : Number.NaN;
      }
    }
  }
  return { sharpe, volatility, beta };
}

/** A histogram of finite values in `bins` equal bins over [min, max]. */
export function histogram(values: readonly number[], bins: number): { lo: number; hi: number; counts: number[] } {
  const xs = values.filter(Number.isFinite);
  if (xs.length === 0) return { lo: 0, hi: 0, counts: [] };
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  const counts = new Array<number>(bins).fill(0);
  const w = (hi - lo) / bins || 1;
  for (const x of xs) counts[Math.min(bins - 1, Math.floor((x - lo) / w))]++;
  return { lo, hi, counts };
}
