/**
 * A sweep's output as it crosses the API (`sweep:get`, `sweep:list`): the surface, the one table that grows with
 * the grid (up to `SURFACE_MAX` rows), as typed columns with NaN kept; everything else as the CLI prints it.
 * Both transports carry `Float64Array`s as they are (IPC structured clone, the WebSocket's `$typed` frames).
 */
import type { MetricsRecord } from '../backtest/types';
import type { SweepState } from './service';
import type { SweepOutput, SweepSurface } from './sweep';

/**
 * Every successful combination as columns: `params[k]` is grid parameter `keys[k]` per combination (a
 * `Float64Array` when the parameter is numeric, else its values), `objective` the objective metric, NaN where
 * undefined; in the grid's expansion order.
 */
export interface SweepSurfaceColumns {
  readonly keys: readonly string[];
  readonly params: readonly (Float64Array | readonly (string | boolean)[])[];
  readonly objective: Float64Array;
}

/** A finished sweep over the API: the CLI's output with the surface as {@link SweepSurfaceColumns}. */
export type SweepOutputColumns<M extends MetricsRecord = MetricsRecord> = Omit<SweepOutput<M>, 'surface'> & {
  readonly surface?: SweepSurfaceColumns | null;
};

/** A sweep's state over the API: its result as {@link SweepOutputColumns}. */
export type SweepStateColumns = Omit<SweepState, 'result'> & { readonly result: SweepOutputColumns | null };

/** The surface as columns (numeric parameters and the objective as `Float64Array`, null → NaN). */
export function surfaceColumns(s: SweepSurface): SweepSurfaceColumns {
  const objective = new Float64Array(s.objective.length);
  for (let i = 0; i < objective.length; i++) objective[i] = s.objective[i] ?? Number.NaN;
  const params = s.params.map((p) => {
    if (!p.every((v) => typeof v === 'number')) return p as readonly (string | boolean)[];
    return Float64Array.from(p as readonly number[]);
  });
  return { keys: s.keys, params, objective };
}

/** A sweep's output with its surface as columns (the other fields shared, not copied). */
export function sweepOutputColumns(out: SweepOutput<MetricsRecord>): SweepOutputColumns {
  const { surface, ...rest } = out;
  if (surface === undefined) return rest;
  return { ...rest, surface: surface ? surfaceColumns(surface) : null };
}

/** A sweep's state with its result's surface as columns. */
export function sweepStateColumns(state: SweepState): SweepStateColumns {
  return { ...state, result: state.result ? sweepOutputColumns(state.result) : null };
}
