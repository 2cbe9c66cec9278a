import { describe, expect, it } from 'vitest';
import type { SweepResultView } from '../../../core/contract';
import { binGrid } from './heatmap';
import { failureReasons, sweepPoints } from './sweep-view';

// A 2–50 × 10–250 grid (issue 11): 49 × 241 combinations, those with fast >= slow failing, the table's top 500.
function bigSweep(): SweepResultView {
  const fast: number[] = [];
  const slow: number[] = [];
  const objective: number[] = [];
  const failed: { params: Record<string, number>; error: string }[] = [];
  for (let f = 2; f <= 50; f++)
    for (let s = 10; s <= 250; s++) {
      if (f >= s) {
        failed.push({ params: { fast: f, slow: s }, error: 'params.fast: fast must be < slow' });
        continue;
      }
      fast.push(f);
      slow.push(s);
      objective.push(Math.sin(f / 7) + Math.cos(s / 40));
    }
  const rows = fast
    .map((f, i) => ({ params: { fast: f, slow: slow[i] }, metrics: { sharpe: objective[i] } }))
    .sort((a, b) => b.metrics.sharpe - a.metrics.sharpe);
  const results = rows.slice(0, 500);
  return {
    runs: 49 * 241,
    elapsedMs: 1,
    workers: 2,
    objective: 'sharpe',
    best: results[0],
    results,
    failed,
    fingerprint: 'f',
    kernel: null,
    // As sweep:get sends it: typed columns.
    surface: {
      keys: ['fast', 'slow'],
      params: [Float64Array.from(fast), Float64Array.from(slow)],
      objective: Float64Array.from(objective),
    },
  };
}

describe('sweep heatmap points', () => {
  it('plots every result of a 2–50 × 10–250 sweep: no missing row or column, every successful cell filled', () => {
    const out = bigSweep();
    const { points, complete } = sweepPoints(out, 'fast', 'slow');
    expect(complete).toBe(true);
    const g = binGrid(points);
    expect(g.xs).toHaveLength(49);
    expect(g.ys).toHaveLength(241);
    const filled = g.values.flat().filter((v) => Number.isFinite(v)).length;
    expect(filled).toBe(49 * 241 - out.failed.length);
    // Binning the table's top 500 alone (what the view did) leaves rows and columns out.
    const top = binGrid(
      out.results.map((r) => ({ x: Number(r.params.fast), y: Number(r.params.slow), value: r.metrics.sharpe! })),
    );
    expect(top.xs.length * top.ys.length).toBeLessThan(49 * 241);
  });

  it('without a surface falls back to the top results and says the picture is incomplete', () => {
    const out = { ...bigSweep(), surface: null };
    const { points, complete } = sweepPoints(out, 'fast', 'slow');
    expect(points).toHaveLength(500);
    expect(complete).toBe(false);
  });

  it('groups failures by reason with a count and an example', () => {
    const out = bigSweep();
    const reasons = failureReasons([...out.failed, { params: { fast: 3, slow: 12 }, error: 'worker crashed' }]);
    expect(reasons).toEqual([
      { reason: 'params.fast: fast must be < slow', count: out.failed.length, example: 'fast=10 slow=10' },
      { reason: 'worker crashed', count: 1, example: 'fast=3 slow=12' },
    ]);
  });
});
