import type { BarColumns } from '../model/bars';
import type { BarView, Decision, SingleStrategy } from '../strategy/types';

/** Reads the target of a decision: a number, an intent's `target`, or NaN for `null` (keep). */
export function targetOf(decision: Decision): number {
  if (decision === null) return Number.NaN;
  return typeof decision === 'number' ? decision : decision.target;
}

/**
 * Steps `strategy` over `bars` exactly as the engine and the live path do (one reused `BarView`,
 * bars in time order) and returns each bar's decided target: NaN where the strategy returned `null`.
 * `params` are parsed by the strategy's schema, so `{}` gives the defaults. `count` limits the
 * stepping to the first `count` bars (the rest of the output stays NaN).
 */
export function stepDecisions<P, S>(
  strategy: SingleStrategy<P, S>,
  params: unknown,
  bars: BarColumns,
  count = bars.close.length,
  out = new Float64Array(bars.close.length).fill(Number.NaN),
): Float64Array {
  const parsed = strategy.params.parse(params ?? {});
  const state = strategy.init(parsed);
  const view: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  const n = Math.min(count, bars.close.length);
  for (let i = 0; i < n; i++) {
    view.index = i;
    view.time = bars.time[i];
    view.open = bars.open[i];
    view.high = bars.high[i];
    view.low = bars.low[i];
    view.close = bars.close[i];
    view.volume = bars.volume[i];
    out[i] = targetOf(strategy.onBar(state, view));
  }
  return out;
}

/**
 * Strict crossover: `a` was below `b` on the previous bar and is above it now. Any NaN (warm-up)
 * is no cross. The same rule as backtesting.py's `crossover`.
 */
export function crossedAbove(prevA: number, prevB: number, a: number, b: number): boolean {
  return prevA < prevB && a > b;
}

/** Strict crossunder: `a` was above `b` on the previous bar and is below it now. */
export function crossedBelow(prevA: number, prevB: number, a: number, b: number): boolean {
  return prevA > prevB && a < b;
}
