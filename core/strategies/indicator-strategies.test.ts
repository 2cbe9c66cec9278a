import { describe, expect, it } from 'vitest';
import { ichimoku, macd } from '../indicators';
import { bollingerReversion } from './bollinger-reversion';
import { barsFromCloses, randomBars } from './fixtures';
import { ichimokuCloud } from './ichimoku-cloud';
import { macdCross } from './macd-cross';
import { stepDecisions } from './step';

function decide(strategy: Parameters<typeof stepDecisions>[0], params: unknown, closes: number[]) {
  return Array.from(stepDecisions(strategy, params, barsFromCloses(closes)), (d) => (Number.isNaN(d) ? null : d));
}

describe('macd-cross', () => {
  it('equals the strict crossover of the batch MACD line and signal', () => {
    const bars = randomBars(3000, 3);
    const m = macd(bars.close, 12, 26, 9);
    const d = stepDecisions(macdCross, {}, bars);
    let crosses = 0;
    for (let i = 1; i < d.length; i++) {
      const a0 = m.macd[i - 1],
        b0 = m.signal[i - 1],
        a = m.macd[i],
        b = m.signal[i];
      const want = a0 < b0 && a > b ? 1 : a0 > b0 && a < b ? -1 : Number.NaN;
      expect(d[i]).toEqual(want);
      if (!Number.isNaN(want)) crosses++;
    }
    expect(crosses).toBeGreaterThan(50);
    expect(macdCross.params.safeParse({ fast: 30 }).success).toBe(false);
  });
});

describe('bollinger-reversion', () => {
  it('buys below the lower band and sells above the upper band (hand-computed, population sd)', () => {
    // i3: mean 9, sd 1.414 → lower 7.59 > 7; i4 inside (7.52..10.15); i5: upper 12.29 < 13
    expect(decide(bollingerReversion, { period: 3, stddev: 1 }, [10, 10, 10, 7, 9.5, 13])).toEqual([
      null,
      null,
      null,
      1,
      null,
      -1,
    ]);
  });
  it('optionally goes flat back at the middle band', () => {
    expect(decide(bollingerReversion, { period: 3, stddev: 1, exitAtMiddle: true }, [10, 10, 10, 7, 9.5, 13])).toEqual([
      null,
      null,
      null,
      1,
      0,
      -1,
    ]);
  });
});

describe('ichimoku-cloud', () => {
  it('goes long on the first bar whose displaced cloud exists, on a steady rise (hand-computed)', () => {
    // conversion(1) = c − 0.5, base(2) = c − 1, spans valid from i2; displaced by 2 → first cloud at i4
    const closes = Array.from({ length: 12 }, (_, i) => i + 1);
    const d = decide(ichimokuCloud, { conversion: 1, base: 2, spanB: 3, displacement: 2 }, closes);
    expect(d).toEqual([null, null, null, null, 1, null, null, null, null, null, null, null]);
  });
  it('equals the rule applied to the batch Ichimoku columns displaced by 26 bars', () => {
    const bars = randomBars(3000, 5);
    const k = ichimoku(bars.high, bars.low, 9, 26, 52);
    const d = stepDecisions(ichimokuCloud, {}, bars);
    let last = 0;
    let signals = 0;
    for (let i = 0; i < d.length; i++) {
      const a = i >= 26 ? k.spanA[i - 26] : Number.NaN;
      const b = i >= 26 ? k.spanB[i - 26] : Number.NaN;
      const c = bars.close[i];
      const side =
        c > Math.max(a, b) && k.conversion[i] > k.base[i]
          ? 1
          : c < Math.min(a, b) && k.conversion[i] < k.base[i]
            ? -1
            : 0;
      let want = Number.NaN;
      if (side !== 0 && side !== last) want = last = side;
      expect(d[i]).toEqual(want);
      if (!Number.isNaN(want)) signals++;
    }
    expect(signals).toBeGreaterThan(10);
  });
});
