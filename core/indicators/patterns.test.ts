import { ADX, EMA, MACD, RSI } from 'technicalindicators';
import { describe, expect, it } from 'vitest';
import type { BarColumns } from '../model';
import { adx } from './adx';
import { macd } from './macd';
import { ema } from './moving-averages';
import {
  CANDLE_PATTERN_NAMES,
  CANDLE_PATTERNS,
  PatternStream,
  patternAt,
  patternSeries,
  type CandlePatternName,
} from './patterns';
import { rsi } from './rsi';
import { prng } from './test-series';

/** Candles as [open, high, low, close] rows. */
function candles(rows: [number, number, number, number][]): BarColumns {
  const n = rows.length;
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]);
  return {
    time: Float64Array.from({ length: n }, (_, i) => i),
    open: col(0),
    high: col(1),
    low: col(2),
    close: col(3),
    volume: new Float64Array(n),
  };
}

const fires = (name: CandlePatternName, rows: [number, number, number, number][]) =>
  patternAt(name, candles(rows), rows.length - 1);

describe('candlestick patterns (technicalindicators definitions, pinned)', () => {
  it('bullish engulfing: a bearish candle engulfed by the next bullish body', () => {
    expect(
      fires('bullish-engulfing', [
        [10, 10.2, 8.8, 9],
        [8.5, 10.7, 8.4, 10.5],
      ]),
    ).toBe(true);
    // The second body does not reach above the first open: no engulfing.
    expect(
      fires('bullish-engulfing', [
        [10, 10.2, 8.8, 9],
        [8.5, 10.1, 8.4, 9.8],
      ]),
    ).toBe(false);
    // The first candle is bullish: not the pattern.
    expect(
      fires('bullish-engulfing', [
        [9, 10.2, 8.8, 10],
        [8.5, 10.7, 8.4, 10.5],
      ]),
    ).toBe(false);
  });

  it('bearish engulfing: a bullish candle engulfed by the next bearish body', () => {
    expect(
      fires('bearish-engulfing', [
        [9, 10.2, 8.8, 10],
        [10.5, 10.6, 8.4, 8.5],
      ]),
    ).toBe(true);
    expect(
      fires('bearish-engulfing', [
        [9, 10.2, 8.8, 10],
        [10.5, 10.6, 9.2, 9.5],
      ]),
    ).toBe(false);
  });

  it('doji: open equals close within 0.1%, shadows on both sides or none', () => {
    expect(fires('doji', [[10, 11, 9, 10]])).toBe(true);
    expect(fires('doji', [[10, 11, 9, 10.005]])).toBe(true);
    expect(fires('doji', [[10, 11, 9, 10.5]])).toBe(false);
  });

  it('morning star: bearish, gapped small body, bullish close above the first midpoint', () => {
    const first: [number, number, number, number] = [20, 21, 14, 15];
    const star: [number, number, number, number] = [12.5, 13, 12, 12.4];
    expect(fires('morning-star', [first, star, [13.5, 19.5, 13.4, 19]])).toBe(true);
    expect(fires('morning-star', [first, star, [13.5, 16.5, 13.4, 16]])).toBe(false);
  });

  it('hammer: three falling closes, a hammer, then a bullish confirmation above its close', () => {
    const trend: [number, number, number, number][] = [
      [21, 21.5, 19.5, 20],
      [20, 20.2, 17.8, 18],
      [18, 18.1, 15.8, 16],
    ];
    const hammer: [number, number, number, number] = [15, 15.5, 13, 15.5];
    expect(fires('hammer', [...trend, hammer, [15.6, 17.2, 15.5, 17]])).toBe(true);
    // A bearish next candle does not confirm it.
    expect(fires('hammer', [...trend, hammer, [15.6, 15.7, 14, 14.2]])).toBe(false);
  });

  it('a series marks only the bar where the pattern completes and never reads later bars', () => {
    const bars = candles([
      [11, 11.5, 10.5, 11],
      [10, 10.2, 8.8, 9],
      [8.5, 10.7, 8.4, 10.5],
      [10.5, 11, 10, 10.8],
    ]);
    expect(Array.from(patternSeries('bullish-engulfing', bars))).toEqual([0, 0, 1, 0]);
    expect(patternAt('bullish-engulfing', bars, 0)).toBe(false);
    expect(Object.keys(CANDLE_PATTERNS).length).toBeGreaterThanOrEqual(20);
  });
});

/**
 * Candles on a coarse price grid (steps of 0.25 around 20), with shadows that are sometimes absent, trends
 * that run a few bars and gaps: equal opens/closes/highs/lows happen often, so the equality-based patterns
 * (doji, marubozu, tweezers) fire as well as the shape-based ones.
 */
function gridCandles(n: number, seed: number): BarColumns {
  const r = prng(seed);
  const q = (x: number) => Math.max(1, Math.round(x * 4) / 4);
  const b = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let price = 20;
  let trend = 0;
  for (let i = 0; i < n; i++) {
    if (i % 4 === 0) trend = (r() - 0.5) * 2;
    const gap = r() < 0.2 ? (r() - 0.5) * 3 : 0;
    const open = q(price + gap);
    const close = r() < 0.15 ? open : q(open + trend + (r() - 0.5) * 3);
    b.time[i] = i;
    b.open[i] = open;
    b.close[i] = close;
    b.high[i] = r() < 0.2 ? Math.max(open, close) : q(Math.max(open, close) + r() * 1.5);
    b.low[i] = r() < 0.2 ? Math.min(open, close) : q(Math.min(open, close) - r() * 1.5);
    price = close;
  }
  return b;
}

/**
 * Unrounded candles whose shadows are often within a few tenths of a percent of the body's ends: hammer-like
 * candles sit on both sides of the package's 0.1% `approximateEqual`, so the stream's `quick` bounds are tested
 * at their edge, not only on exact equalities.
 */
function nearCandles(n: number, seed: number): BarColumns {
  const r = prng(seed);
  const b = {
    time: new Float64Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
  };
  let price = 50;
  let trend = 0;
  for (let i = 0; i < n; i++) {
    if (i % 3 === 0) trend = (r() - 0.5) * 0.04;
    const open = price * (1 + (r() - 0.5) * 0.01);
    const close = open * (1 + trend + (r() - 0.5) * 0.02);
    const shadow = () => (r() < 0.6 ? r() * 0.0025 : r() * 0.03);
    b.time[i] = i;
    b.open[i] = open;
    b.close[i] = close;
    b.high[i] = Math.max(open, close) * (1 + shadow());
    b.low[i] = Math.min(open, close) * (1 - shadow());
    price = close;
  }
  return b;
}

describe('PatternStream (streaming form of the candlestick patterns)', () => {
  it('equals patternSeries at every index, for every pattern, over varied candles', () => {
    const firing = new Set<string>();
    let fires = 0;
    for (const [seed, bars] of [1, 2, 3].flatMap(
      (seed) =>
        [
          [seed, gridCandles(1500, seed)],
          [seed, nearCandles(3000, seed)],
        ] as const,
    )) {
      const bar = { open: 0, high: 0, low: 0, close: 0 };
      for (const name of CANDLE_PATTERN_NAMES) {
        const batch = patternSeries(name, bars);
        const stream = new PatternStream(name);
        for (let t = 0; t < bars.close.length; t++) {
          // One reused bar object, as the engine hands strategies: the stream must copy what it keeps.
          bar.open = bars.open[t];
          bar.high = bars.high[t];
          bar.low = bars.low[t];
          bar.close = bars.close[t];
          const got = stream.next(bar) ? 1 : 0;
          if (got !== batch[t]) expect.fail(`${name} seed ${seed} bar ${t}: stream ${got}, batch ${batch[t]}`);
          if (got === 1) {
            fires++;
            firing.add(name);
          }
        }
      }
    }
    // The equality must cover real detections, across most patterns (window order matters for every multi-candle one).
    expect(fires).toBeGreaterThan(200);
    expect(firing.size).toBeGreaterThanOrEqual(18);
    // The stream skips the package's call when a pattern's `quick` precondition fails: those must fire here too.
    const quick = CANDLE_PATTERN_NAMES.filter((n) => (CANDLE_PATTERNS[n] as { quick?: unknown }).quick !== undefined);
    expect(quick.sort()).toEqual(['hammer', 'hanging-man', 'shooting-star', 'tweezer-bottom', 'tweezer-top']);
    for (const name of quick) expect(firing.has(name), name).toBe(true);
  });

  it('is false until the pattern has seen its candles, then fires on the completing bar only', () => {
    const s = new PatternStream('bullish-engulfing');
    expect(s.candles).toBe(2);
    expect(s.next({ open: 11, high: 11.5, low: 10.5, close: 11 })).toBe(false);
    expect(s.next({ open: 10, high: 10.2, low: 8.8, close: 9 })).toBe(false);
    expect(s.next({ open: 8.5, high: 10.7, low: 8.4, close: 10.5 })).toBe(true);
    expect(s.next({ open: 10.5, high: 11, low: 10, close: 10.8 })).toBe(false);
    expect(() => new PatternStream('no-such' as CandlePatternName)).toThrow(/unknown candlestick pattern "no-such"/);
  });
});

describe('technicalindicators defects we avoid (pinned so we notice if they change)', () => {
  const closes = [
    44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28, 46.28, 46.0, 46.03,
    46.41, 46.22, 45.64,
  ];

  it('rounds RSI to two decimals where TA-Lib (and we) keep full precision', () => {
    const theirs = RSI.calculate({ period: 14, values: closes });
    const ours = rsi(Float64Array.from(closes), 14);
    expect(theirs).toHaveLength(closes.length - 14);
    for (let j = 0; j < theirs.length; j++) {
      expect(theirs[j]).toBe(Math.round(theirs[j] * 100) / 100);
      expect(Math.abs(theirs[j] - ours[14 + j])).toBeLessThanOrEqual(0.005 + 1e-9);
    }
    expect(theirs.some((v, j) => v !== ours[14 + j])).toBe(true);
  });

  it('EMA: an SMA seed of exactly 0 is taken as missing, dropping a value and shifting the rest', () => {
    const values = [-1, 0, 1, 5, 5];
    expect(EMA.calculate({ period: 3, values })).toEqual([0.5, 2.75, 3.875]);
    expect(Array.from(ema(Float64Array.from(values), 3)).slice(2)).toEqual([0, 2.5, 3.75]);
  });

  it('MACD: no TA-Lib aligned seed and the zero-seed slip, so its line differs from TA-Lib from the first value on', () => {
    const values = [-1, 0, 1, 5, 5, 6, 7, 8];
    const theirs = MACD.calculate({
      values,
      fastPeriod: 2,
      slowPeriod: 3,
      signalPeriod: 2,
      SimpleMAOscillator: false,
      SimpleMASignal: false,
    });
    const ours = macd(Float64Array.from(values), 2, 3, 2);
    // TA-Lib: fast EMA seeded with mean(0, 1) = 0.5 and slow with mean(-1, 0, 1) = 0 at index 2, so MACD 0.5.
    expect(ours.macd[2]).toBe(0.5);
    expect(theirs[0].MACD).toBe(0);
    expect(theirs.at(-1)!.MACD).not.toBeCloseTo(ours.macd[7], 6);
  });

  it('ADX: after a flat start its ADX stays null for good, where TA-Lib recovers once prices move', () => {
    const high: number[] = [];
    const low: number[] = [];
    const close: number[] = [];
    for (let i = 0; i < 80; i++) {
      const p = i < 30 ? 10 : 10 + Math.sin(i) * 2 + i * 0.05;
      high.push(i < 30 ? p : p + 0.5);
      low.push(i < 30 ? p : p - 0.5);
      close.push(p);
    }
    const theirs = ADX.calculate({ period: 14, high, low, close }) as { adx: number | null }[];
    expect(theirs.every((r) => r.adx === null || Number.isNaN(r.adx))).toBe(true);
    const ours = adx(Float64Array.from(high), Float64Array.from(low), Float64Array.from(close), 14);
    expect(ours[79]).toBeGreaterThan(0);
  });
});
