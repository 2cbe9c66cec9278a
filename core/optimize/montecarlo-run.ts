import { getRun } from '../backtest/registry';
import { strategyErrors, type BacktestSpec } from '../backtest/spec';
import type { Trade } from '../backtest/types';
import type { Pool } from '../pool/types';
import type { Store } from '../store/sqlite-bar-store';
import { backtestJob, panelRefFor, type BacktestJobResult } from './backtest-job';
import {
  monteCarlo,
  type Distribution,
  type MonteCarloOptions,
  type MonteCarloResult,
  type MonteCarloView,
} from './montecarlo';

/** A finished run as Monte Carlo reads it: capital, equity curve and closed trades. */
export interface RunForMonteCarlo {
  readonly capital: number;
  readonly equity: { readonly time: ArrayLike<number>; readonly value: ArrayLike<number> };
  readonly trades: readonly Pick<Trade, 'pnl' | 'entryBar'>[];
}

/** Runs {@link monteCarlo} on a finished run and returns the JSON-safe view (NaN becomes null). */
export function monteCarloOfRun(run: RunForMonteCarlo, options: MonteCarloOptions): MonteCarloView {
  const r = monteCarlo(
    {
      capital: run.capital,
      equityTime: Float64Array.from(run.equity.time),
      equity: Float64Array.from(run.equity.value),
      tradePnl: Float64Array.from(run.trades, (t) => t.pnl),
      tradeEntryBar: Float64Array.from(run.trades, (t) => t.entryBar),
    },
    options,
  );
  return toView(r);
}

/** Thrown for a backtest spec a user must fix; `errors` name the field. */
export class MonteCarloInputError extends Error {
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(errors.join('; '));
    this.errors = errors;
  }
}

/** Checks a parsed spec's strategy and parameters (as `validateSpec` does); throws {@link MonteCarloInputError} naming `spec.<field>`. */
export function checkRunSpec(spec: BacktestSpec): BacktestSpec {
  const errors = strategyErrors(spec.strategy, spec.params);
  if (errors.length > 0) throw new MonteCarloInputError(errors.map((e) => `spec.${e}`));
  return spec;
}

/**
 * Monte Carlo of a backtest stored in the run registry. Trades are matched to the equity curve by
 * their entry bar's time. Returns undefined for an unknown id; throws {@link MonteCarloInputError}
 * for a registry entry that is not a backtest with a stored result.
 */
export function monteCarloOfStoredRun(
  store: Store,
  id: string,
  options: MonteCarloOptions,
): MonteCarloView | undefined {
  const run = getRun(store, id);
  if (!run) return undefined;
  if (run.kind !== 'backtest' || !run.result)
    throw new MonteCarloInputError([`run ${id} is a ${run.kind} without a stored backtest result`]);
  const eq = run.result.equity;
  const at = new Map<string, number>();
  eq.forEach((p, i) => at.set(p.time, i));
  const trades = run.result.trades.map((t) => {
    const entryBar = at.get(t.entryTime);
    if (entryBar === undefined)
      throw new MonteCarloInputError([`run ${id}: trade entry ${t.entryTime} is not on the equity curve`]);
    return { pnl: t.pnl, entryBar };
  });
  return monteCarloOfRun(
    {
      capital: run.spec.capital,
      equity: { time: eq.map((p) => Date.parse(p.time)), value: eq.map((p) => p.equity) },
      trades,
    },
    options,
  );
}

/** Runs `spec` once on the pool (full result), then Monte Carlo on it. */
export async function monteCarloOfSpec(
  store: Store,
  pool: Pool,
  spec: BacktestSpec,
  options: MonteCarloOptions,
  signal?: AbortSignal,
): Promise<MonteCarloView> {
  const [o] = await pool.run<BacktestJobResult>([backtestJob(panelRefFor(store, spec), spec, true)], { signal });
  if (!o.ok) throw new MonteCarloInputError([o.error.message]);
  return monteCarloOfRun({ capital: spec.capital, equity: o.value.equity!, trades: o.value.trades! }, options);
}

function dist(d: Distribution): Distribution<number | null> {
  const n = (x: number) => (Number.isFinite(x) ? x : null);
  return { p5: n(d.p5), p25: n(d.p25), p50: n(d.p50), p75: n(d.p75), p95: n(d.p95), mean: n(d.mean) };
}

function toView(r: MonteCarloResult): MonteCarloView {
  return { ...r, finalEquity: dist(r.finalEquity), maxDrawdown: dist(r.maxDrawdown), cagr: dist(r.cagr) };
}
