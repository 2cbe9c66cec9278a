import { Prng } from './prng';
import type { Params } from './sweep-spec';

/** Settings of a guided (genetic) search: how many combinations it may evaluate in all, the PRNG seed, the generation size. */
export interface GuidedSettings {
  readonly budget: number;
  readonly seed: number;
  readonly population: number;
}

/** A generation's evaluation: one score per combination (higher is better; NaN or -Infinity for a failed one). */
export type Evaluate = (batch: readonly Params[]) => Promise<readonly number[]>;

/**
 * A seeded genetic search over a discrete grid (`axes[k]` are the values of parameter `keys[k]`): a first
 * generation of distinct random valid combinations, then generations bred from the best seen so far
 * (tournament of 3, uniform crossover, and per-gene mutation that steps one or two grid positions or, one
 * time in five, jumps anywhere), never evaluating a combination twice, until `budget` combinations have
 * been evaluated or no new valid one can be bred. Same seed, same grid, same scores → same combinations.
 * Returns every evaluated combination with its score, in evaluation order.
 */
export async function guidedSearch(
  keys: readonly string[],
  axes: readonly (readonly (number | string | boolean)[])[],
  valid: (p: Params) => boolean,
  settings: GuidedSettings,
  evaluate: Evaluate,
): Promise<{ params: Params[]; scores: number[]; generations: number }> {
  const rng = new Prng(settings.seed);
  const dims = keys.length;
  const seen = new Set<string>();
  const evaluated: { genes: number[]; score: number }[] = [];
  const params: Params[] = [];
  const scores: number[] = [];
  const toParams = (g: readonly number[]): Params => Object.fromEntries(keys.map((k, d) => [k, axes[d][g[d]]]));
  const keyOf = (g: readonly number[]) => g.join(',');
  const total = axes.reduce((n, a) => n * a.length, 1);
  const budget = Math.min(settings.budget, total);
  const popSize = Math.max(2, Math.min(settings.population, budget));

  /** Adds `g` to the batch when new and valid. */
  const tryAdd = (g: number[], batch: number[][]): boolean => {
    const k = keyOf(g);
    if (seen.has(k)) return false;
    seen.add(k);
    if (!valid(toParams(g))) return false;
    batch.push(g);
    return true;
  };
  const run = async (batch: number[][]) => {
    const ps = batch.map(toParams);
    const s = await evaluate(ps);
    batch.forEach((g, i) => {
      const v = s[i];
      const score = typeof v === 'number' && Number.isFinite(v) ? v : -Infinity;
      evaluated.push({ genes: g, score });
      params.push(ps[i]);
      scores.push(score);
    });
  };

  // Generation 0: random distinct valid combinations.
  let batch: number[][] = [];
  for (let attempts = 0; batch.length < popSize && attempts < popSize * 200 && seen.size < total; attempts++) {
    tryAdd(
      axes.map((a) => rng.int(a.length)),
      batch,
    );
  }
  let generations = 0;
  while (batch.length > 0) {
    await run(batch);
    generations++;
    if (evaluated.length >= budget) break;
    // Parents: the best seen so far (elitist), chosen by tournament.
    const ranked = [...evaluated].sort((a, b) => b.score - a.score).slice(0, Math.max(4, popSize));
    const pick = () => {
      let best = ranked[rng.int(ranked.length)];
      for (let t = 1; t < 3; t++) {
        const c = ranked[rng.int(ranked.length)];
        if (c.score > best.score) best = c;
      }
      return best.genes;
    };
    const want = Math.min(popSize, budget - evaluated.length);
    batch = [];
    for (let attempts = 0; batch.length < want && attempts < want * 200 && seen.size < total; attempts++) {
      const a = pick();
      const b = pick();
      const child = a.map((x, d) => (rng.next() < 0.5 ? x : b[d]));
      for (let d = 0; d < dims; d++) {
        if (rng.next() >= Math.max(0.25, 1 / dims)) continue;
        const len = axes[d].length;
        if (rng.next() < 0.2) child[d] = rng.int(len);
        else {
          const step = (rng.next() < 0.5 ? -1 : 1) * (1 + rng.int(2));
          child[d] = Math.min(len - 1, Math.max(0, child[d] + step));
        }
      }
      tryAdd(child, batch);
    }
  }
  return { params, scores, generations };
}

/**
 * Neighbourhood stability of a grid cell: the mean objective of its valid evaluated neighbours (one grid step
 * along any one axis) over its own objective. 1 = a plateau, near 0 or negative = an isolated spike. Null when
 * the cell or all its neighbours are missing, or the cell's objective is not positive.
 */
export function neighbourhoodStability(
  keys: readonly string[],
  axes: readonly (readonly (number | string | boolean)[])[],
  surface: ReadonlyMap<string, number>,
  cell: Params,
): { ratio: number | null; neighbours: number; mean: number | null } {
  const idx = keys.map((k, d) => axes[d].indexOf(cell[k]));
  const keyOf = (g: readonly number[]) => keys.map((k, d) => `${k}=${String(axes[d][g[d]])}`).join('&');
  const own = surface.get(keyOf(idx));
  const vals: number[] = [];
  for (let d = 0; d < keys.length; d++) {
    for (const step of [-1, 1]) {
      const g = idx.slice();
      g[d] += step;
      if (g[d] < 0 || g[d] >= axes[d].length) continue;
      const v = surface.get(keyOf(g));
      if (v !== undefined && Number.isFinite(v)) vals.push(v);
    }
  }
  const mean = vals.length ? vals.reduce((s, v) => s + v, 0) / vals.length : null;
  if (own === undefined || !(own > 0) || mean === null) return { ratio: null, neighbours: vals.length, mean };
  return { ratio: mean / own, neighbours: vals.length, mean };
}

/** The key {@link neighbourhoodStability} looks cells up by. */
export function cellKey(keys: readonly string[], p: Params): string {
  return keys.map((k) => `${k}=${String(p[k])}`).join('&');
}
