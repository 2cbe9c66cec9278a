/** The `optimize` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { event, method, noInput } from './define';
import { BacktestSpecSchema } from '../backtest/spec-schema';
import type { MetricsRecord } from '../backtest/types';
import { SweepSpecSchema } from '../optimize/sweep-schema';
import type { Distribution, MonteCarloView } from '../optimize/montecarlo';
import type { SweepProgress, SweepState } from '../optimize/service';
import type { SweepRow } from '../optimize/sweep';
import type { SweepOutputColumns, SweepStateColumns } from '../optimize/sweep-columns';
import type { WalkForwardOutput, WalkForwardWindowResult } from '../optimize/walkforward-run';

export type { MetricsRecord } from '../backtest/types';
export type { MonteCarloView } from '../optimize/montecarlo';
export type { SweepProgress as SweepProgressView } from '../optimize/service';
export type {
  SweepStateColumns as SweepState,
  SweepSurfaceColumns as SweepSurfaceView,
} from '../optimize/sweep-columns';
export type { Params as SweepParams, SweepSpec, SweepSpecInput } from '../optimize/sweep-schema';
/** One sweep result over the API: a combination's parameters and its metrics by name. */
export type SweepRowView = SweepRow<MetricsRecord>;
/**
 * A finished sweep over the API (`sweep:get`): as `quantdesk sweep --json` prints it, plus the surface (every
 * combination's parameters and objective) as typed columns, NaN kept.
 */
export type SweepResultView = SweepOutputColumns;
/** A walk-forward window over the API. */
export type WalkForwardWindowView = WalkForwardWindowResult<MetricsRecord>;
/** What `walkforward:run` returns (as `quantdesk walkforward --json`). */
export type WalkForwardView = WalkForwardOutput<MetricsRecord>;
/** One Monte Carlo statistic's percentiles and mean; null where no path gives a value. */
export type DistributionView = Distribution<number | null>;

/** A sweep file's content (see `quantdesk sweep --help`): its schema here; the handler checks the base spec, grid and names against the strategies and the store. */
const SweepFileInput = SweepSpecSchema;

/** Input of `sweep:start`: a sweep file's content, and optionally how many workers run it (default: the host's pool, one per core). */
export const SweepStartInput = z
  .object({ sweep: SweepFileInput, workers: z.number().int().min(1).max(64).optional() })
  .strict();

/** Input of `walkforward:run`: a sweep file's content plus window sizes in bars. */
export const WalkForwardInput = z
  .object({
    sweep: SweepFileInput,
    train: z.number().int().min(2),
    test: z.number().int().min(1),
    anchored: z.boolean().default(false),
  })
  .strict();

/** Input of `montecarlo:run`: a stored run (`runId`) or a backtest spec to run first, and the resampling settings. */
export const MonteCarloInput = z
  .object({
    runId: z.string().min(1).optional(),
    spec: BacktestSpecSchema.optional(),
    paths: z.number().int().min(1).max(1_000_000).default(1000),
    method: z.enum(['trades', 'returns']).default('trades'),
    seed: z.number().int().default(1),
    /** Loss fraction counted as ruin (0.5 = losing half). */
    ruin: z.number().gt(0).max(1).default(0.5),
    blockLength: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((x) => (x.runId === undefined) !== (x.spec === undefined), {
    message: 'give exactly one of "runId" or "spec"',
    path: ['runId'],
  });

/** The optimize methods (a slice of `METHODS`). */
export const optimizeMethods = {
  // -- optimize (parallel simulation issue)
  'sweep:start': method(SweepStartInput).returns<{ readonly id: string }>(),
  'sweep:cancel': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly cancelled: boolean }>(),
  'sweep:get': method(z.object({ id: z.string().min(1) }).strict()).returns<SweepStateColumns>(),
  'sweep:list': method(noInput).returns<readonly SweepStateColumns[]>(),
  'walkforward:run': method(WalkForwardInput).returns<WalkForwardView>(),
  'montecarlo:run': method(MonteCarloInput).returns<MonteCarloView>(),
} as const;

/** The optimize events (a slice of `EVENTS`). */
export const optimizeEvents = {
  // -- optimize
  'sweep:progressed': event<SweepProgress>(),
  'sweep:finished': event<{
    readonly id: string;
    readonly status: SweepState['status'];
    readonly error: string | null;
  }>(),
} as const;
