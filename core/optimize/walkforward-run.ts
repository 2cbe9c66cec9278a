import type { Metrics, MetricsRecord } from '../backtest/types';
import { loadPanel } from '../data/panel';
import { formatDate } from '../model/time';
import type { JobOutcome } from '../pool/protocol';
import { progressOf, type Pool, type PoolProgress } from '../pool/types';
import type { Store } from '../store/sqlite-bar-store';
import { backtestJob, panelRefFor, type BacktestJobResult } from './backtest-job';
import { smaKernelIneligibility } from './sma-kernel';
import { checkSweep, comboSpec, runSweep, SweepInputError } from './sweep';
import { compareByObjective, type Params, type SweepSpec } from './sweep-spec';
import { annualise, stitchEquity, walkForwardEfficiency, walkForwardWindows, type StitchedEquity } from './walkforward';

/** One walk-forward window in the output: its dates, the parameters chosen in-sample, and both metric sets. */
export interface WalkForwardWindowResult<M extends MetricsRecord = Metrics> {
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly trainBars: number;
  readonly testBars: number;
  /** Best combination on the training window by the objective; null when none ran. */
  readonly params: Params | null;
  readonly inSample: M | null;
  readonly outOfSample: M | null;
  /** Why the window has no result, if it has none. */
  readonly error?: string;
}

/** What `quantdesk walkforward --json` prints. */
export interface WalkForwardOutput<M extends MetricsRecord = Metrics> {
  readonly objective: string;
  readonly anchored: boolean;
  readonly train: number;
  readonly test: number;
  readonly runs: number;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly windows: readonly WalkForwardWindowResult<M>[];
  /** Out-of-sample equity of all test windows chained (see `stitchEquity`), as plain arrays. */
  readonly oosEquity: { readonly time: number[]; readonly value: number[] };
  readonly oosTotalReturn: number;
  readonly oosAnnualReturn: number | null;
  readonly isAnnualReturnMean: number | null;
  /** See `walkForwardEfficiency`. */
  readonly efficiency: number | null;
}

/** Options of {@link runWalkForward}. */
export interface WalkForwardOptions {
  readonly train: number;
  readonly test: number;
  readonly anchored: boolean;
  readonly onProgress?: (p: PoolProgress) => void;
  readonly signal?: AbortSignal;
}

/**
 * Walk-forward optimisation: over the bars of `sweep.base` (its `start`..`end`), for each window
 * sweeps the grid on the training bars, takes the best combination by the objective, and runs it on
 * the following test bars. Every training sweep goes to the pool as one run (windows × combinations
 * jobs), or, when the sma-cross kernel can model the sweep, one kernel sweep per window (best few
 * re-run in the engine, as `runSweep`); then the test runs as a second. Each window (training or test) is a fresh run starting
 * flat with the base capital at its first bar, its strategy warmed on the bars before it (the base
 * spec's `warmup`, or by default `train` bars: all known before the window starts), so a test
 * window trades from its first bar instead of spending its lookback cold. Dates are the bars' UTC dates.
 */
export async function runWalkForward(
  store: Store,
  sweep: SweepSpec,
  pool: Pool,
  options: WalkForwardOptions,
): Promise<WalkForwardOutput> {
  const t0 = Date.now();
  const { base: parsed, combos } = checkSweep(store, sweep);
  const base = parsed.warmup > 0 ? parsed : { ...parsed, warmup: options.train };
  const ref = panelRefFor(store, base);
  const panel = loadPanel(store, ref.query);
  const startMs = base.start ? Date.parse(base.start) : -Infinity;
  const endMs = base.end ? Date.parse(base.end) + 86_399_999 : Infinity;
  const times: number[] = [];
  for (let i = 0; i < panel.nDays; i++)
    if (panel.time[i] >= startMs && panel.time[i] <= endMs) times.push(panel.time[i]);
  let windows;
  try {
    windows = walkForwardWindows(times.length, options.train, options.test, options.anchored);
  } catch (e) {
    throw new SweepInputError([(e as Error).message]);
  }
  const day = (i: number) => formatDate(times[i]);
  const totalJobs = windows.length * combos.length + windows.length;
  const report = (done: number, failed: number) => options.onProgress?.(progressOf(done, failed, totalJobs, t0));

  const trainRuns = windows.length * combos.length;
  let trainFailed = 0;
  let chosen: ({ params: Params; metrics: Metrics } | null)[];
  if (sweep.engine === 'auto' && smaKernelIneligibility(base, Object.keys(sweep.grid)) === null) {
    // The sma-cross kernel ranks each training window (as `quantdesk sweep` would), and its best few
    // are re-run in the engine, whose metrics choose and are reported.
    const windowSweep: SweepSpec = {
      ...sweep,
      base: { ...sweep.base, warmup: base.warmup },
      top: Math.min(sweep.top, 5),
      curves: 0,
    };
    chosen = [];
    for (const [k, w] of windows.entries()) {
      const out = await runSweep(store, windowSweep, pool, {
        start: day(w.trainStart),
        end: day(w.trainEnd - 1),
        signal: options.signal,
        onProgress: (p) => report(k * combos.length + p.completed, trainFailed + p.failed),
      });
      trainFailed += out.failed.length;
      chosen.push(out.best);
    }
  } else {
    const trainJobs = windows.flatMap((w) =>
      combos.map((p) =>
        backtestJob(ref, { ...comboSpec(base, p), start: day(w.trainStart), end: day(w.trainEnd - 1) }),
      ),
    );
    const trained = await pool.run<BacktestJobResult>(trainJobs, {
      signal: options.signal,
      onProgress: (p) => report(p.completed, p.failed),
    });
    trainFailed = trained.filter((o) => !o.ok).length;
    const compare = compareByObjective(sweep.objective);
    chosen = windows.map((_, w) => {
      let best: { params: Params; metrics: Metrics; index: number } | null = null;
      for (let k = 0; k < combos.length; k++) {
        const o = trained[w * combos.length + k];
        if (!o.ok) continue;
        const cand = { params: combos[k], metrics: o.value.metrics, index: k };
        if (!best || compare(cand, best) < 0) best = cand;
      }
      return best;
    });
  }
  const testIdx: number[] = [];
  const testJobs = windows.flatMap((w, i) => {
    const c = chosen[i];
    if (!c) return [];
    testIdx.push(i);
    return [backtestJob(ref, { ...comboSpec(base, c.params), start: day(w.testStart), end: day(w.testEnd - 1) }, true)];
  });
  const tested = await pool.run<BacktestJobResult>(testJobs, {
    signal: options.signal,
    onProgress: (p) => report(trainRuns + p.completed + (windows.length - testJobs.length), trainFailed + p.failed),
  });
  const oos: (JobOutcome<BacktestJobResult> | null)[] = windows.map(() => null);
  testIdx.forEach((w, k) => (oos[w] = tested[k]));

  const pieces: { time: Float64Array; value: Float64Array }[] = [];
  let testBars = 0;
  const results: WalkForwardWindowResult[] = windows.map((w, i) => {
    const c = chosen[i];
    const o = oos[i];
    const row = {
      trainStart: day(w.trainStart),
      trainEnd: day(w.trainEnd - 1),
      testStart: day(w.testStart),
      testEnd: day(w.testEnd - 1),
      trainBars: w.trainEnd - w.trainStart,
      testBars: w.testEnd - w.testStart,
      params: c?.params ?? null,
      inSample: c?.metrics ?? null,
    };
    if (!c) return { ...row, outOfSample: null, error: 'no combination ran on the training window' };
    if (!o || !o.ok) return { ...row, outOfSample: null, error: o && !o.ok ? o.error.message : 'not run' };
    const eq = o.value.equity!;
    pieces.push({ time: Float64Array.from(eq.time), value: Float64Array.from(eq.value) });
    testBars += eq.value.length;
    return { ...row, outOfSample: o.value.metrics };
  });
  const stitched: StitchedEquity = stitchEquity(pieces, base.capital);
  const final = stitched.value.length ? stitched.value[stitched.value.length - 1] : base.capital;
  const oosTotalReturn = final / base.capital - 1;
  const oosAnnualReturn = annualise(oosTotalReturn, testBars, base.barsPerYear);
  const isAnnual = results.map((r) =>
    r.inSample ? annualise(r.inSample.totalReturn, r.trainBars, base.barsPerYear) : null,
  );
  const isVals = isAnnual.filter((x): x is number => x !== null);
  return {
    objective: sweep.objective,
    anchored: options.anchored,
    train: options.train,
    test: options.test,
    runs: trainRuns + testJobs.length,
    elapsedMs: Date.now() - t0,
    workers: pool.size,
    windows: results,
    oosEquity: { time: Array.from(stitched.time), value: Array.from(stitched.value) },
    oosTotalReturn,
    oosAnnualReturn,
    isAnnualReturnMean: isVals.length ? isVals.reduce((s, x) => s + x, 0) / isVals.length : null,
    efficiency: walkForwardEfficiency(oosAnnualReturn, isAnnual),
  };
}
