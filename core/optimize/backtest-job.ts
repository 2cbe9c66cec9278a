import { runBacktest } from '../backtest/engine';
import type { BacktestSpec } from '../backtest/spec';
import type { BacktestResult, Metrics } from '../backtest/types';
import type { PanelRequest } from '../data/panel';
import type { Panel } from '../data/panel-types';
import type { PanelRef, PoolJob } from '../pool/protocol';
import type { JobTable } from '../pool/worker-host';
import { dataFingerprint } from '../store/fingerprint';
import type { Store } from '../store/sqlite-bar-store';
import { getStrategy } from '../strategies';

/** Job kind: one exact engine run of a full spec; returns its metrics (and with `full`, equity and trades). */
export const BACKTEST_JOB = 'optimize:backtest';

/** Data of a {@link BACKTEST_JOB}. */
export interface BacktestJobData {
  readonly spec: BacktestSpec;
  /** Also return the equity curve and trades (top results, walk-forward test windows). */
  readonly full?: boolean;
}

/** What a {@link BACKTEST_JOB} returns. */
export interface BacktestJobResult {
  readonly metrics: Metrics;
  /** Plain arrays, so the result survives JSON (the cluster backend) as well as structured clone. */
  readonly equity?: { readonly time: number[]; readonly value: number[] };
  readonly trades?: BacktestResult['trades'];
}

/**
 * The panel a spec reads: every bar of its symbols (or of every instrument for a universe), in its
 * adjustment, with no date clipping, so sweeps, walk-forward windows and single runs over any
 * sub-range of the same spec share one panel per worker (the engine clips to `start`/`end`).
 */
export function panelRefFor(store: Store, spec: BacktestSpec): PanelRef {
  const query: PanelRequest = spec.symbols ? { symbols: spec.symbols, adjustment: spec.adjustment } : { adjustment: spec.adjustment };
  return { fingerprint: dataFingerprint(store), query: query as unknown as PanelRef['query'] };
}

/** Runs `spec` on `panel` in the exact engine, with the built-in strategy it names. */
export function runSpec(spec: BacktestSpec, panel: Panel): BacktestResult {
  const strategy = getStrategy(spec.strategy);
  if (!strategy) throw new Error(`strategy: unknown strategy "${spec.strategy}"`);
  return runBacktest(spec, panel, { strategy });
}

/** A pool job running `spec` on the panel `ref`. */
export function backtestJob(ref: PanelRef, spec: BacktestSpec, full = false): PoolJob<BacktestJobData> {
  return { kind: BACKTEST_JOB, panel: ref, data: full ? { spec, full } : { spec } };
}

/** The optimisation job kinds pool workers run. */
export const OPTIMIZE_JOBS: JobTable = {
  [BACKTEST_JOB]: async (data: BacktestJobData, ctx, job): Promise<BacktestJobResult> => {
    if (!job.panel) throw new Error(`${BACKTEST_JOB} needs a panel`);
    const r = runSpec(data.spec, await ctx.panel(job.panel));
    return data.full
      ? { metrics: r.metrics, equity: { time: Array.from(r.equity.time), value: Array.from(r.equity.value) }, trades: r.trades }
      : { metrics: r.metrics };
  },
};
