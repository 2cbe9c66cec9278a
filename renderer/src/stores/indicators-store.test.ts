import { beforeEach, describe, expect, it } from 'vitest';
import { installFakeApi } from './test-api';
import {
  addIndicator,
  alignToBars,
  computeIndicatorsFor,
  drawnIndicators,
  removeIndicator,
  useIndicatorsStore,
} from './indicators-store';

const initial = useIndicatorsStore.getState();
const F = (xs: number[]) => new Float64Array(xs);

describe('indicators store', () => {
  beforeEach(() => useIndicatorsStore.setState(initial, true));

  it('aligns outputs to the bar axis, NaN for warm-up and uncovered bars', () => {
    const a = alignToBars([1, 2, 3, 4, 5], new Float64Array([2, 3, 5]), new Float64Array([Number.NaN, 7, 9]));
    expect(Array.from(a).map((v) => (Number.isNaN(v) ? 'x' : v))).toEqual(['x', 'x', 7, 'x', 9]);
  });

  it('computes an added indicator for the chart symbol and places overlays and panes', async () => {
    const fake = installFakeApi({
      'indicators:compute': (input) => {
        const i = input as { name: string; params: Record<string, number>; symbol: string };
        const outputs =
          i.name === 'macd'
            ? { macd: F([1, 2]), signal: F([0.5, 1]), histogram: F([0.5, 1]) }
            : { value: F([Number.NaN, 10]) };
        const value = { name: i.name, params: { period: 20, ...i.params }, time: F([1000, 2000]), outputs };
        return { ok: true, value };
      },
    });
    await computeIndicatorsFor('AAA');
    await addIndicator('sma', { period: 5 });
    await addIndicator('macd', {});
    expect(fake.calls.map((c) => c.input)).toEqual([
      { name: 'sma', params: { period: 5 }, symbol: 'AAA' },
      { name: 'macd', params: {}, symbol: 'AAA' },
    ]);
    const s = useIndicatorsStore.getState();
    const drawn = drawnIndicators(s.active, s.results, [1000, 2000]);
    expect(drawn.map((d) => d.placement)).toEqual(['overlay', 'pane']);
    expect(drawn[0].label).toBe('SMA(5)');
    expect(Array.from(drawn[0].lines[0].values)).toEqual([Number.NaN, 10]);
    expect(drawn[1].lines.map((l) => l.style)).toEqual(['line', 'line', 'histogram']);
    removeIndicator(s.active[0].id);
    expect(useIndicatorsStore.getState().active.map((a) => a.name)).toEqual(['macd']);
    expect(Object.keys(useIndicatorsStore.getState().results)).toHaveLength(1);
  });

  it('recomputes for a new symbol and shows an API error', async () => {
    const fake = installFakeApi({
      'indicators:compute': (input) =>
        (input as { symbol: string }).symbol === 'BAD'
          ? { ok: false, error: { code: 'not-found', message: 'Unknown symbol BAD' } }
          : { ok: true, value: { name: 'rsi', params: { period: 14 }, time: F([1]), outputs: { value: F([50]) } } },
    });
    await computeIndicatorsFor('AAA');
    await addIndicator('rsi', { period: 14 });
    await computeIndicatorsFor('BAD');
    expect(fake.calls).toHaveLength(2);
    expect(useIndicatorsStore.getState().error?.message).toBe('Unknown symbol BAD');
    expect(useIndicatorsStore.getState().results).toEqual({});
  });
});
