import { describe, expect, it } from 'vitest';
import { buildSweep } from './optimize-form';

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
    const r = buildSweep(base, [{ param: 'fast', from: '5', to: '6', step: '1' }, { param: '', from: '', to: '', step: '' }], '-maxDrawdown', 10);
    expect(r.combinations).toBe(2);
    expect(Object.keys(r.sweep!.grid)).toEqual(['fast']);
  });
  it('explains bad axes per field', () => {
    const r = buildSweep(base, [{ param: 'fast', from: 'x', to: '1', step: '0' }, { param: 'fast', from: '1', to: '2', step: '1' }], 'sharpe', 10);
    expect(r.sweep).toBeNull();
    expect(r.errors).toEqual({ 'axis0.from': 'From must be a number', 'axis0.step': 'Step must be a positive number', 'axis1.param': 'Choose different parameters' });
    expect(buildSweep(base, [{ param: '', from: '', to: '', step: '' }], 'sharpe', 1).errors['axis0.param']).toBe('Choose a parameter to sweep');
    expect(buildSweep(base, [{ param: 'fast', from: '5', to: '1', step: '1' }], 'sharpe', 1).errors['axis0.to']).toBe('To is below From');
  });
});
