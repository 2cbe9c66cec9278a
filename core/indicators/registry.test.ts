import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { INDICATORS, listIndicators, type IndicatorName } from './registry';
import { compareColumns, prng, testBars } from './test-series';
import { ichimoku } from './ichimoku';
import { vwap } from './volume';

const NAMES = Object.keys(INDICATORS) as IndicatorName[];

/** Small non-default parameters per indicator, so short series still leave warm-up. */
const SMALL: Record<IndicatorName, Record<string, number>> = {
  sma: { period: 4 },
  ema: { period: 4 },
  wma: { period: 4 },
  rsi: { period: 4 },
  atr: { period: 3 },
  adx: { period: 3 },
  cci: { period: 5 },
  williamsr: { period: 5 },
  bbands: { period: 5, stddev: 1.5 },
  macd: { fast: 3, slow: 7, signal: 3 },
  stoch: { period: 5, smoothK: 2, smoothD: 3 },
  obv: {},
  vwap: {},
  ichimoku: { conversion: 3, base: 6, spanB: 12 },
};

describe('every registered indicator: the stream equals the batch at every index', () => {
  const series = testBars();
  // Extra random series of random lengths: a property test over seeds.
  for (let seed = 100; seed < 110; seed++) {
    const r = prng(seed);
    const n = 1 + Math.floor(r() * 120);
    const bars = {
      time: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    let p = 10 + r() * 100;
    for (let i = 0; i < n; i++) {
      const o = p;
      p = Math.max(0.01, p + (r() - 0.5) * 3);
      bars.open[i] = o;
      bars.close[i] = p;
      bars.high[i] = Math.max(o, p) + r();
      bars.low[i] = Math.min(o, p) - r();
      bars.volume[i] = r() < 0.1 ? 0 : Math.round(r() * 1000);
    }
    series.push({ name: `random seed ${seed} (${n} bars)`, bars });
  }
  for (const name of NAMES) {
    for (const params of [{}, SMALL[name]]) {
      it(`${name} ${JSON.stringify(params)}`, () => {
        const ind = INDICATORS[name];
        for (const { name: sname, bars } of series) {
          const batch = ind.batch(bars, params);
          expect(Object.keys(batch).sort()).toEqual([...ind.outputs].sort());
          const s = ind.stream(params);
          const got: Record<string, Float64Array> = {};
          for (const k of ind.outputs) got[k] = new Float64Array(bars.close.length);
          for (let i = 0; i < bars.close.length; i++) {
            const row = s.next({
              open: bars.open[i],
              high: bars.high[i],
              low: bars.low[i],
              close: bars.close[i],
              volume: bars.volume[i],
            });
            for (const k of ind.outputs) got[k][i] = row[k];
          }
          for (const k of ind.outputs) expect(compareColumns(got[k], batch[k], 0), `${sname} ${k}`).toBeNull();
        }
      });
    }
  }
});

describe('registry parameters', () => {
  it('applies defaults and rejects unknown or out-of-range parameters', () => {
    const info = listIndicators().find((i) => i.name === 'macd');
    expect(info?.defaults).toEqual({ fast: 12, slow: 26, signal: 9 });
    expect(info?.outputs).toEqual(['macd', 'signal', 'histogram']);
    const c = testBars()[0].bars;
    expect(() => INDICATORS.rsi.batch(c, { period: 1 })).toThrow(ZodError);
    expect(() => INDICATORS.rsi.batch(c, { length: 14 })).toThrow(ZodError);
    expect(() => INDICATORS.sma.batch(c, { period: 2.5 })).toThrow(ZodError);
  });
});

describe('indicators outside TA-Lib', () => {
  it('VWAP is cumulative typical price times volume over cumulative volume, NaN before any volume', () => {
    const h = Float64Array.from([11, 12, 13]);
    const l = Float64Array.from([9, 10, 11]);
    const c = Float64Array.from([10, 11, 12]);
    const v = Float64Array.from([0, 100, 300]);
    const out = vwap(h, l, c, v);
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBeCloseTo(11, 12);
    expect(out[2]).toBeCloseTo((11 * 100 + 12 * 300) / 400, 12);
  });

  it('Ichimoku equals a naive midpoint of the trailing window and ignores later bars', () => {
    const { bars } = testBars()[1];
    const [cv, bs, sb] = [9, 26, 52];
    const out = ichimoku(bars.high, bars.low, cv, bs, sb);
    const mid = (t: number, p: number) => {
      if (t + 1 < p) return Number.NaN;
      let hi = -Infinity;
      let lo = Infinity;
      for (let j = t - p + 1; j <= t; j++) {
        hi = Math.max(hi, bars.high[j]);
        lo = Math.min(lo, bars.low[j]);
      }
      return (hi + lo) / 2;
    };
    const n = bars.close.length;
    const ref = {
      conversion: new Float64Array(n),
      base: new Float64Array(n),
      spanA: new Float64Array(n),
      spanB: new Float64Array(n),
    };
    for (let t = 0; t < n; t++) {
      ref.conversion[t] = mid(t, cv);
      ref.base[t] = mid(t, bs);
      ref.spanA[t] = (ref.conversion[t] + ref.base[t]) / 2;
      ref.spanB[t] = mid(t, sb);
    }
    for (const k of ['conversion', 'base', 'spanA', 'spanB'] as const)
      expect(compareColumns(out[k], ref[k], 0), k).toBeNull();
    expect(Number.isNaN(out.spanA[24])).toBe(true);
    expect(Number.isFinite(out.spanA[25])).toBe(true);
    // No look-ahead: truncating the series leaves earlier rows unchanged.
    const cut = ichimoku(bars.high.subarray(0, 80), bars.low.subarray(0, 80), cv, bs, sb);
    expect(compareColumns(cut.spanB, out.spanB.subarray(0, 80), 0)).toBeNull();
  });
});
