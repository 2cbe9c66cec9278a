import { beforeEach, describe, expect, it } from 'vitest';
import type { MonteCarloView } from '../../../core/contract';
import { useBacktestStore } from './backtest-store';
import { chooseMonteCarloRun, equityFan, monteCarloRunId, runMonteCarlo, useRobustnessStore } from './robustness-store';
import { installFakeApi } from './test-api';

const d = (p5: number | null, p50: number, p95: number) => ({
  p5,
  p25: p50 * 0.9,
  p50,
  p75: p50 * 1.1,
  p95,
  mean: p50,
});
const mc: MonteCarloView = {
  method: 'trades',
  paths: 100,
  seed: 1,
  blockLength: 1,
  steps: 10,
  capital: 100,
  finalEquity: d(null, 121, 400),
  maxDrawdown: d(-0.5, -0.2, -0.05),
  cagr: d(-0.1, 0.1, 0.5),
  ruin: 0.5,
  probabilityOfRuin: 0.02,
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

describe('Monte Carlo run choice (issue 11: it silently used the run open in Backtest)', () => {
  beforeEach(() => {
    useRobustnessStore.setState({ mcRunId: null, mc: null, mcOf: null, error: null });
    useBacktestStore.setState({ runId: 'open-run', history: [] });
  });

  it('names the run it resamples, and uses the one the user chose rather than the one open in Backtest', async () => {
    const fake = installFakeApi({
      'runs:get': () => ({
        ok: true,
        value: {
          id: 'older',
          strategy: 'rsi-reversion',
          result: {
            equity: {
              time: Float64Array.of(Date.UTC(2019, 0, 2), Date.UTC(2020, 11, 31)),
              value: Float64Array.of(1, 2),
            },
          },
        } as never,
      }),
      'montecarlo:run': () => ({ ok: true, value: mc }),
    });
    // Not chosen yet: the run open in Backtest, shown as the choice.
    expect(monteCarloRunId()).toBe('open-run');
    chooseMonteCarloRun('older');
    expect(monteCarloRunId()).toBe('older');
    await runMonteCarlo();
    expect(fake.calls.find((c) => c.channel === 'montecarlo:run')!.input).toMatchObject({ runId: 'older' });
    expect(useRobustnessStore.getState().mcOf).toEqual({
      runId: 'older',
      strategy: 'rsi-reversion',
      span: [Date.UTC(2019, 0, 2), Date.UTC(2020, 11, 31)],
    });
  });
});
