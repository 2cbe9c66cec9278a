import { describe, expect, it } from 'vitest';
import { distribution, monteCarlo, type MonteCarloInput } from './montecarlo';

const DAY = 86_400_000;

function input(equity: number[], trades: [pnl: number, entryBar: number][] = []): MonteCarloInput {
  return {
    capital: equity[0],
    equity: Float64Array.from(equity),
    equityTime: Float64Array.from(equity, (_, i) => i * DAY * (365.25 / 252)),
    tradePnl: Float64Array.from(trades, (t) => t[0]),
    tradeEntryBar: Float64Array.from(trades, (t) => t[1]),
  };
}

describe('monte carlo', () => {
  it('gives the same numbers for the same seed and different ones for another seed', () => {
    const eq = Array.from({ length: 300 }, (_, i) => 100 * Math.exp(0.001 * i + 0.05 * Math.sin(i / 3)));
    const a = monteCarlo(input(eq), { method: 'returns', paths: 500, seed: 3 });
    const b = monteCarlo(input(eq), { method: 'returns', paths: 500, seed: 3 });
    const c = monteCarlo(input(eq), { method: 'returns', paths: 500, seed: 4 });
    expect(a).toEqual(b);
    expect(a.finalEquity.p50).not.toBe(c.finalEquity.p50);
    expect(a.blockLength).toBe(17);
    expect(a.finalEquity.p5).toBeLessThanOrEqual(a.finalEquity.p50);
    expect(a.finalEquity.p50).toBeLessThanOrEqual(a.finalEquity.p95);
  });

  it('resampling constant returns reproduces the run exactly (final equity, drawdown, CAGR)', () => {
    // 252 bars of +1% a bar over one year: every resample is the same path.
    const eq = Array.from({ length: 253 }, (_, i) => 1000 * 1.01 ** i);
    const r = monteCarlo(input(eq), { method: 'returns', paths: 50, seed: 1, blockLength: 5 });
    expect(r.finalEquity.p5).toBeCloseTo(1000 * 1.01 ** 252, 6);
    expect(r.finalEquity.p95).toBeCloseTo(1000 * 1.01 ** 252, 6);
    expect(r.maxDrawdown.p50).toBe(0);
    expect(r.cagr.p50).toBeCloseTo(1.01 ** 252 - 1, 6);
    expect(r.probabilityOfRuin).toBe(0);
  });

  it('bootstraps trades as returns on the equity before entry, and counts ruin', () => {
    // Two trades: +10% of 1000 then -60% of 1100 (pnl -660): equity ends at 440.
    const eq = [1000, 1000, 1100, 1100, 440];
    const r = monteCarlo(
      input(eq, [
        [100, 1],
        [-660, 3],
      ]),
      { method: 'trades', paths: 4000, seed: 9, ruin: 0.5 },
    );
    expect(r.steps).toBe(2);
    // Paths: (+10%,+10%) 1210, mixed 440 (×2), (-60%,-60%) 160; ruin (≤ 500) in 3 of 4 cases.
    expect(r.probabilityOfRuin).toBeGreaterThan(0.72);
    expect(r.probabilityOfRuin).toBeLessThan(0.78);
    expect(r.finalEquity.p50).toBeCloseTo(440, 6);
    expect(r.finalEquity.p95).toBeCloseTo(1210, 6);
    expect(r.finalEquity.p5).toBeCloseTo(160, 6);
    expect(r.maxDrawdown.p5).toBeCloseTo(-0.84, 6);
  });

  it('refuses a run with nothing to resample', () => {
    expect(() => monteCarlo(input([1000, 1010]), { method: 'trades', paths: 10, seed: 1 })).toThrow(/no closed trades/);
    expect(() => monteCarlo(input([1000]), { method: 'returns', paths: 10, seed: 1 })).toThrow(/fewer than two/);
  });

  it('computes numpy-style percentiles over finite values', () => {
    const d = distribution(Float64Array.of(4, 1, 3, 2, Number.NaN, 5));
    expect(d).toEqual({ p5: 1.2, p25: 2, p50: 3, p75: 4, p95: 4.8, mean: 3 });
  });
});
