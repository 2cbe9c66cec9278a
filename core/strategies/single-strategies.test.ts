import { describe, expect, it } from 'vitest';
import { ema, sma } from '../indicators';
import { donchianBreakout } from './donchian-breakout';
import { barsFromCloses, randomBars } from './fixtures';
import { maBreakout } from './ma-breakout';
import { emaCross, smaCross } from './ma-cross';
import { rsiReversion } from './rsi-reversion';
import { stepDecisions } from './step';
import { tripleConfirmation } from './triple-confirmation';

const N = Number.NaN;
/** Decisions as an array with null for "no change", easier to read in expectations. */
function decide(strategy: Parameters<typeof stepDecisions>[0], params: unknown, closes: number[], volumes?: number[]) {
  return Array.from(stepDecisions(strategy, params, barsFromCloses(closes, volumes)), (d) =>
    Number.isNaN(d) ? null : d,
  );
}

describe('sma-cross', () => {
  it('goes long on the strict up cross and short on the strict down cross', () => {
    // SMA2 - SMA3: i5 +0.17, i6 -0.5 (down cross); i9 -0.17, i10 +0.5 (up cross)
    expect(decide(smaCross, { fast: 2, slow: 3 }, [1, 2, 3, 4, 5, 4, 3, 2, 1, 2, 3, 4])).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      -1,
      null,
      null,
      null,
      1,
      null,
    ]);
  });
  it('does not count a touch (fast == slow on the previous bar) as a cross', () => {
    // SMA2 == SMA3 == 3 at i3, SMA2 > SMA3 at i4
    expect(decide(smaCross, { fast: 2, slow: 3 }, [3, 3, 3, 3, 4])).toEqual([null, null, null, null, null]);
  });
  it('equals the crossover rule applied to the batch SMAs, on a random walk', () => {
    const bars = randomBars(2000, 7);
    const f = sma(bars.close, 10);
    const s = sma(bars.close, 20);
    const d = stepDecisions(smaCross, {}, bars);
    let crosses = 0;
    for (let i = 1; i < d.length; i++) {
      const want = f[i - 1] < s[i - 1] && f[i] > s[i] ? 1 : f[i - 1] > s[i - 1] && f[i] < s[i] ? -1 : N;
      expect(d[i]).toEqual(want);
      if (!Number.isNaN(want)) crosses++;
    }
    expect(crosses).toBeGreaterThan(20);
  });
  it('rejects fast >= slow', () => {
    expect(smaCross.params.safeParse({ fast: 20, slow: 20 }).success).toBe(false);
    expect(smaCross.params.parse({})).toEqual({ fast: 10, slow: 20 });
  });
});

describe('ema-cross', () => {
  it('equals the crossover rule applied to the batch EMAs', () => {
    const bars = randomBars(2000, 11);
    const f = ema(bars.close, 5);
    const s = ema(bars.close, 30);
    const d = stepDecisions(emaCross, { fast: 5, slow: 30 }, bars);
    let crosses = 0;
    for (let i = 1; i < d.length; i++) {
      const want = f[i - 1] < s[i - 1] && f[i] > s[i] ? 1 : f[i - 1] > s[i - 1] && f[i] < s[i] ? -1 : N;
      expect(d[i]).toEqual(want);
      if (!Number.isNaN(want)) crosses++;
    }
    expect(crosses).toBeGreaterThan(20);
  });
});

describe('ma-breakout', () => {
  it('signals a close beyond the SMA by the threshold, once per side', () => {
    // i3: SMA 10.1667, band top 10.37 < 10.5 → long; i4 stays above → nothing; i5: 9.5 < 10.2 × 0.98 → short
    expect(decide(maBreakout, { period: 3 }, [10, 10, 10, 10.5, 10.6, 9.5])).toEqual([null, null, null, 1, null, -1]);
  });
  it('ignores a move inside the threshold band', () => {
    // i3: SMA 10.1, band top 10.302 > 10.3 → no breakout at 2%, a breakout at 0%
    expect(decide(maBreakout, { period: 3 }, [10, 10, 10, 10.3])).toEqual([null, null, null, null]);
    expect(decide(maBreakout, { period: 3, threshold: 0 }, [10, 10, 10, 10.3])).toEqual([null, null, null, 1]);
  });
});

describe('rsi-reversion', () => {
  it('buys oversold and sells overbought (Wilder RSI, hand-computed)', () => {
    // RSI(3): i3 0, i4 33.3, i5 55.6, i6 70.4, i7 80.2
    expect(decide(rsiReversion, { period: 3 }, [10, 9, 8, 7, 8, 9, 10, 11])).toEqual([
      null,
      null,
      null,
      1,
      null,
      null,
      -1,
      null,
    ]);
  });
  it('rejects lower >= upper', () => {
    expect(rsiReversion.params.safeParse({ lower: 70, upper: 30 }).success).toBe(false);
  });
});

describe('donchian-breakout', () => {
  it('breaks out against the channel of the previous bars, not including the current one', () => {
    // highs 10,11,12,12,13,13,12; lows 10,10,11,11,11,12,9
    expect(decide(donchianBreakout, { period: 3 }, [10, 11, 12, 11, 13, 12, 9])).toEqual([
      null,
      null,
      null,
      null,
      1,
      null,
      -1,
    ]);
  });
  it('does not repeat a breakout in the same direction', () => {
    expect(decide(donchianBreakout, { period: 2 }, [10, 11, 12, 13, 14])).toEqual([null, null, 1, null, null]);
  });
});

describe('triple-confirmation', () => {
  it('needs trend, RSI and above-average volume together', () => {
    const closes = [10, 11, 12, 13, 14, 13, 12, 11];
    const volumes = [100, 100, 100, 300, 100, 500, 100, 600];
    // i2: volume not above the previous average; i3: all three up; i5: RSI exactly 50; i6: quiet; i7: all three down
    expect(decide(tripleConfirmation, { maPeriod: 2, rsiPeriod: 2, volumePeriod: 2 }, closes, volumes)).toEqual([
      null,
      null,
      null,
      1,
      null,
      null,
      null,
      -1,
    ]);
  });

  it('with a pattern, signals on patternSide also need it to complete on the signal bar', () => {
    const closes = [10, 11, 12, 13, 14, 13, 12, 11];
    const volumes = [100, 100, 100, 300, 100, 500, 100, 600];
    const p = { maPeriod: 2, rsiPeriod: 2, volumePeriod: 2 };
    // Without shadows every candle is a marubozu: bar 3 is bullish, bar 7 bearish.
    expect(decide(tripleConfirmation, { ...p, pattern: 'bullish-marubozu' }, closes, volumes)).toEqual([
      null,
      null,
      null,
      1,
      null,
      null,
      null,
      -1,
    ]);
    // The long signal is not confirmed (and none follows); the short is not asked for the pattern.
    expect(decide(tripleConfirmation, { ...p, pattern: 'bearish-marubozu' }, closes, volumes)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      -1,
    ]);
    expect(
      decide(tripleConfirmation, { ...p, pattern: 'bearish-marubozu', patternSide: 'both' }, closes, volumes),
    ).toEqual([null, null, null, null, null, null, null, -1]);
    expect(
      decide(tripleConfirmation, { ...p, pattern: 'bullish-marubozu', patternSide: 'both' }, closes, volumes),
    ).toEqual([null, null, null, 1, null, null, null, null]);
    expect(
      decide(tripleConfirmation, { ...p, pattern: 'bullish-marubozu', patternSide: 'short' }, closes, volumes),
    ).toEqual([null, null, null, 1, null, null, null, null]);
    // With shadows, no candle is a marubozu: no long signal.
    const shadowed = Array.from(
      stepDecisions(tripleConfirmation, { ...p, pattern: 'bullish-marubozu' }, barsFromCloses(closes, volumes, 0.5)),
      (d) => (Number.isNaN(d) ? null : d),
    );
    expect(shadowed).toEqual([null, null, null, null, null, null, null, -1]);
  });

  it('pattern none decides exactly as without the parameter, on a random walk', () => {
    const bars = randomBars(3000, 11);
    const base = stepDecisions(tripleConfirmation, { maPeriod: 20, rsiPeriod: 7, volumePeriod: 10 }, bars);
    const none = stepDecisions(
      tripleConfirmation,
      { maPeriod: 20, rsiPeriod: 7, volumePeriod: 10, pattern: 'none' },
      bars,
    );
    expect(Array.from(none)).toEqual(Array.from(base));
    expect(base.filter((d) => !Number.isNaN(d)).length).toBeGreaterThan(10);
  });
});
