import { Prng } from './prng';

const YEAR_MS = 365.25 * 86_400_000;

/** Percentiles reported for every Monte Carlo statistic. */
export const MC_PERCENTILES = [5, 25, 50, 75, 95] as const;

/**
 * One statistic's distribution over the paths: percentile → value (keys `p5`, `p25`, `p50`, `p75`, `p95`) and the mean.
 * `V` is `number` as computed (NaN where undefined) and `number | null` in the JSON-safe view ({@link MonteCarloView}).
 */
export interface Distribution<V extends number | null = number> {
  readonly p5: V;
  readonly p25: V;
  readonly p50: V;
  readonly p75: V;
  readonly p95: V;
  readonly mean: V;
}

/** What a Monte Carlo run reports. */
export interface MonteCarloResult<V extends number | null = number> {
  readonly method: 'trades' | 'returns';
  readonly paths: number;
  readonly seed: number;
  /** Block length in bars (method `returns`), or 1. */
  readonly blockLength: number;
  /** Steps per path: trades (method `trades`) or bar returns (method `returns`). */
  readonly steps: number;
  readonly capital: number;
  readonly finalEquity: Distribution<V>;
  /** Max drawdown per path as a negative fraction (as `Metrics.maxDrawdown`). */
  readonly maxDrawdown: Distribution<V>;
  /** CAGR per path over the run's calendar span; NaN for a path that ends at or below zero. */
  readonly cagr: Distribution<V>;
  /** The ruin level as a loss fraction (0.5 = losing half) and the share of paths whose equity ever fell to `capital × (1 - ruin)` or below. */
  readonly ruin: number;
  readonly probabilityOfRuin: number;
}

/** A Monte Carlo result as `montecarlo:run` and `quantdesk montecarlo --json` give it: non-finite values are null. */
export type MonteCarloView = MonteCarloResult<number | null>;

/** What Monte Carlo needs from a finished run. */
export interface MonteCarloInput {
  readonly capital: number;
  /** Equity at each bar's close and the bars' times (EpochMs). */
  readonly equityTime: Float64Array;
  readonly equity: Float64Array;
  /** Closed trades: net P&L and the index of the entry bar in the equity curve. */
  readonly tradePnl: Float64Array;
  readonly tradeEntryBar: Float64Array;
}

/** Options of {@link monteCarlo}. */
export interface MonteCarloOptions {
  readonly method: 'trades' | 'returns';
  readonly paths: number;
  readonly seed: number;
  /** Loss fraction that counts as ruin; default 0.5. */
  readonly ruin?: number;
  /** Block length for `returns`; default round(sqrt(number of returns)), at least 1. */
  readonly blockLength?: number;
}

/** Most paths one Monte Carlo may draw (`montecarlo:run` and `quantdesk montecarlo --paths`): about 10 s on one core for a 10-year daily curve. */
export const MAX_PATHS = 1_000_000;

/**
 * Monte Carlo robustness of a run, reproducible by seed.
 * - `trades`: each path draws as many trades as the run had, with replacement, and compounds them;
 *   a trade's return is its P&L over the equity before its entry bar (so position sizing carries over).
 * - `returns`: a circular block bootstrap of the per-bar returns of the equity curve (blocks of
 *   `blockLength` consecutive bars keep volatility clustering), as many returns as the run had.
 * Drawdown is measured along the path's steps. CAGR uses the run's calendar span for every path.
 * Throws for a run with nothing to resample (no trades, or fewer than two equity points).
 */
export function monteCarlo(input: MonteCarloInput, options: MonteCarloOptions): MonteCarloResult {
  const { capital } = input;
  const ruin = options.ruin ?? 0.5;
  const floor = capital * (1 - ruin);
  const n = input.equity.length;
  const years = n > 1 ? (input.equityTime[n - 1] - input.equityTime[0]) / YEAR_MS : 0;
  let steps: Float64Array;
  let block = 1;
  if (options.method === 'trades') {
    const k = input.tradePnl.length;
    if (k === 0) throw new Error('the run has no closed trades to resample (try --method returns)');
    steps = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const bar = input.tradeEntryBar[i];
      const before = bar >= 1 ? input.equity[bar - 1] : capital;
      steps[i] = input.tradePnl[i] / before;
    }
  } else {
    if (n < 2) throw new Error('the run has fewer than two equity points to resample');
    steps = new Float64Array(n - 1);
    for (let t = 1; t < n; t++) steps[t - 1] = input.equity[t] / input.equity[t - 1] - 1;
    block = Math.max(1, Math.min(steps.length, options.blockLength ?? Math.round(Math.sqrt(steps.length))));
  }
  const m = steps.length;
  const paths = options.paths;
  // Three Float64Arrays of `paths` each: an unbounded count is an allocation failure, not a result.
  if (!Number.isInteger(paths) || paths < 1 || paths > MAX_PATHS)
    throw new Error(`paths: expected an integer from 1 to ${MAX_PATHS}, got ${paths}`);
  const finals = new Float64Array(paths);
  const dds = new Float64Array(paths);
  const cagrs = new Float64Array(paths);
  let ruined = 0;
  const rng = new Prng(options.seed);
  for (let p = 0; p < paths; p++) {
    let e = capital;
    let peak = capital;
    let worst = 0;
    let hitRuin = false;
    let drawn = 0;
    while (drawn < m) {
      // A block of `block` consecutive steps (wrapping), or single draws for trades.
      let at = rng.int(m);
      const len = Math.min(block, m - drawn);
      for (let j = 0; j < len; j++) {
        e *= 1 + steps[at];
        if (e > peak) peak = e;
        const dd = e / peak - 1;
        if (dd < worst) worst = dd;
        if (e <= floor) hitRuin = true;
        if (++at === m) at = 0;
      }
      drawn += len;
    }
    finals[p] = e;
    dds[p] = worst;
    cagrs[p] = years > 0 && e > 0 ? Math.pow(e / capital, 1 / years) - 1 : Number.NaN;
    if (hitRuin) ruined++;
  }
  return {
    method: options.method,
    paths,
    seed: options.seed,
    blockLength: block,
    steps: m,
    capital,
    finalEquity: distribution(finals),
    maxDrawdown: distribution(dds),
    cagr: distribution(cagrs),
    ruin,
    probabilityOfRuin: paths ? ruined / paths : 0,
  };
}

/** Percentiles (linear interpolation between order statistics, numpy's default) and mean of the finite values; NaN when none. */
export function distribution(xs: Float64Array): Distribution {
  const finite = xs.filter((x) => Number.isFinite(x)).sort();
  const q = (pct: number) => {
    if (finite.length === 0) return Number.NaN;
    const pos = (pct / 100) * (finite.length - 1);
    const lo = Math.floor(pos);
    const hi = Math.min(finite.length - 1, lo + 1);
    return finite[lo] + (finite[hi] - finite[lo]) * (pos - lo);
  };
  let sum = 0;
  for (let i = 0; i < finite.length; i++) sum += finite[i];
  return {
    p5: q(5),
    p25: q(25),
    p50: q(50),
    p75: q(75),
    p95: q(95),
    mean: finite.length ? sum / finite.length : Number.NaN,
  };
}
