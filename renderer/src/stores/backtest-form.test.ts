import { describe, expect, it } from 'vitest';
import { fieldsFromSchema } from '../lib/param-form';
import { buildSpec, DEFAULT_SETUP, parseSymbols } from './backtest-form';

const fields = fieldsFromSchema({ type: 'object', properties: { fast: { type: 'integer', minimum: 1, default: 10 } } });

describe('backtest setup', () => {
  it('parses symbol lists', () => {
    expect(parseSymbols(' aaa, BBB  ccc;aaa ')).toEqual(['AAA', 'BBB', 'CCC']);
  });
  it('builds a spec with costs converted from basis points and typed params', () => {
    const { spec, errors } = buildSpec(
      'sma-cross',
      fields,
      { fast: '12' },
      { ...DEFAULT_SETUP, symbols: 'aaa', start: '2015-01-02', benchmark: 'spy' },
    );
    expect(errors).toEqual({});
    expect(spec).toEqual({
      strategy: 'sma-cross',
      params: { fast: 12 },
      symbols: ['AAA'],
      capital: 100000,
      fill: 'next-open',
      direction: 'long-short',
      commission: { rate: 0.0005, fixed: 0 },
      slippageBps: 2,
      start: '2015-01-02',
      benchmark: 'SPY',
    });
  });
  it('explains every invalid field and builds nothing', () => {
    const { spec, errors } = buildSpec(
      'sma-cross',
      fields,
      { fast: '0' },
      {
        ...DEFAULT_SETUP,
        symbols: ' ',
        start: '2020-02-30',
        capital: '-5',
        slippageBps: 'x',
      },
    );
    expect(spec).toBeNull();
    expect(Object.keys(errors).sort()).toEqual([
      'params.fast',
      'setup.capital',
      'setup.slippageBps',
      'setup.start',
      'setup.symbols',
    ]);
    expect(errors['setup.symbols']).toBe('Enter at least one symbol, or a universe');
    expect(errors['setup.start']).toBe('Start must be a date YYYY-MM-DD');
  });
  it('takes a universe instead of symbols, never both', () => {
    const u = buildSpec('factor-rank', [], {}, { ...DEFAULT_SETUP, universe: 'all' });
    expect(u.spec).toMatchObject({ universe: 'all' });
    expect(u.spec).not.toHaveProperty('symbols');
    expect(buildSpec('x', [], {}, { ...DEFAULT_SETUP, universe: 'all', symbols: 'AAA' }).errors['setup.universe']).toBe(
      'Give symbols or a universe, not both',
    );
  });
  it('rejects an end before the start', () => {
    const { errors } = buildSpec(
      'x',
      [],
      {},
      { ...DEFAULT_SETUP, symbols: 'A', start: '2020-01-02', end: '2019-01-02' },
    );
    expect(errors['setup.end']).toBe('End is before start');
  });
});
