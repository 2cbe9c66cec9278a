import { z } from 'zod';
import { method, noInput } from './define';

// == backtest: indicators =================================================================

/** An indicator as `indicators:list` describes it (the registry in `core/indicators/registry.ts`). */
export interface IndicatorDescription {
  readonly name: string;
  readonly description: string;
  /** Parameter defaults, e.g. `{ "period": 14 }`. */
  readonly defaults: Record<string, number>;
  /** JSON Schema (draft 2020-12) of the parameters: types, bounds, defaults. */
  readonly paramsSchema: Record<string, unknown>;
  /** Output keys; single-output indicators have the one key `value`. */
  readonly outputs: readonly string[];
}

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
 * `indicators:compute` result: the bar times and each output as numbers, `null` during warm-up (warm-up starts
 * at `from`: ask for earlier bars to have values from `from`). Index i is the bar at `time[i]`.
 */
export interface IndicatorSeries {
  readonly name: string;
  /** The parameters used, defaults filled in. */
  readonly params: Record<string, number>;
  readonly time: readonly number[];
  readonly outputs: Record<string, readonly (number | null)[]>;
}

// == optimize =============================================================================

/** The indicators methods (a slice of `METHODS`). */
export const indicatorsMethods = {
  // -- indicators
  'indicators:list': method(noInput).returns<readonly IndicatorDescription[]>(),
  'indicators:compute': method(IndicatorComputeInput).returns<IndicatorSeries>(),
} as const;
