import { getStrategy } from '../strategies';
import { BacktestSpecSchema, type BacktestSpec } from './spec-schema';

export { BacktestSpecSchema, MAX_CAPITAL, SizingSchema } from './spec-schema';
export type { BacktestSpec, BacktestSpecInput, Sizing } from './spec-schema';

/**
 * Engine version stored with every run; bump when a change can alter a run's numbers.
 * 2.0.0: fills, positions, marks and equity are in traded (raw) prices; splits and cash dividends act on
 * positions and cash on their ex dates; a benchmark no longer adds bars to the run; SMAs use pandas'
 * compensated rolling mean, so exact ties are ties (a cross can move on tied bars).
 */
export const ENGINE_VERSION = '2.0.0';

/** Whether a spec's strategy reads traded prices (`signalPrices: "raw"`, or the older `adjustment: "raw"`). */
export function signalsOnRaw(spec: Pick<BacktestSpec, 'adjustment' | 'signalPrices'>): boolean {
  return spec.signalPrices === 'raw' || spec.adjustment === 'raw';
}

/**
 * Validates a spec. Returns the spec with defaults filled, or the list of problems as
 * `field.path: message` lines (the field first, so a user sees what to fix). `strategy`: also check
 * that the strategy is a built-in one (`name`) and its parameters (`params`); default `none` (tests
 * and callers with strategies of their own).
 */
export function parseSpec(
  raw: unknown,
  options: { strategy?: 'none' | 'name' | 'params' } = {},
): { ok: true; spec: BacktestSpec } | { ok: false; errors: string[] } {
  const r = BacktestSpecSchema.safeParse(raw);
  if (!r.success)
    return {
      ok: false,
      errors: r.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(spec)'}: ${i.message}`),
    };
  const check = options.strategy ?? 'none';
  const errors =
    check === 'none' ? [] : strategyErrors(r.data.strategy, check === 'params' ? r.data.params : undefined);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, spec: r.data };
}

/**
 * {@link parseSpec} plus the strategy: it must be a built-in one and its `params` must pass its
 * schema. What every boundary (CLI spec files, the API's backtest and Monte Carlo methods) runs
 * before any work, so a bad parameter is one error naming `params.<name>`, not a failed run.
 */
export function validateSpec(raw: unknown): { ok: true; spec: BacktestSpec } | { ok: false; errors: string[] } {
  return parseSpec(raw, { strategy: 'params' });
}

/**
 * What is wrong with a strategy name and (when given) its parameters, as `field: reason` lines:
 * an unknown strategy (naming the known ones), or each parameter its schema rejects
 * (`params.fast: ...`). Empty when both are fine. A sweep checks its base with `params` undefined
 * and each grid axis on its own (see `sweepErrors`).
 */
export function strategyErrors(name: string, params?: Record<string, unknown>): string[] {
  let strategy;
  try {
    // A built-in, a strategy file (compiled and loaded here: a file that does not compile is an error now), or
    // one registered in this process.
    strategy = getStrategy(name);
  } catch (e) {
    if (e instanceof Error && 'errors' in e && Array.isArray((e as { errors: unknown }).errors))
      return [...(e as { errors: string[] }).errors];
    throw e;
  }
  // Not found without a store: it may be a stored user strategy, which only the store knows. `unknownReferences`
  // (with the store) and `resolveStrategy` at the start of every run name an unknown one (exit 2, nothing stored).
  if (!strategy) return [];
  if (params === undefined) return [];
  const r = strategy.params.safeParse(params);
  return r.success
    ? []
    : r.error.issues.map((i) => `params${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`);
}
