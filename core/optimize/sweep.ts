import { parseSpec, type BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import type { Pool, PoolProgress } from '../pool/types';
import type { Store } from '../store/sqlite-bar-store';
import { backtestJob, panelRefFor, type BacktestJobResult } from './backtest-job';
import { compareByObjective, expandSweep, type Params, type SweepSpec } from './sweep-spec';

/** One sweep result: the grid parameters of the combination and its metrics. */
export interface SweepRow {
  readonly params: Params;
  readonly metrics: Metrics;
}

/** A combination that could not run (invalid parameters, a crashing worker): its parameters and why. */
export interface SweepFailure {
  readonly params: Params;
  readonly error: string;
}

/** What `quantdesk sweep --json` prints (and `sweep:get` returns). */
export interface SweepOutput {
  /** Combinations run (successful or not). */
  readonly runs: number;
  readonly elapsedMs: number;
  /** Job slots of the pool that ran it. */
  readonly workers: number;
  readonly objective: string;
  readonly best: SweepRow | null;
  /** The best `top` results, best first (ties keep the expansion order). */
  readonly results: readonly SweepRow[];
  readonly failed: readonly SweepFailure[];
  readonly fingerprint: string;
}

/** Options of {@link runSweep}. */
export interface SweepOptions {
  readonly onProgress?: (p: PoolProgress) => void;
  readonly signal?: AbortSignal;
  /** Overrides `base.start` / `base.end` (walk-forward training windows). */
  readonly start?: string;
  readonly end?: string;
}

/** Thrown for a sweep file a user must fix; `errors` name the field (`base.capital: ...`, `grid.fast: ...`). */
export class SweepInputError extends Error {
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(errors.join('; '));
    this.name = 'SweepInputError';
    this.errors = errors;
  }
}

/** The base spec with defaults filled; throws {@link SweepInputError} naming `base.<field>`. */
export function parseBase(sweep: SweepSpec, range: { start?: string; end?: string } = {}): BacktestSpec {
  const raw = { ...sweep.base, ...(range.start ? { start: range.start } : {}), ...(range.end ? { end: range.end } : {}) };
  const parsed = parseSpec(raw);
  if (!parsed.ok) throw new SweepInputError(parsed.errors.map((e) => `base.${e}`));
  return parsed.spec;
}

/** The spec of one combination: the base spec with the combination's values over its `params`. */
export function comboSpec(base: BacktestSpec, params: Params): BacktestSpec {
  return { ...base, params: { ...base.params, ...params } };
}

/**
 * Runs every combination of `sweep` on `pool` in the exact engine and keeps the best `top` by the
 * objective. Only metrics come back from the workers, so memory stays bounded whatever the grid.
 */
export async function runSweep(store: Store, sweep: SweepSpec, pool: Pool, options: SweepOptions = {}): Promise<SweepOutput> {
  const t0 = Date.now();
  const base = parseBase(sweep, options);
  let combos: Params[];
  try {
    combos = expandSweep(sweep);
  } catch (e) {
    throw new SweepInputError([(e as Error).message]);
  }
  const ref = panelRefFor(store, base);
  const outcomes = await pool.run<BacktestJobResult>(
    combos.map((p) => backtestJob(ref, comboSpec(base, p))),
    { onProgress: options.onProgress, signal: options.signal },
  );
  const ok: { params: Params; metrics: Metrics; index: number }[] = [];
  const failed: SweepFailure[] = [];
  outcomes.forEach((o, index) => {
    if (o.ok) ok.push({ params: combos[index], metrics: o.value.metrics, index });
    else failed.push({ params: combos[index], error: o.error.message });
  });
  ok.sort(compareByObjective(sweep.objective));
  const results = ok.slice(0, sweep.top).map(({ params, metrics }) => ({ params, metrics }));
  return {
    runs: combos.length,
    elapsedMs: Date.now() - t0,
    workers: pool.size,
    objective: sweep.objective,
    best: results[0] ?? null,
    results,
    failed,
    fingerprint: ref.fingerprint,
  };
}
