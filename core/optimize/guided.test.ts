import { describe, expect, it } from 'vitest';
import { cellKey, guidedSearch, neighbourhoodStability } from './guided';
import type { Params } from './sweep-spec';
import { SweepSpecSchema, expandSweep } from './sweep-spec';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const keys = ['a', 'b', 'c'];
const axes = [range(12), range(12), range(12)];
/** A smooth bowl with its top at (9, 2, 6): 0 there, negative elsewhere. */
const score = (p: Params) => -((Number(p.a) - 9) ** 2) - (Number(p.b) - 2) ** 2 - (Number(p.c) - 6) ** 2;

describe('guided (genetic) search', () => {
  it('finds the top of a 3-parameter bowl with 160 of 1,728 evaluations, never twice the same, within budget', async () => {
    const batches: number[] = [];
    const g = await guidedSearch(
      keys,
      axes,
      () => true,
      { budget: 160, seed: 7, population: 16 },
      async (batch) => {
        batches.push(batch.length);
        return batch.map(score);
      },
    );
    expect(g.params.length).toBeLessThanOrEqual(160);
    expect(new Set(g.params.map((p) => cellKey(keys, p))).size).toBe(g.params.length);
    expect(Math.max(...g.scores)).toBeGreaterThanOrEqual(-1);
    // Better than random draws of the same size would typically be: the best of gen 0 is far worse.
    expect(Math.max(...g.scores.slice(0, 16))).toBeLessThan(Math.max(...g.scores));
    expect(g.generations).toBe(batches.length);
  });

  it('is reproducible by seed, respects constraints, and counts failures as worst', async () => {
    const run = (seed: number) =>
      guidedSearch(
        keys,
        axes,
        (p) => Number(p.a) < Number(p.b) + 8,
        { budget: 60, seed, population: 12 },
        async (batch) => batch.map((p) => (Number(p.c) === 0 ? Number.NaN : score(p))),
      );
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(a.params).toEqual(b.params);
    expect(a.params).not.toEqual(c.params);
    expect(a.params.every((p) => Number(p.a) < Number(p.b) + 8)).toBe(true);
    expect(a.scores.filter((s, i) => Number(a.params[i].c) === 0).every((s) => s === -Infinity)).toBe(true);
  });

  it('stops when the grid is exhausted (budget above the valid combinations)', async () => {
    const g = await guidedSearch(
      ['x'],
      [range(5)],
      () => true,
      { budget: 100, seed: 1, population: 4 },
      async (batch) => batch.map(() => 1),
    );
    expect(g.params.map((p) => p.x).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('a sweep file takes search kind genetic, with a budget and defaults', () => {
    const s = SweepSpecSchema.parse({ base: {}, grid: { a: [1, 2] }, search: { kind: 'genetic', budget: 50 } });
    expect(s.search).toEqual({ kind: 'genetic', budget: 50, seed: 1, population: 16 });
    expect(expandSweep(s)).toEqual([]);
    expect(SweepSpecSchema.safeParse({ base: {}, grid: { a: [1] }, search: { kind: 'genetic' } }).success).toBe(false);
  });
});

describe('neighbourhood stability', () => {
  it('is the mean of the one-step neighbours over the cell (worked by hand)', () => {
    const ks = ['x', 'y'];
    const ax = [
      [1, 2, 3],
      [10, 20],
    ];
    const surface = new Map<string, number>([
      ['x=2&y=10', 2],
      ['x=1&y=10', 1],
      ['x=3&y=10', 1.5],
      ['x=2&y=20', 0.5],
    ]);
    // Neighbours of (2, 10): (1,10)=1, (3,10)=1.5, (2,20)=0.5 → mean 1 → ratio 0.5.
    expect(neighbourhoodStability(ks, ax, surface, { x: 2, y: 10 })).toEqual({ ratio: 0.5, neighbours: 3, mean: 1 });
    expect(neighbourhoodStability(ks, ax, surface, { x: 3, y: 20 }).ratio).toBeNull();
  });
});
