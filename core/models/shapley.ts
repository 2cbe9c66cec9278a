import { Prng } from '../optimize/prng';

/** A batch predictor: one output per row (rows are feature vectors). */
export type BatchPredict = (rows: readonly Float64Array[]) => Promise<Float64Array>;

/**
 * Model-agnostic Shapley values of `x` against a background sample (the interventional value function that
 * KernelSHAP estimates: v(S) = mean over background rows b of f(x on S, b elsewhere)). Exact for up to
 * `exactUpTo` features (all 2^F coalitions, evaluated in one batch); above that, averaged over `permutations`
 * seeded random feature orders. Either way local accuracy is exact: `base + Σ phi = f(x)` where
 * `base = mean f(b)`, up to floating-point rounding.
 */
export async function shapleyValues(
  f: BatchPredict,
  x: Float64Array,
  background: readonly Float64Array[],
  opts: ShapleyOptions = {},
): Promise<ShapleyResult> {
  const plan = shapleyPlan(x, background, opts);
  return plan.combine(await f(plan.rows));
}

/** The same values for a synchronous predictor (networks evaluated in JS). */
export function shapleyValuesSync(
  f: (rows: readonly Float64Array[]) => Float64Array,
  x: Float64Array,
  background: readonly Float64Array[],
  opts: ShapleyOptions = {},
): ShapleyResult {
  const plan = shapleyPlan(x, background, opts);
  return plan.combine(f(plan.rows));
}

/** Options of {@link shapleyValues}. */
export interface ShapleyOptions {
  readonly exactUpTo?: number;
  readonly permutations?: number;
  readonly seed?: number;
}

/** A prediction and its Shapley decomposition. */
export interface ShapleyResult {
  readonly prediction: number;
  readonly base: number;
  readonly contributions: Float64Array;
}

/** The rows to evaluate and how to turn their outputs into Shapley values. */
function shapleyPlan(
  x: Float64Array,
  background: readonly Float64Array[],
  opts: ShapleyOptions,
): { rows: Float64Array[]; combine(out: Float64Array): ShapleyResult } {
  const F = x.length;
  const K = background.length;
  if (K === 0) throw new Error('shapleyValues: empty background');
  const mix = (mask: (j: number) => boolean, b: Float64Array) =>
    Float64Array.from({ length: F }, (_, j) => (mask(j) ? x[j] : b[j]));
  const phi = new Float64Array(F);
  if (F <= (opts.exactUpTo ?? 10)) {
    const M = 1 << F;
    const rows: Float64Array[] = [];
    for (let m = 0; m < M; m++) for (const b of background) rows.push(mix((j) => (m & (1 << j)) !== 0, b));
    return {
      rows,
      combine(out) {
        const v = new Float64Array(M);
        for (let m = 0; m < M; m++) {
          let s = 0;
          for (let k = 0; k < K; k++) s += out[m * K + k];
          v[m] = s / K;
        }
        const fact = [1];
        for (let i = 1; i <= F; i++) fact.push(fact[i - 1] * i);
        for (let j = 0; j < F; j++) {
          for (let m = 0; m < M; m++) {
            if (m & (1 << j)) continue;
            let size = 0;
            for (let b = 0; b < F; b++) if (m & (1 << b)) size++;
            phi[j] += ((fact[size] * fact[F - size - 1]) / fact[F]) * (v[m | (1 << j)] - v[m]);
          }
        }
        return { prediction: v[M - 1], base: v[0], contributions: phi };
      },
    };
  }
  const P = opts.permutations ?? 64;
  const rng = new Prng(opts.seed ?? 1);
  const rows: Float64Array[] = [];
  const orders: number[][] = [];
  for (let p = 0; p < P; p++) {
    const order = Array.from({ length: F }, (_, j) => j);
    for (let i = F - 1; i > 0; i--) {
      const r = rng.int(i + 1);
      [order[i], order[r]] = [order[r], order[i]];
    }
    orders.push(order);
    for (let step = 0; step <= F; step++) {
      const on = new Set(order.slice(0, step));
      for (const b of background) rows.push(mix((j) => on.has(j), b));
    }
  }
  return {
    rows,
    combine(out) {
      const value = (p: number, step: number) => {
        let s = 0;
        for (let k = 0; k < K; k++) s += out[(p * (F + 1) + step) * K + k];
        return s / K;
      };
      for (let p = 0; p < P; p++)
        for (let step = 0; step < F; step++) phi[orders[p][step]] += (value(p, step + 1) - value(p, step)) / P;
      return { prediction: value(0, F), base: value(0, 0), contributions: phi };
    },
  };
}
