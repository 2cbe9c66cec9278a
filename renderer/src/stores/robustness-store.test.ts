import { describe, expect, it } from 'vitest';
import type { MonteCarloView } from '../../../core/contract';
import { equityFan } from './robustness-store';

const d = (p5: number | null, p50: number, p95: number) => ({ p5, p25: p50 * 0.9, p50, p75: p50 * 1.1, p95, mean: p50 });
const mc: MonteCarloView = {
  method: 'trades', paths: 100, seed: 1, blockLength: 1, steps: 10, capital: 100,
  finalEquity: d(null, 121, 400), maxDrawdown: d(-0.5, -0.2, -0.05), cagr: d(-0.1, 0.1, 0.5), ruin: 0.5, probabilityOfRuin: 0.02,
};

describe('Monte Carlo fan', () => {
  it('starts every band at the capital and ends at its final-equity percentile, geometrically', () => {
    const f = equityFan(mc, 0, 1000, 2);
    expect(f.time).toEqual([0, 500, 1000]);
    expect(f.bands.p50[0]).toBe(100);
    expect(f.bands.p50[1]).toBeCloseTo(110, 10);
    expect(f.bands.p50[2]).toBeCloseTo(121, 10);
    expect(f.bands.p95[2]).toBeCloseTo(400, 10);
    expect(f.bands.p5.every(Number.isNaN)).toBe(true);
  });
});
