import type { SingleStrategy } from '../strategy/types';

/**
 * A built-in single-symbol strategy's `onBar` over a run of one name's bars at once, for the engine's
 * name-by-name pass (`core/backtest/single-loop.ts`): it steps `state` over the closes
 * `close[at .. at + m)` (NaN: the name has no bar there, skipped, as the engine skips it), writes each
 * decision as (bar offset `j`, target) to `outJ` / `outTarget` in bar order, and returns how many it wrote.
 *
 * It must do exactly what `onBar` does bar by bar: the same indicator calls with the same values in the
 * same order, the same state left behind, and a target where `onBar` returns that number (`null`: nothing
 * written). Only for strategies whose `onBar` reads nothing of the bar but its close and returns plain
 * targets. One function per strategy: its calls to the indicator streams then see one class each (V8 keeps
 * type feedback per function), where the engine's shared `onBar` call site sees every strategy.
 */
export type CloseSteps<S> = (
  state: S,
  close: Float64Array,
  at: number,
  m: number,
  outJ: Int32Array,
  outTarget: Float64Array,
) => number;

const steppers = new WeakMap<object, CloseSteps<unknown>>();

/** Declares `steps` as `strategy`'s {@link CloseSteps} (built-ins, at load). */
export function declareCloseSteps<P, S>(strategy: SingleStrategy<P, S>, steps: CloseSteps<S>): void {
  steppers.set(strategy, steps as CloseSteps<unknown>);
}

/** The {@link CloseSteps} declared for exactly this strategy object, or null (a copy or a user strategy has none). */
export function closeStepsOf(strategy: object): CloseSteps<unknown> | null {
  return steppers.get(strategy) ?? null;
}
