import { z } from 'zod';
import { event, method, noInput } from './define';


/** A sweep file's content (see `quantdesk sweep --help`); validated in full by the handler, which names the bad field. */
const SweepFileInput = z.record(z.string(), z.unknown());

/** Input of `sweep:start`: the sweep file's content. */
/** Input of `sweep:start`: a sweep file's content, and optionally how many workers run it (default: the host's pool, one per core). */
export const SweepStartInput = z.object({ sweep: SweepFileInput, workers: z.number().int().min(1).max(64).optional() }).strict();

/** Input of `walkforward:run`: a sweep file's content plus window sizes in bars. */
export const WalkForwardInput = z
  .object({ sweep: SweepFileInput, train: z.number().int().min(2), test: z.number().int().min(1), anchored: z.boolean().default(false) })
  .strict();

/** Input of `montecarlo:run`: a stored run (`runId`) or a backtest spec to run first, and the resampling settings. */
export const MonteCarloInput = z
  .object({
    runId: z.string().min(1).optional(),
    spec: z.record(z.string(), z.unknown()).optional(),
    paths: z.number().int().min(1).max(1_000_000).default(1000),
    method: z.enum(['trades', 'returns']).default('trades'),
    seed: z.number().int().default(1),
    /** Loss fraction counted as ruin (0.5 = losing half). */
    ruin: z.number().gt(0).max(1).default(0.5),
    blockLength: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((x) => (x.runId === undefined) !== (x.spec === undefined), { message: 'give exactly one of "runId" or "spec"', path: ['runId'] });

/** Grid parameter values of one combination. */
export type SweepParams = Readonly<Record<string, number | string | boolean>>;
/** A run's metrics by name (see the README's Backtesting section); null where undefined. */
export type MetricsRecord = Readonly<Record<string, number | null>>;

/** One sweep result row. */
export interface SweepRowView {
  readonly params: SweepParams;
  readonly metrics: MetricsRecord;
  /** The equity curve (EpochMs times, values), for the best `curves` results of a sweep that asked for them. */
  readonly equity?: { readonly time: readonly number[]; readonly value: readonly number[] };
}

/** A finished sweep, as `quantdesk sweep --json` prints it. */
export interface SweepResultView {
  readonly runs: number;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly objective: string;
  readonly best: SweepRowView | null;
  readonly results: readonly SweepRowView[];
  readonly failed: readonly { readonly params: SweepParams; readonly error: string }[];
  readonly fingerprint: string;
  /** Set when a specialised kernel ranked the grid; its top results were re-run in the engine (`maxRelDiff` kernel vs engine). */
  readonly kernel: { readonly name: string; readonly verified: number; readonly maxRelDiff: number } | null;
  /**
   * Every successful combination's objective, columnar (`params[k][i]` is parameter `keys[k]` of combination i), so the
   * heatmap plots the whole grid while `results` stays the top N; null when the grid is too large (over 250,000).
   */
  readonly surface?: { readonly keys: readonly string[]; readonly params: readonly (readonly (number | string | boolean)[])[]; readonly objective: readonly (number | null)[] } | null;
  /** Issue 17: the best cell's one-step neighbours' mean objective over its own (1 = plateau, ~0 = isolated spike). */
  readonly stability?: { readonly ratio: number | null; readonly neighbours: number; readonly mean: number | null } | null;
}

/** Progress of a sweep; `etaMs` is null until a rate is known. */
export interface SweepProgressView {
  readonly id: string;
  readonly completed: number;
  readonly total: number;
  readonly ratePerSec: number;
  readonly etaMs: number | null;
}

/** A sweep's state as `sweep:get` returns it. */
export interface SweepState {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed' | 'cancelled';
  readonly startedAt: number;
  readonly progress: SweepProgressView | null;
  readonly result: SweepResultView | null;
  readonly error: string | null;
}

/** A walk-forward window: dates, chosen parameters, in- and out-of-sample metrics. */
export interface WalkForwardWindowView {
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly trainBars: number;
  readonly testBars: number;
  readonly params: SweepParams | null;
  readonly inSample: MetricsRecord | null;
  readonly outOfSample: MetricsRecord | null;
  readonly error?: string;
}

/** What `walkforward:run` returns (as `quantdesk walkforward --json`). */
export interface WalkForwardView {
  readonly objective: string;
  readonly anchored: boolean;
  readonly train: number;
  readonly test: number;
  readonly runs: number;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly windows: readonly WalkForwardWindowView[];
  readonly oosEquity: { readonly time: readonly number[]; readonly value: readonly number[] };
  readonly oosTotalReturn: number;
  readonly oosAnnualReturn: number | null;
  readonly isAnnualReturnMean: number | null;
  readonly efficiency: number | null;
}

/** Percentiles 5/25/50/75/95 and mean of one Monte Carlo statistic (null when no path gives a value). */
export interface DistributionView {
  readonly p5: number | null;
  readonly p25: number | null;
  readonly p50: number | null;
  readonly p75: number | null;
  readonly p95: number | null;
  readonly mean: number | null;
}

/** What `montecarlo:run` returns (as `quantdesk montecarlo --json`). */
export interface MonteCarloView {
  readonly method: 'trades' | 'returns';
  readonly paths: number;
  readonly seed: number;
  readonly blockLength: number;
  readonly steps: number;
  readonly capital: number;
  readonly finalEquity: DistributionView;
  readonly maxDrawdown: DistributionView;
  readonly cagr: DistributionView;
  readonly ruin: number;
  readonly probabilityOfRuin: number;
}

/** The optimize methods (a slice of `METHODS`). */
export const optimizeMethods = {
  // -- optimize (parallel simulation issue)
  'sweep:start': method(SweepStartInput).returns<{ readonly id: string }>(),
  'sweep:cancel': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly cancelled: boolean }>(),
  'sweep:get': method(z.object({ id: z.string().min(1) }).strict()).returns<SweepState>(),
  'sweep:list': method(noInput).returns<readonly SweepState[]>(),
  'walkforward:run': method(WalkForwardInput).returns<WalkForwardView>(),
  'montecarlo:run': method(MonteCarloInput).returns<MonteCarloView>(),
} as const;

/** The optimize events (a slice of `EVENTS`). */
export const optimizeEvents = {
  // -- optimize
  'sweep:progressed': event<SweepProgressView>(),
  'sweep:finished': event<{ readonly id: string; readonly status: SweepState['status']; readonly error: string | null }>(),
} as const;
