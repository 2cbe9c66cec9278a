import { parseSpec, type BacktestSpec } from '../backtest/spec';
import type { Metrics, MetricsRecord } from '../backtest/types';
import type { Pool, PoolProgress } from '../pool/types';
import type { Store } from '../store/sqlite-bar-store';
import { fail, ok } from '../model/result';
import type { JobOutcome, PanelRef } from '../pool/protocol';
import {
  backtestJob,
  panelRefFor,
  signalKernelJob,
  SMA_KERNEL_JOB,
  type BacktestJobResult,
  type SignalKernelJobResult,
  type SmaKernelJobData,
} from './backtest-job';
import { signalKernelIneligibility } from './signal-kernel';
import { resolveStrategy } from '../strategies';
import { smaKernelIneligibility } from './sma-kernel';
import { hasActionsThrough } from '../store/queries';
import { parseDate } from '../model/time';
import {
  compareByObjective,
  expandSweep,
  parseObjective,
  sweepAxes,
  sweepErrors,
  type Params,
  type SweepSpec,
} from './sweep-spec';
import { unknownReferences } from '../backtest/run';
import { cellKey, guidedSearch, neighbourhoodStability } from './guided';

/**
 * One sweep result: the grid parameters of the combination and its metrics (`M`: a run's `Metrics`; read back
 * from the registry or over the API, a {@link MetricsRecord} by name).
 */
export interface SweepRow<M extends MetricsRecord = Metrics> {
  readonly params: Params;
  readonly metrics: M;
  /** The run's equity curve, for the best `curves` results of a sweep that asks for them (see `SweepSpec.curves`). */
  readonly equity?: { readonly time: number[]; readonly value: number[] };
}

/** A combination that could not run (invalid parameters, a crashing worker): its parameters and why. */
export interface SweepFailure {
  readonly params: Params;
  readonly error: string;
}

/**
 * The objective of every successful combination, compact and columnar (the heatmap's input): `params[k][i]` is
 * grid parameter `keys[k]` of combination i, `objective[i]` its objective metric (null where undefined), in the
 * grid's expansion order. Kernel-ranked sweeps report the kernel's values except for the re-run top results.
 */
export interface SweepSurface {
  readonly keys: readonly string[];
  readonly params: readonly (readonly (number | string | boolean)[])[];
  readonly objective: readonly (number | null)[];
}

/** Sweeps with more successful combinations than this report no surface (null): the table's top results only. */
export const SURFACE_MAX = 250_000;

/** What `quantdesk sweep --json` prints (and `sweep:get` returns). */
export interface SweepOutput<M extends MetricsRecord = Metrics> {
  /** Combinations run (successful or not). */
  readonly runs: number;
  readonly elapsedMs: number;
  /** Job slots of the pool that ran it. */
  readonly workers: number;
  readonly objective: string;
  readonly best: SweepRow<M> | null;
  /** The best `top` results, best first (ties keep the expansion order). */
  readonly results: readonly SweepRow<M>[];
  readonly failed: readonly SweepFailure[];
  readonly fingerprint: string;
  /**
   * Set when a specialised kernel ranked the combinations: its name, how many top results were
   * re-run in the exact engine (their reported metrics are the engine's), and the largest relative
   * difference between kernel and engine over those metrics.
   */
  readonly kernel: { readonly name: string; readonly verified: number; readonly maxRelDiff: number } | null;
  /** Every successful combination's objective (null past {@link SURFACE_MAX}); `sweep:get` only, not printed by the CLI. */
  readonly surface?: SweepSurface | null;
  /** Neighbourhood stability of the best combination: its one-step grid neighbours' mean objective over its own (issue 17). */
  readonly stability?: {
    readonly ratio: number | null;
    readonly neighbours: number;
    readonly mean: number | null;
  } | null;
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

/** The sweep's parameter combinations (grid or random search, constraints applied); a bad grid is a {@link SweepInputError}. */
export function sweepCombos(sweep: SweepSpec): Params[] {
  let combos: Params[];
  try {
    combos = expandSweep(sweep);
  } catch (e) {
    throw new SweepInputError([(e as Error).message]);
  }
  // A genetic search draws its combinations as it goes (guided.ts): none are listed up front.
  if (combos.length === 0 && sweep.search.kind !== 'genetic')
    throw new SweepInputError(['constraints: no combination of the grid satisfies them']);
  return combos;
}

/**
 * Validates a sweep before any job: the base spec (`base.<field>`), the strategy, grid, objective and
 * constraints (`sweepErrors`), the names the store must know (`base.symbols`, `base.benchmark`), and
 * the combinations. Returns the base spec and the combinations; throws {@link SweepInputError} with
 * every problem found, each naming its field, so nothing runs and nothing is stored.
 */
export function checkSweep(
  store: Store,
  sweep: SweepSpec,
  range: { start?: string; end?: string } = {},
): { base: BacktestSpec; combos: Params[] } {
  const base = checkSweepQuick(store, sweep, range);
  return { base, combos: sweepCombos(sweep) };
}

/** {@link checkSweep} without expanding the combinations (up to 2,000,000): what a host checks on its thread before accepting a sweep. */
export function checkSweepQuick(
  store: Store,
  sweep: SweepSpec,
  range: { start?: string; end?: string } = {},
): BacktestSpec {
  const base = parseBase(sweep, range);
  const errors = [...sweepErrors(sweep), ...unknownReferences(store, base).map((e) => `base.${e}`)];
  if (errors.length > 0) throw new SweepInputError(errors);
  return base;
}

/** The base spec with defaults filled; throws {@link SweepInputError} naming `base.<field>`. */
export function parseBase(sweep: SweepSpec, range: { start?: string; end?: string } = {}): BacktestSpec {
  const raw = {
    ...sweep.base,
    ...(range.start ? { start: range.start } : {}),
    ...(range.end ? { end: range.end } : {}),
  };
  // Parameters are checked against the grid by `sweepErrors`: the base alone may lack what the grid supplies.
  const parsed = parseSpec(raw, { strategy: 'name' });
  if (!parsed.ok) throw new SweepInputError(parsed.errors.map((e) => `base.${e}`));
  return parsed.spec;
}

/** The spec of one combination: the base spec with the combination's values over its `params`. */
export function comboSpec(base: BacktestSpec, params: Params): BacktestSpec {
  return { ...base, params: { ...base.params, ...params } };
}

/**
 * Splits kernel combinations into jobs that are 2-D tiles of the (fast, slow) grid: a tile of F
 * fast × S slow values computes F + S SMAs per symbol for F × S pairs, so square tiles waste the
 * least. About 6 jobs per worker slot (fewer, bigger tiles share SMAs more; enough for both
 * workers to stay busy to the end, the costliest tiles first), counting at least 2 slots, so one
 * worker runs the same jobs as two (same work, so the speed-up measures the pool, and progress
 * and a crash retry stay fine-grained); at least 16 pairs per job. Jobs with the smallest fast
 * periods (the most crosses, the slowest) come first.
 */
export function kernelTiles(combos: readonly Params[], slots: number): number[][] {
  slots = Math.max(2, slots);
  const fasts = [...new Set(combos.map((c) => c.fast as number))].sort((a, b) => a - b);
  const slows = [...new Set(combos.map((c) => c.slow as number))].sort((a, b) => a - b);
  const fRank = new Map(fasts.map((v, i) => [v, i]));
  const sRank = new Map(slows.map((v, i) => [v, i]));
  const jobs = Math.max(1, Math.min(Math.ceil(combos.length / 16), slots * 6));
  const gf = Math.max(
    1,
    Math.min(fasts.length, Math.round(Math.sqrt((jobs * fasts.length) / Math.max(1, slows.length)))),
  );
  const gs = Math.max(1, Math.min(slows.length, Math.ceil(jobs / gf)));
  const tiles = new Map<number, number[]>();
  combos.forEach((c, i) => {
    const key =
      Math.floor((fRank.get(c.fast as number)! * gf) / fasts.length) * gs +
      Math.floor((sRank.get(c.slow as number)! * gs) / slows.length);
    let t = tiles.get(key);
    if (!t) tiles.set(key, (t = []));
    t.push(i);
  });
  return [...tiles.keys()].sort((a, b) => a - b).map((k) => tiles.get(k)!);
}

/** Evaluates combinations with the sma-cross kernel, in 2-D tiles of the grid (see {@link kernelTiles}). */
async function kernelMetrics(
  ref: PanelRef,
  base: BacktestSpec,
  combos: readonly Params[],
  pool: Pool,
  options: SweepOptions,
): Promise<JobOutcome<Metrics>[]> {
  const chunks = kernelTiles(combos, pool.size);
  const jobs = chunks.map((ch) => ({
    kind: SMA_KERNEL_JOB,
    panel: ref,
    data: {
      spec: base,
      pairs: ch.flatMap((i) => [combos[i].fast as number, combos[i].slow as number]),
    } satisfies SmaKernelJobData,
  }));
  const total = combos.length;
  const perJob = total / Math.max(1, chunks.length);
  const outcomes = await pool.run<(Metrics | null)[]>(jobs, {
    signal: options.signal,
    onProgress: (p) => {
      const done = p.completed >= chunks.length ? total : Math.min(total, Math.round(p.completed * perJob));
      options.onProgress?.({
        ...p,
        completed: done,
        failed: Math.min(done, Math.round(p.failed * perJob)),
        total,
        ratePerSec: p.ratePerSec * perJob,
      });
    },
  });
  const out: JobOutcome<Metrics>[] = new Array(total);
  chunks.forEach((ch, c) => {
    const o = outcomes[c];
    ch.forEach((i, k) => {
      if (!o.ok) out[i] = o;
      else if (o.value[k] === null)
        out[i] = fail('invalid-input', `params: fast must be < slow (fast ${combos[i].fast}, slow ${combos[i].slow})`);
      else out[i] = ok(o.value[k]!);
    });
  });
  return out;
}

/**
 * Splits combinations into jobs for the signal kernel: about 6 per worker slot (at least 2 slots), at
 * least 16 combinations each, as tiles of the grid cut along every parameter (each axis's values, in
 * order, split into about equal parts, the longest axes the most). A worker records a symbol's
 * indicators once per job (the memo cannot keep them from one job to the next over thousands of
 * symbols), so a job should name as few parameter values as it can: a W2 tile of 25 fast × 34 slow
 * periods records 59 EMAs per symbol for 850 pairs, where a slice of the expansion order (8 fast ×
 * all 100 slow) recorded 109. Inside a job, combinations keep the expansion order; the biggest jobs
 * come first, so the last ones to finish are small.
 */
export function signalChunks(combos: readonly Params[], slots: number): number[][] {
  const n = combos.length;
  if (n === 0) return [];
  const jobs = Math.max(1, Math.min(Math.ceil(n / 16), Math.max(2, slots) * 6));
  const keys = [...new Set(combos.flatMap((c) => Object.keys(c)))];
  // Each axis's values in order (numbers ascending, others as they first appear), and their ranks.
  const ranks = keys.map((k) => {
    const values = [...new Set(combos.map((c) => c[k]))];
    if (values.every((v) => typeof v === 'number')) (values as number[]).sort((a, b) => a - b);
    return new Map(values.map((v, i) => [v, i]));
  });
  const parts = keys.map(() => 1);
  for (let total = 1; total < jobs;) {
    let best = -1;
    for (let d = 0; d < keys.length; d++)
      if (parts[d] < ranks[d].size && (best < 0 || ranks[d].size / parts[d] > ranks[best].size / parts[best])) best = d;
    if (best < 0) break;
    total = (total / parts[best]) * ++parts[best];
  }
  const tiles = new Map<number, number[]>();
  combos.forEach((c, i) => {
    let id = 0;
    keys.forEach((k, d) => {
      const size = ranks[d].size;
      id = id * parts[d] + Math.floor((ranks[d].get(c[k])! * parts[d]) / size);
    });
    let t = tiles.get(id);
    if (!t) tiles.set(id, (t = []));
    t.push(i);
  });
  return [...tiles.keys()]
    .sort((a, b) => a - b)
    .map((k) => tiles.get(k)!)
    .sort((a, b) => b.length - a.length);
}

/**
 * Evaluates combinations with the signal kernel (see signal-kernel.ts); a chunk whose strategy places
 * order intents runs in the engine instead, one job per combination.
 */
async function signalKernelMetrics(
  ref: PanelRef,
  base: BacktestSpec,
  combos: readonly Params[],
  pool: Pool,
  options: SweepOptions,
): Promise<JobOutcome<Metrics>[]> {
  const chunks = signalChunks(combos, pool.size);
  const total = combos.length;
  const perJob = total / Math.max(1, chunks.length);
  const outcomes = await pool.run<SignalKernelJobResult>(
    chunks.map((ch) =>
      signalKernelJob(
        ref,
        base,
        ch.map((i) => combos[i]),
      ),
    ),
    {
      signal: options.signal,
      onProgress: (p) => {
        const done = p.completed >= chunks.length ? total : Math.min(total, Math.round(p.completed * perJob));
        options.onProgress?.({
          ...p,
          completed: done,
          failed: Math.min(done, Math.round(p.failed * perJob)),
          total,
          ratePerSec: p.ratePerSec * perJob,
        });
      },
    },
  );
  const out: JobOutcome<Metrics>[] = new Array(total);
  const inEngine: number[] = [];
  chunks.forEach((ch, c) => {
    const o = outcomes[c];
    if (!o.ok) for (const i of ch) out[i] = o;
    else if ('needsEngine' in o.value) inEngine.push(...ch);
    else {
      const rows = o.value.rows;
      ch.forEach((i, k) => {
        const row = rows[k];
        out[i] = row.ok ? ok(row.metrics) : fail('invalid-input', row.error);
      });
    }
  });
  if (inEngine.length > 0) {
    const exact = await pool.run<BacktestJobResult>(
      inEngine.map((i) => backtestJob(ref, comboSpec(base, combos[i]))),
      { signal: options.signal },
    );
    inEngine.forEach((i, k) => (out[i] = exact[k].ok ? ok(exact[k].value.metrics) : exact[k]));
  }
  return out;
}

function maxRelDiff(a: MetricsRecord, b: MetricsRecord): number {
  let worst = 0;
  for (const [k, v] of Object.entries(b)) {
    const x = a[k];
    if (typeof v !== 'number' || typeof x !== 'number') {
      if (x !== v) return Number.POSITIVE_INFINITY;
      continue;
    }
    worst = Math.max(worst, Math.abs(x - v) / Math.max(1, Math.abs(v)));
  }
  return worst;
}

/**
 * True when the data in the sweep's range holds a split or dividend: the engine then trades raw prices
 * across it and moves positions and cash on the ex date, which the sma-cross kernel does not model, so
 * the sweep runs in the engine. (Markets without actions, such as the synthetic one, keep the kernel.)
 */
export function kernelNeedsEngine(store: Store, base: BacktestSpec): boolean {
  const to = base.end !== undefined ? (parseDate(base.end) as number) + 86_399_999 : Number.MAX_SAFE_INTEGER;
  return hasActionsThrough(store, base.symbols, to);
}

/**
 * Runs every combination of `sweep` on `pool` and keeps the best `top` by the objective: in the
 * exact engine, or (engine `auto`, when `smaKernelIneligibility` allows) with the sma-cross kernel,
 * whose top results are then re-run in the exact engine and reported with the engine's metrics.
 * Only metrics come back from the workers, so memory stays bounded whatever the grid.
 */
export async function runSweep(
  store: Store,
  sweep: SweepSpec,
  pool: Pool,
  options: SweepOptions = {},
): Promise<SweepOutput> {
  const t0 = Date.now();
  const checked = checkSweep(store, sweep, options);
  const base = checked.base;
  let combos = checked.combos;
  const ref = panelRefFor(store, base);
  // Kernels rank when the data and the spec allow (auto engine): sma-cross's own, else the signal kernel
  // for any single-symbol strategy; the engine re-runs the top results either way.
  const kernelData = sweep.engine === 'auto' && !kernelNeedsEngine(store, base);
  const useSma = kernelData && smaKernelIneligibility(base, Object.keys(sweep.grid)) === null;
  const useSignal = kernelData && !useSma && signalKernelIneligibility(base, resolveStrategy(base, { store })) === null;
  const useKernel = useSma || useSignal;
  const evaluate = async (cs: readonly Params[], onProgress = options.onProgress): Promise<JobOutcome<Metrics>[]> =>
    useSma
      ? await kernelMetrics(ref, base, cs, pool, { ...options, onProgress })
      : useSignal
        ? await signalKernelMetrics(ref, base, cs, pool, { ...options, onProgress })
        : (
            await pool.run<BacktestJobResult>(
              cs.map((p) => backtestJob(ref, comboSpec(base, p))),
              { onProgress, signal: options.signal },
            )
          ).map((o) => (o.ok ? ok(o.value.metrics) : o));
  let outcomes: JobOutcome<Metrics>[];
  if (sweep.search.kind === 'genetic') {
    // Guided: generations evaluated one after another, each bred from the best so far (guided.ts).
    const search = sweep.search;
    let axes: ReturnType<typeof sweepAxes>;
    try {
      axes = sweepAxes(sweep);
    } catch (e) {
      throw new SweepInputError([(e as Error).message]);
    }
    const { metric, maximise } = parseObjective(sweep.objective);
    const all: JobOutcome<Metrics>[] = [];
    const g = await guidedSearch(axes.keys, axes.axes, axes.valid, search, async (batch) => {
      const done = all.length;
      const res = await evaluate(batch, (p) =>
        options.onProgress?.({ ...p, completed: Math.min(search.budget, done + p.completed), total: search.budget }),
      );
      all.push(...res);
      return res.map((o) => {
        const metrics: MetricsRecord | null = o.ok ? o.value : null;
        const v = metrics ? metrics[metric] : null;
        return typeof v === 'number' && Number.isFinite(v) ? (maximise ? v : -v) : Number.NaN;
      });
    });
    combos = g.params;
    outcomes = all;
  } else outcomes = await evaluate(combos);
  const good: { params: Params; metrics: Metrics; index: number }[] = [];
  const failed: SweepFailure[] = [];
  outcomes.forEach((o, index) => {
    if (o.ok) good.push({ params: combos[index], metrics: o.value, index });
    else failed.push({ params: combos[index], error: o.error.message });
  });
  const compare = compareByObjective(sweep.objective);
  good.sort(compare);
  const top = good.slice(0, sweep.top);
  let kernel: SweepOutput['kernel'] = null;
  if (useKernel) {
    // The kernel ranks; the engine has the last word on what is reported.
    const exact = await pool.run<BacktestJobResult>(
      top.map((r) => backtestJob(ref, comboSpec(base, r.params))),
      { signal: options.signal },
    );
    let worst = 0;
    top.forEach((r, k) => {
      const e = exact[k];
      if (!e.ok) throw new Error(`exact re-run of ${JSON.stringify(r.params)} failed: ${e.error.message}`);
      worst = Math.max(worst, maxRelDiff(r.metrics, e.value.metrics));
      top[k] = { ...r, metrics: e.value.metrics };
    });
    top.sort(compare);
    kernel = { name: useSma ? 'sma-cross' : 'signal', verified: top.length, maxRelDiff: worst };
  }
  const surface = sweepSurface(good, top, sweep.objective);
  const stability = bestStability(sweep, surface, top[0]?.params);
  const results: SweepRow[] = top.map(({ params, metrics }) => ({ params, metrics }));
  const curves = Math.min(sweep.curves, results.length);
  if (curves > 0) {
    // Only the best few curves travel back: one engine run each, with the curve kept.
    const full = await pool.run<BacktestJobResult>(
      results.slice(0, curves).map((r) => backtestJob(ref, comboSpec(base, r.params), true)),
      { signal: options.signal },
    );
    full.forEach((o, k) => {
      if (!o.ok || !o.value.equity)
        throw new Error(
          `equity re-run of ${JSON.stringify(results[k].params)} failed: ${o.ok ? 'no curve' : o.error.message}`,
        );
      results[k] = { ...results[k], equity: o.value.equity };
    });
  }
  return {
    runs: combos.length,
    elapsedMs: Date.now() - t0,
    workers: pool.size,
    objective: sweep.objective,
    best: results[0] ?? null,
    results,
    failed,
    fingerprint: ref.fingerprint,
    kernel,
    surface,
    stability,
  };
}

/** {@link neighbourhoodStability} of the best combination over the surface (maximised objective sign), null without one. */
function bestStability(
  sweep: SweepSpec,
  surface: SweepSurface | null,
  best: Params | undefined,
): SweepOutput['stability'] {
  if (!surface || !best) return null;
  const { keys, axes } = sweepAxes(sweep);
  const sign = sweep.objective.startsWith('-') ? -1 : 1;
  const map = new Map<string, number>();
  surface.objective.forEach((v, i) => {
    if (v !== null) map.set(cellKey(keys, Object.fromEntries(keys.map((k, d) => [k, surface.params[d][i]]))), sign * v);
  });
  return neighbourhoodStability(keys, axes, map, best);
}

/** The compact surface of every successful combination, in expansion order; `top` (engine re-runs) overrides `good`. */
function sweepSurface(
  good: readonly { params: Params; metrics: Metrics; index: number }[],
  top: readonly { metrics: Metrics; index: number }[],
  objective: string,
): SweepSurface | null {
  if (good.length > SURFACE_MAX) return null;
  const key = objective.replace(/^-/, '');
  const exact = new Map(top.map((r) => [r.index, r.metrics]));
  const rows = [...good].sort((a, b) => a.index - b.index);
  const keys = rows.length > 0 ? Object.keys(rows[0].params) : [];
  const params = keys.map((k) => rows.map((r) => r.params[k]));
  const objectiveValues = rows.map((r) => {
    const metrics: MetricsRecord = exact.get(r.index) ?? r.metrics;
    const v = metrics[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  });
  return { keys, params, objective: objectiveValues };
}
