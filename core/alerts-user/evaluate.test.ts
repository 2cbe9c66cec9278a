import { describe, expect, it } from 'vitest';
import { INDICATORS } from '../indicators/registry';
import { AlertCondition } from '../model/desk';
import { canFire, checkCondition, ConditionError, ConditionState, type RuleBar } from './evaluate';

const DAY = 86_400_000;
function bars(closes: readonly number[], volumes?: readonly number[]): RuleBar[] {
  return closes.map((c, i) => ({ time: i * DAY, open: c, high: c, low: c, close: c, volume: volumes?.[i] ?? 1_000 }));
}
function hits(cond: unknown, closes: readonly number[], volumes?: readonly number[]): boolean[] {
  const st = new ConditionState(AlertCondition.parse(cond));
  return bars(closes, volumes).map((b) => st.next(b).hit);
}

describe('user alert conditions (hand-computed)', () => {
  it('crosses above / below a value: previous <= level and now > level', () => {
    const closes = [1, 2, 3, 2, 4];
    expect(hits({ op: 'crosses-above', left: { kind: 'price' }, right: 2.5 }, closes)).toEqual([
      false,
      false,
      true,
      false,
      true,
    ]);
    expect(hits({ op: 'crosses-below', left: { kind: 'price' }, right: 2.5 }, closes)).toEqual([
      false,
      false,
      false,
      true,
      false,
    ]);
    expect(hits({ op: 'crosses', left: { kind: 'price' }, right: 2.5 }, closes)).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);
    // Touching the level is not crossing it; leaving from the level is.
    expect(hits({ op: 'crosses-above', left: { kind: 'price' }, right: 2 }, [1, 2, 3])).toEqual([false, false, true]);
  });

  it('crosses another series: price against SMA(2) = [NaN, 1.5, 2.5, 2.5, 3]', () => {
    const closes = [1, 2, 3, 2, 4];
    const sma2 = { kind: 'indicator', name: 'sma', params: { period: 2 } };
    // idx1 has no previous SMA (warm-up): no cross; idx2 stays above; idx3 goes below; idx4 back above.
    expect(hits({ op: 'crosses-above', left: { kind: 'price' }, right: sma2 }, closes)).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(hits({ op: 'crosses', left: { kind: 'price' }, right: sma2 }, closes)).toEqual([
      false,
      false,
      false,
      true,
      true,
    ]);
    expect(hits({ op: 'above', left: { kind: 'price' }, right: sma2 }, closes)).toEqual([
      false,
      true,
      true,
      false,
      true,
    ]);
    expect(hits({ op: 'below', left: sma2, right: { kind: 'price' } }, closes)).toEqual([
      false,
      true,
      true,
      false,
      true,
    ]);
  });

  it('enters and exits a band [2, 3] (bounds in either order)', () => {
    const closes = [1, 2.5, 2.8, 4, 3];
    expect(hits({ op: 'enters-band', left: { kind: 'price' }, lower: 2, upper: 3 }, closes)).toEqual([
      false,
      true,
      false,
      false,
      true,
    ]);
    expect(hits({ op: 'exits-band', left: { kind: 'price' }, lower: 3, upper: 2 }, closes)).toEqual([
      false,
      false,
      false,
      true,
      false,
    ]);
  });

  it('moves N% in N bars: (111-100)/100 = +11%, (99-111)/111 = -10.8%', () => {
    const closes = [100, 105, 111, 100, 99];
    expect(hits({ op: 'moves-up-pct', pct: 10, bars: 2 }, closes)).toEqual([false, false, true, false, false]);
    expect(hits({ op: 'moves-down-pct', pct: 10, bars: 2 }, closes)).toEqual([false, false, false, false, true]);
    expect(hits({ op: 'moves-pct', pct: 10, bars: 2 }, closes)).toEqual([false, false, true, false, true]);
    // 11% is not 12%.
    expect(hits({ op: 'moves-up-pct', pct: 12, bars: 2 }, closes)).toEqual([false, false, false, false, false]);
  });

  it('change % and volume series', () => {
    expect(hits({ op: 'above', left: { kind: 'change' }, right: 5 }, [100, 110, 111])).toEqual([false, true, false]);
    expect(
      hits({ op: 'crosses-above', left: { kind: 'volume' }, right: 5_000 }, [1, 1, 1], [1_000, 6_000, 7_000]),
    ).toEqual([false, true, false]);
  });

  it('an indicator reads the registry stream, equal to its batch form', () => {
    const closes = Array.from({ length: 40 }, (_, i) => 100 + 10 * Math.sin(i / 3));
    const st = new ConditionState(
      AlertCondition.parse({
        op: 'above',
        left: { kind: 'indicator', name: 'rsi', params: { period: 14 } },
        right: -1,
      }),
    );
    const values = bars(closes).map((b) => st.next(b));
    const time = Float64Array.from(closes.map((_, i) => i * DAY));
    const c = Float64Array.from(closes);
    const batch = INDICATORS.rsi.batch(
      { time, open: c, high: c, low: c, close: c, volume: new Float64Array(c.length) },
      { period: 14 },
    ).value;
    for (let i = 0; i < closes.length; i++) {
      if (Number.isNaN(batch[i])) expect(values[i].value).toBeNaN();
      else expect(values[i].value).toBeCloseTo(batch[i], 9);
      // Warm-up never hits (the first RSI(14) is at index 14).
      expect(values[i].hit).toBe(i >= 14);
    }
  });

  it('rejects an unknown indicator, a bad output and bad parameters, naming the field', () => {
    expect(() =>
      checkCondition(AlertCondition.parse({ op: 'above', left: { kind: 'indicator', name: 'nope' }, right: 1 })),
    ).toThrow(/condition\.left\.name: unknown indicator "nope"/);
    expect(() =>
      checkCondition(
        AlertCondition.parse({
          op: 'above',
          left: { kind: 'price' },
          right: { kind: 'indicator', name: 'macd', output: 'x' },
        }),
      ),
    ).toThrow(/condition\.right\.output/);
    expect(() =>
      checkCondition(
        AlertCondition.parse({
          op: 'above',
          left: { kind: 'indicator', name: 'sma', params: { period: 1 } },
          right: 1,
        }),
      ),
    ).toThrow(ConditionError);
  });

  it('once, every, pause and expiry', () => {
    const base = { mode: 'once' as const, expiresAt: null, paused: false, triggered: false };
    expect(canFire(base, 0)).toBe('yes');
    expect(canFire({ ...base, triggered: true }, 0)).toBe('triggered');
    expect(canFire({ ...base, mode: 'every', triggered: true }, 0)).toBe('yes');
    expect(canFire({ ...base, paused: true }, 0)).toBe('paused');
    expect(canFire({ ...base, expiresAt: 1_000 }, 1_000)).toBe('yes');
    expect(canFire({ ...base, expiresAt: 1_000 }, 1_001)).toBe('expired');
  });
});
