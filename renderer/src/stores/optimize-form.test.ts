import { describe, expect, it } from 'vitest';
import { buildSweep, neighbourhoodAxes } from './optimize-form';

const base = { strategy: 'sma-cross', params: { fast: 10, slow: 50, stop: 0.1 }, symbols: ['AAA'] };

describe('sweep form', () => {
  it('builds a two-parameter grid, drops the swept params from the base and counts combinations', () => {
    const r = buildSweep(
      base,
      [
        { param: 'fast', from: '5', to: '20', step: '5' },
        { param: 'slow', from: '40', to: '60', step: '10' },
      ],
      'sharpe',
      50,
    );
    expect(r.errors).toEqual({});
    expect(r.combinations).toBe(12);
    expect(r.sweep).toEqual({
      base: { strategy: 'sma-cross', params: { stop: 0.1 }, symbols: ['AAA'] },
      grid: { fast: { from: 5, to: 20, step: 5 }, slow: { from: 40, to: 60, step: 10 } },
      objective: 'sharpe',
      top: 50,
    });
  });
  it('ignores an empty second axis', () => {
    const r = buildSweep(
      base,
      [
        { param: 'fast', from: '5', to: '6', step: '1' },
        { param: '', from: '', to: '', step: '' },
      ],
      '-maxDrawdown',
      10,
    );
    expect(r.combinations).toBe(2);
    expect(Object.keys(r.sweep!.grid)).toEqual(['fast']);
  });
  it('explains bad axes per field', () => {
    const r = buildSweep(
      base,
      [
        { param: 'fast', from: 'x', to: '1', step: '0' },
        { param: 'fast', from: '1', to: '2', step: '1' },
      ],
      'sharpe',
      10,
    );
    expect(r.sweep).toBeNull();
    expect(r.errors).toEqual({
      'axis0.from': 'From must be a number',
      'axis0.step': 'Step must be a positive number',
      'axis1.param': 'Choose different parameters',
    });
    expect(buildSweep(base, [{ param: '', from: '', to: '', step: '' }], 'sharpe', 1).errors['axis0.param']).toBe(
      'Choose a parameter to sweep',
    );
    expect(buildSweep(base, [{ param: 'fast', from: '5', to: '1', step: '1' }], 'sharpe', 1).errors['axis0.to']).toBe(
      'To is below From',
    );
  });
});

describe("the best cell's neighbourhood", () => {
  const axes = [
    { param: 'fast', from: '4', to: '16', step: '2' },
    { param: 'slow', from: '20', to: '50', step: '5' },
    { param: 'signal', from: '3', to: '15', step: '3' },
  ];
  it('spans one step either side of the best value, clipped to the grid', () => {
    const n = neighbourhoodAxes(axes, { fast: 4, slow: 35, signal: 15 })!;
    expect(n.map((a) => [a.param, a.from, a.to, a.step])).toEqual([
      ['fast', '4', '6', '2'],
      ['slow', '30', '40', '5'],
      ['signal', '12', '15', '3'],
    ]);
    // 2 × 3 × 2 combinations once built into a sweep.
    const built = buildSweep({ strategy: 'macd-cross', symbols: ['A'] } as never, n, 'sharpe', 20);
    expect(built.combinations).toBe(12);
  });
  it('is null when the form no longer describes the sweep on screen', () => {
    expect(neighbourhoodAxes(axes, { fast: 4, slow: 35 })).toBeNull();
    expect(neighbourhoodAxes([{ param: 'fast', from: '4', to: 'x', step: '2' }], { fast: 4 })).toBeNull();
  });
});
