import { describe, expect, it } from 'vitest';
import { parseConstraint } from './constraints';
import { Prng } from './prng';
import { axisValues, compareByObjective, expandSweep, SweepSpecSchema } from './sweep-spec';

describe('constraints', () => {
  it('evaluates arithmetic, precedence, unary minus and boolean combinations', () => {
    const c = parseConstraint('slow >= 2 * fast + 5 && -(fast) < 0 || fast == 99');
    expect(c({ fast: 10, slow: 25 })).toBe(true);
    expect(c({ fast: 10, slow: 24 })).toBe(false);
    expect(c({ fast: 99, slow: 1 })).toBe(true);
    expect(parseConstraint('(fast + slow) / 2 != 15')({ fast: 10, slow: 20 })).toBe(false);
  });

  it('rejects code, unknown names and malformed input without evaluating anything', () => {
    expect(() => parseConstraint('process.exit(1) < 2', new Set(['fast']))).toThrow(/unknown parameter "process.exit"/);
    expect(() => parseConstraint('fast < slow; 1')).toThrow(/unexpected ";" at column 12/);
    expect(() => parseConstraint('fast + slow')).toThrow(/expected a comparison/);
    expect(() => parseConstraint('fast < (slow')).toThrow(/expected "\)"/);
  });
});

describe('sweep expansion', () => {
  const spec = (extra: object) => SweepSpecSchema.parse({ base: { strategy: 'sma-cross' }, ...extra });

  it('expands ranges inclusively without float drift, lists as given, filtered by constraints', () => {
    expect(axisValues({ from: 0.1, to: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    const combos = expandSweep(
      spec({ grid: { fast: { from: 5, to: 50, step: 5 }, slow: [20, 50, 100] }, constraints: ['fast < slow'] }),
    );
    // fast in 5..50 (10 values) × slow 3 values, keeping fast < slow: 3 with slow 20, 9 with 50, 10 with 100.
    expect(combos).toHaveLength(22);
    expect(combos[0]).toEqual({ fast: 5, slow: 20 });
    expect(combos.every((p) => (p.fast as number) < (p.slow as number))).toBe(true);
    expect(new Set(combos.map((p) => `${p.fast}/${p.slow}`)).size).toBe(22);
  });

  it('draws reproducible, distinct, valid random samples', () => {
    const s = spec({
      grid: { fast: { from: 1, to: 200, step: 1 }, slow: { from: 2, to: 400, step: 1 } },
      constraints: ['fast < slow'],
      search: { kind: 'random', samples: 50, seed: 7 },
    });
    const a = expandSweep(s);
    const b = expandSweep(s);
    const c = expandSweep({ ...s, search: { kind: 'random', samples: 50, seed: 8 } });
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a).toHaveLength(50);
    expect(new Set(a.map((p) => `${p.fast}/${p.slow}`)).size).toBe(50);
    expect(a.every((p) => (p.fast as number) < (p.slow as number))).toBe(true);
  });

  it('sorts by objective, minimising with "-", nulls last, ties by index', () => {
    const rows = [{ sharpe: 1 }, { sharpe: null }, { sharpe: 3 }, { sharpe: 1 }].map((metrics, index) => ({
      metrics,
      index,
    }));
    expect(
      rows
        .slice()
        .sort(compareByObjective('sharpe'))
        .map((r) => r.index),
    ).toEqual([2, 0, 3, 1]);
    expect(
      rows
        .slice()
        .sort(compareByObjective('-sharpe'))
        .map((r) => r.index),
    ).toEqual([0, 3, 2, 1]);
  });
});

describe('prng', () => {
  it('is reproducible per seed and roughly uniform', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const xs = Array.from({ length: 10_000 }, () => a.next());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b.next()));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.02);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
