import { panelRequestFor, runOptionsFor, runSpecOnStore } from '../backtest/run';
import type { BacktestSpec } from '../backtest/spec';
import type { BacktestResult, Metrics } from '../backtest/types';
import type { PanelRequest } from '../data/panel';
import type { Panel } from '../data/panel-types';
import type { PanelRef, PoolJob } from '../pool/protocol';
import type { JobTable, WorkerContext } from '../pool/worker-host';
import { dataFingerprint } from '../store/fingerprint';
import type { Store } from '../store/sqlite-bar-store';
import { resolveStrategy, strategySourceFor, type StrategySource } from '../strategies';
import { runBacktestGuarded } from '../sdk/guard';
import { strategyTimeoutMs } from '../sdk/sandbox';
import { withPinnedSourceAsync } from '../strategies/registry';
import { smaCrossKernel } from './sma-kernel';
import { NeedsEngineError, signalKernel, type SignalKernelRow } from './signal-kernel';
import type { Params } from './sweep-spec';
import type { SingleStrategy } from '../strategy/types';

/** Job kind: one exact engine run of a full spec; returns its metrics (and with `full`, equity and trades). */
export const BACKTEST_JOB = 'optimize:backtest';

/** Data of a {@link BACKTEST_JOB}. */
export interface BacktestJobData {
  readonly spec: BacktestSpec;
  /** Also return the equity curve and trades (top results, walk-forward test windows). */
  readonly full?: boolean;
  /** A user strategy's source (by hash): the worker registers it under `spec.strategy` before resolving. */
  readonly strategySource?: StrategySource;
  /** With a user strategy: the per-step time limit the host runs with (cluster nodes do not share its environment). */
  readonly strategyTimeoutMs?: number;
}

/** What a {@link BACKTEST_JOB} returns. */
export interface BacktestJobResult {
  readonly metrics: Metrics;
  /** Plain arrays, so the result survives JSON (the cluster backend) as well as structured clone. */
  readonly equity?: { readonly time: number[]; readonly value: number[] };
  readonly trades?: BacktestResult['trades'];
}

/**
 * The data a spec reads, as a reference for cluster nodes without a matching store: every bar of
 * its symbols and benchmark (or of every instrument for a universe), in its adjustment, with no
 * date clipping, so one published panel serves every combination and window (the engine clips to
 * `start`/`end`; the trading days inside the range are the same as in `panelForSpec`'s clipped panel).
 */
export function panelRefFor(store: Store, spec: BacktestSpec): PanelRef {
  // Every pool path (sweep, walk-forward, Monte Carlo) builds its jobs after this: resolving here
  // registers a user strategy's source, which `backtestJob` then attaches to each job.
  resolveStrategy(spec, { store });
  const query: PanelRequest = panelRequestFor(spec, false);
  return { fingerprint: dataFingerprint(store), query };
}

/**
 * Runs `spec` on `panel` in the exact engine with the built-in single-instrument strategy it names
 * (the path of cluster nodes without the store; cross-sectional strategies need the store's facts).
 */
export function runSpec(spec: BacktestSpec, panel: Panel): BacktestResult {
  const strategy = resolveStrategy(spec);
  if (strategy.kind !== 'single')
    throw new Error(
      `${spec.strategy} reads point-in-time facts: give every cluster node the store (--db) with the same data`,
    );
  return runBacktestGuarded(spec, panel, { strategy });
}

/** A pool job running `spec` on the panel `ref`. */
export function backtestJob(ref: PanelRef, spec: BacktestSpec, full = false): PoolJob<BacktestJobData> {
  // A user strategy travels with its job (the worker may never have seen the file or the store's copy).
  const strategySource = strategySourceFor(spec.strategy);
  const data: BacktestJobData = {
    spec,
    ...(full ? { full } : {}),
    ...(strategySource ? { strategySource, strategyTimeoutMs: strategyTimeoutMs() } : {}),
  };
  return { kind: BACKTEST_JOB, panel: ref, data };
}

/** Job kind: the sma-cross kernel over a chunk of (fast, slow) pairs; returns one `Metrics | null` per pair. */
export const SMA_KERNEL_JOB = 'optimize:sma-kernel';

/** Data of a {@link SMA_KERNEL_JOB}: the base spec and the pairs, flat `[fast0, slow0, ...]`. */
export interface SmaKernelJobData {
  readonly spec: BacktestSpec;
  readonly pairs: readonly number[];
}

/** Job kind: the signal kernel (any single-symbol strategy, fixed-qty) over a chunk of combinations. */
export const SIGNAL_KERNEL_JOB = 'optimize:signal-kernel';

/** Data of a {@link SIGNAL_KERNEL_JOB}: the base spec, the grid combinations, and a user strategy's source. */
export interface SignalKernelJobData {
  readonly spec: BacktestSpec;
  readonly combos: readonly Params[];
  readonly strategySource?: StrategySource;
  readonly strategyTimeoutMs?: number;
}

/** What a {@link SIGNAL_KERNEL_JOB} returns: a row per combination, or why the chunk needs the engine. */
export type SignalKernelJobResult = { readonly rows: SignalKernelRow[] } | { readonly needsEngine: string };

/** A pool job running the signal kernel over `combos` of `base` on the panel `ref`. */
export function signalKernelJob(
  ref: PanelRef,
  base: BacktestSpec,
  combos: readonly Params[],
): PoolJob<SignalKernelJobData> {
  const strategySource = strategySourceFor(base.strategy);
  return {
    kind: SIGNAL_KERNEL_JOB,
    panel: ref,
    data: { spec: base, combos, ...(strategySource ? { strategySource, strategyTimeoutMs: strategyTimeoutMs() } : {}) },
  };
}

async function runSignalKernelJob(
  data: SignalKernelJobData,
  ctx: WorkerContext,
  job: PoolJob,
): Promise<SignalKernelJobResult> {
  if (!job.panel) throw new Error(`${SIGNAL_KERNEL_JOB} needs a panel`);
  const strategy = resolveStrategy(data.spec);
  if (strategy.kind !== 'single')
    throw new Error(`${SIGNAL_KERNEL_JOB}: ${data.spec.strategy} is not a single-symbol strategy`);
  const panel = await ctx.panel(job.panel);
  try {
    return {
      rows: signalKernel(
        data.spec,
        panel,
        strategy as SingleStrategy<unknown, unknown>,
        data.combos,
        data.strategyTimeoutMs ?? strategyTimeoutMs(),
      ),
    };
  } catch (e) {
    if (e instanceof NeedsEngineError) return { needsEngine: e.message };
    throw e;
  }
}

/** The optimisation job kinds pool workers run. */
export const OPTIMIZE_JOBS: JobTable = {
  [SMA_KERNEL_JOB]: async (data: SmaKernelJobData, ctx, job) => {
    if (!job.panel) throw new Error(`${SMA_KERNEL_JOB} needs a panel`);
    return smaCrossKernel(data.spec, await ctx.panel(job.panel), data.pairs);
  },
  [SIGNAL_KERNEL_JOB]: async (data: SignalKernelJobData, ctx, job): Promise<SignalKernelJobResult> =>
    data.strategySource
      ? withPinnedSourceAsync(data.spec.strategy, data.strategySource, () => runSignalKernelJob(data, ctx, job))
      : runSignalKernelJob(data, ctx, job),
  [BACKTEST_JOB]: async (data: BacktestJobData, ctx, job): Promise<BacktestJobResult> =>
    data.strategySource
      ? withPinnedSourceAsync(data.spec.strategy, data.strategySource, () => runBacktestJob(data, ctx, job))
      : runBacktestJob(data, ctx, job),
};

async function runBacktestJob(data: BacktestJobData, ctx: WorkerContext, job: PoolJob): Promise<BacktestJobResult> {
  {
    // With the same data at hand, run exactly what `quantdesk backtest` runs (same facts). The panel
    // is the job's unclipped one, loaded once per worker: the engine clips to start/end and sees the
    // same bars as in the spec's own clipped panel, so walk-forward windows (each a different
    // start/end) do not each load a panel of their own.
    const store = ctx.store();
    let r: BacktestResult;
    if (store && job.panel && dataFingerprint(store) === job.panel.fingerprint) {
      const panel = await ctx.panel(job.panel);
      r = runBacktestGuarded(data.spec, panel, runOptionsFor(store, data.spec, panel), data.strategyTimeoutMs);
    } else if (store && !job.panel) r = runSpecOnStore(store, data.spec).result;
    else if (job.panel) r = runSpec(data.spec, await ctx.panel(job.panel));
    else throw new Error(`${BACKTEST_JOB}: no store and no panel reference`);
    return data.full
      ? {
          metrics: r.metrics,
          equity: { time: Array.from(r.equity.time), value: Array.from(r.equity.value) },
          trades: r.trades,
        }
      : { metrics: r.metrics };
  }
}
