import { z } from 'zod';
import { getStrategy } from '../strategies';
import { parseConstraint, type Constraint } from './constraints';
import { Prng } from './prng';
import { MAX_COMBINATIONS, type Params, type SweepSpec } from './sweep-schema';

export {
  MAX_AXIS_VALUES,
  MAX_COMBINATIONS,
  MAX_CONSTRAINT_CHARS,
  MAX_CONSTRAINTS,
  MAX_GRID_PARAMS,
  MAX_SAMPLES,
  METRIC_NAMES,
  SweepSpecSchema,
} from './sweep-schema';
export type { Params, SweepSpec, SweepSpecInput } from './sweep-schema';

/** The values of one grid axis, in order. Range values are rounded to 12 significant digits (0.1 + 0.2 gives 0.3). */
export function axisValues(axis: SweepSpec['grid'][string]): (number | string | boolean)[] {
  if (Array.isArray(axis)) return axis;
  const count = Math.floor((axis.to - axis.from) / axis.step + 1e-9) + 1;
  if (count > MAX_COMBINATIONS) throw new Error(`range ${axis.from}..${axis.to} step ${axis.step} has ${count} values`);
  return Array.from({ length: count }, (_, i) => Number((axis.from + i * axis.step).toPrecision(12)));
}

/**
 * The combinations a sweep runs, in a deterministic order: the full grid (cartesian product in
 * the grid's key order, last key fastest) filtered by the constraints, or for random search
 * `samples` distinct valid combinations drawn by the seeded PRNG (all of them when fewer exist).
 * Throws with the constraint's text for a malformed or unknown-parameter constraint.
 */
export function expandSweep(spec: SweepSpec): Params[] {
  const keys = Object.keys(spec.grid);
  const axes = keys.map((k) => {
    try {
      return axisValues(spec.grid[k]);
    } catch (e) {
      throw new Error(`grid.${k}: ${(e as Error).message}`);
    }
  });
  const known = new Set(keys);
  const constraints: Constraint[] = spec.constraints.map((c) => parseConstraint(c, known));
  const total = axes.reduce((n, a) => n * a.length, 1);
  const decode = (index: number): Params => {
    const p: Record<string, number | string | boolean> = {};
    for (let d = keys.length - 1; d >= 0; d--) {
      const len = axes[d].length;
      p[keys[d]] = axes[d][index % len];
      index = Math.floor(index / len);
    }
    const ordered: Record<string, number | string | boolean> = {};
    for (const k of keys) ordered[k] = p[k];
    return ordered;
  };
  const valid = (p: Params) =>
    constraints.every((c, i) => {
      try {
        return c(p);
      } catch (e) {
        throw new Error(`constraints.${i}: "${spec.constraints[i]}": ${(e as Error).message} at ${JSON.stringify(p)}`);
      }
    });
  // A genetic search picks its combinations as it goes (see guided.ts): none are listed up front.
  if (spec.search.kind === 'genetic') return [];
  if (spec.search.kind === 'grid' || spec.search.samples >= total) {
    if (total > MAX_COMBINATIONS)
      throw new Error(`grid: ${total} combinations (more than ${MAX_COMBINATIONS}); use random search`);
    const out: Params[] = [];
    for (let i = 0; i < total; i++) {
      const p = decode(i);
      if (valid(p)) out.push(p);
    }
    if (spec.search.kind === 'random' && out.length > spec.search.samples)
      return sample(out, spec.search.samples, spec.search.seed);
    return out;
  }
  // Random search over a grid too large to enumerate cheaply: draw indices, skip repeats and invalid ones.
  const rng = new Prng(spec.search.seed);
  const picked = new Set<number>();
  const out: Params[] = [];
  let attempts = 0;
  const maxAttempts = spec.search.samples * 200;
  while (out.length < spec.search.samples && attempts++ < maxAttempts) {
    const i = rng.int(total);
    if (picked.has(i)) continue;
    picked.add(i);
    const p = decode(i);
    if (valid(p)) out.push(p);
  }
  return out;
}

function sample<T>(xs: readonly T[], n: number, seed: number): T[] {
  const rng = new Prng(seed);
  const a = xs.slice();
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(a.length - i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a.slice(0, n);
}

/** Splits an objective into the metric name and whether higher is better (`-name` minimises). */
export function parseObjective(objective: string): { metric: string; maximise: boolean } {
  return objective.startsWith('-')
    ? { metric: objective.slice(1), maximise: false }
    : { metric: objective, maximise: true };
}

/**
 * Sort comparator for results by objective: best first; null, NaN or missing values last; ties
 * broken by the original index so the order is deterministic.
 */
export function compareByObjective(
  objective: string,
): (a: { metrics: object; index: number }, b: { metrics: object; index: number }) => number {
  const { metric, maximise } = parseObjective(objective);
  const score = (m: object) => {
    const v = (m as Record<string, unknown>)[metric];
    return typeof v === 'number' && Number.isFinite(v) ? (maximise ? v : -v) : -Infinity;
  };
  return (a, b) => {
    const d = score(b.metrics) - score(a.metrics);
    return d !== 0 && !Number.isNaN(d) ? d : a.index - b.index;
  };
}

/**
 * Everything about a sweep that can be known before a job runs, as `field: reason` lines (empty when
 * it can run): the strategy exists; every grid parameter is one of its parameters and each of its
 * values passes that parameter's schema; the base's other parameters pass theirs; each constraint
 * parses and names only grid parameters. (The objective, sizes and counts are bounded by the schema.)
 * Relations between parameters (`fast < slow`) are left to constraints and to each run.
 */
export function sweepErrors(spec: SweepSpec): string[] {
  const name = typeof spec.base.strategy === 'string' ? spec.base.strategy : '';
  const strategy = getStrategy(name);
  const errors: string[] = [];
  const keys = Object.keys(spec.grid);
  if (strategy) {
    const schema = strategy.params;
    const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : null;
    const baseParams = (spec.base.params && typeof spec.base.params === 'object' ? spec.base.params : {}) as Record<
      string,
      unknown
    >;
    const first: Record<string, unknown> = {};
    for (const k of keys) {
      if (known && !known.includes(k)) {
        errors.push(`grid.${k}: not a parameter of ${name} (its parameters: ${known.join(', ')})`);
        continue;
      }
      let values: (number | string | boolean)[];
      try {
        values = axisValues(spec.grid[k]);
      } catch (e) {
        errors.push(`grid.${k}: ${(e as Error).message}`);
        continue;
      }
      first[k] = values[0];
      // Each value alone, over the base: only this parameter's own checks (type, bounds) count here.
      for (const v of new Set(values)) {
        const r = schema.safeParse({ ...baseParams, [k]: v });
        const issue = r.success ? undefined : r.error.issues.find((i) => i.code !== 'custom' && i.path[0] === k);
        if (issue) {
          errors.push(`grid.${k}: value ${JSON.stringify(v)}: ${issue.message}`);
          break;
        }
      }
    }
    const r = schema.safeParse({ ...baseParams, ...first });
    if (!r.success) {
      for (const i of r.error.issues) {
        if (i.code === 'custom' || keys.includes(String(i.path[0]))) continue;
        errors.push(`base.params${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`);
      }
    }
  }
  const known = new Set(keys);
  spec.constraints.forEach((c, i) => {
    try {
      parseConstraint(c, known);
    } catch (e) {
      errors.push(`constraints.${i}: ${(e as Error).message}`);
    }
  });
  return errors;
}

/** The axes of a sweep (values per key, in grid order) and its constraints as one predicate: what a guided search walks. */
export function sweepAxes(spec: SweepSpec): {
  keys: string[];
  axes: (number | string | boolean)[][];
  valid: (p: Params) => boolean;
} {
  const keys = Object.keys(spec.grid);
  const axes = keys.map((k) => {
    try {
      return axisValues(spec.grid[k]);
    } catch (e) {
      throw new Error(`grid.${k}: ${(e as Error).message}`);
    }
  });
  const constraints: Constraint[] = spec.constraints.map((c) => parseConstraint(c, new Set(keys)));
  return { keys, axes, valid: (p) => constraints.every((c) => c(p)) };
}
