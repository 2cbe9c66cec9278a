import type { BacktestSpecInput } from '../../../core/backtest/spec';
import type { SweepSpecInput } from '../../../core/optimize/sweep-spec';
import { rangeValues } from '../lib/param-form';

/** One swept parameter as typed: name and an inclusive range. */
export interface AxisForm {
  readonly param: string;
  readonly from: string;
  readonly to: string;
  readonly step: string;
}

/** Objectives offered (Metrics keys; `-` minimises). */
export const OBJECTIVES = [
  'sharpe',
  'sortino',
  'calmar',
  'cagr',
  'totalReturn',
  'profitFactor',
  'winRate',
  '-maxDrawdown',
  '-volatility',
] as const;

/**
 * Builds the sweep from the backtest spec and one or two axes, or explains what is wrong per field
 * (`axis0.from`, `axis1.param`, …). A second axis with no parameter chosen is ignored.
 */
export function buildSweep(
  base: BacktestSpecInput,
  axes: readonly AxisForm[],
  objective: string,
  top: number,
): { sweep: SweepSpecInput | null; errors: Record<string, string>; combinations: number } {
  const errors: Record<string, string> = {};
  const grid: Record<string, { from: number; to: number; step: number }> = {};
  let combinations = 1;
  const seen = new Set<string>();
  axes.forEach((a, i) => {
    if (!a.param) {
      if (i === 0) errors['axis0.param'] = 'Choose a parameter to sweep';
      return;
    }
    if (seen.has(a.param)) {
      errors[`axis${i}.param`] = 'Choose different parameters';
      return;
    }
    seen.add(a.param);
    const from = Number(a.from);
    const to = Number(a.to);
    const step = Number(a.step);
    if (a.from.trim() === '' || !Number.isFinite(from)) errors[`axis${i}.from`] = 'From must be a number';
    if (a.to.trim() === '' || !Number.isFinite(to)) errors[`axis${i}.to`] = 'To must be a number';
    if (a.step.trim() === '' || !Number.isFinite(step) || step <= 0)
      errors[`axis${i}.step`] = 'Step must be a positive number';
    else if (Number.isFinite(from) && Number.isFinite(to) && to < from) errors[`axis${i}.to`] = 'To is below From';
    if (errors[`axis${i}.from`] || errors[`axis${i}.to`] || errors[`axis${i}.step`]) return;
    const n = rangeValues(from, to, step).length;
    if (n === 0) errors[`axis${i}.step`] = 'Too many values in this range';
    combinations *= n;
    grid[a.param] = { from, to, step };
  });
  if (Object.keys(errors).length > 0) return { sweep: null, errors, combinations: 0 };
  // A swept parameter is set by the grid; the base keeps the others as typed in the Backtest form.
  const params = { ...(base.params ?? {}) };
  for (const k of Object.keys(grid)) delete params[k];
  return { sweep: { base: { ...base, params }, grid, objective, top }, errors, combinations };
}

/**
 * The best cell's neighbourhood as axes: each swept parameter from one grid step below the best value
 * to one step above (clipped to the axis' range), so 3 values per axis inside the grid, 2 at its edge.
 * A walk-forward re-optimised over this small grid measures whether the chosen region keeps its edge
 * out of sample without re-running the whole search per window. Null when an axis of the form is not
 * a parameter of `best` (the form no longer describes the sweep on screen) or a range does not parse.
 */
export function neighbourhoodAxes(
  axes: readonly AxisForm[],
  best: Readonly<Record<string, unknown>>,
): AxisForm[] | null {
  const out: AxisForm[] = [];
  for (const a of axes) {
    if (!a.param) continue;
    const v = Number(best[a.param]);
    const from = Number(a.from);
    const to = Number(a.to);
    const step = Number(a.step);
    if (!(a.param in best) || !Number.isFinite(v) || !Number.isFinite(from) || !Number.isFinite(to) || !(step > 0))
      return null;
    const lo = Math.max(from, Number((v - step).toPrecision(12)));
    const hi = Math.min(to, Number((v + step).toPrecision(12)));
    out.push({ param: a.param, from: String(lo), to: String(hi), step: a.step });
  }
  return out.length > 0 && out.length === Object.keys(best).length ? out : null;
}
