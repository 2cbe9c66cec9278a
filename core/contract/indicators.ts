/** The `indicators` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { method, noInput } from './define';
import type { IndicatorInfo } from '../indicators/registry';

export type { IndicatorInfo as IndicatorDescription } from '../indicators/registry';

/** `indicators:compute` input: one indicator over one symbol's stored bars in `[from, to]` (EpochMs, inclusive). */
export const IndicatorComputeInput = z
  .object({
    name: z.string().min(1),
    params: z.record(z.string(), z.number()).default({}),
    symbol: z.string().min(1),
    from: z.number().optional(),
    to: z.number().optional(),
    /** Back-adjust prices for splits and dividends known at this date (EpochMs); raw when absent. */
    adjustedAsOf: z.number().optional(),
  })
  .strict();

/**
 * `indicators:compute` result: the bar times (EpochMs) and each output as a `Float64Array` column, NaN during
 * warm-up (kept, not null: both transports carry typed arrays bit for bit, `core/model/wire.ts`). Warm-up starts
 * at `from`: ask for earlier bars to have values from `from`. Index i is the bar at `time[i]`.
 */
export interface IndicatorSeries {
  readonly name: string;
  /** The parameters used, defaults filled in. */
  readonly params: Record<string, number>;
  readonly time: Float64Array;
  readonly outputs: Record<string, Float64Array>;
}

/** The indicators methods (a slice of `METHODS`). */
export const indicatorsMethods = {
  // -- indicators
  'indicators:list': method(noInput).returns<readonly IndicatorInfo[]>(),
  'indicators:compute': method(IndicatorComputeInput).returns<IndicatorSeries>(),
} as const;
