import { describe, expect, it } from 'vitest';
import { ema, EmaStream, sma, SmaStream, wma, WmaStream } from './moving-averages';
import { rsi, RsiStream } from './rsi';
import { talibRun } from './talib-reference';
import { compareColumns, testBars } from './test-series';
import type { ValueStream } from './types';

const CASES = testBars();

function streamAll(s: ValueStream, src: Float64Array): Float64Array {
  const out = new Float64Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = s.next(src[i]);
  return out;
}

describe.each([
  ['SMA', sma, (p: number) => new SmaStream(p)],
  ['EMA', ema, (p: number) => new EmaStream(p)],
  ['WMA', wma, (p: number) => new WmaStream(p)],
  ['RSI', rsi, (p: number) => new RsiStream(p)],
] as const)('%s', (name, batch, stream) => {
  for (const { name: series, bars } of CASES) {
    for (const period of [2, 5, 14, 30]) {
      it(`equals TA-Lib and its stream on ${series}, period ${period}`, () => {
        const ours = batch(bars.close, period);
        const ref = talibRun(name, { inReal: bars.close }, { optInTimePeriod: period }).outReal;
        expect(compareColumns(ours, ref)).toBeNull();
        expect(compareColumns(streamAll(stream(period), bars.close), ours, 0)).toBeNull();
      });
    }
  }
});

describe('hand-checked values', () => {
  it('EMA is seeded with the SMA of the first period, then k = 2/(n+1)', () => {
    const out = ema(Float64Array.from([1, 2, 3, 4, 10]), 3);
    expect(Number.isNaN(out[1])).toBe(true);
    expect(out[2]).toBe(2);
    expect(out[3]).toBe(3);
    expect(out[4]).toBe(6.5);
  });
  it('RSI starts at index period with 0 on a flat series and 100 on a rising one', () => {
    const flat = rsi(new Float64Array(10).fill(5), 3);
    expect(Number.isNaN(flat[2])).toBe(true);
    expect(flat[3]).toBe(0);
    expect(rsi(Float64Array.from([1, 2, 3, 4, 5]), 3)[4]).toBe(100);
  });
  it('WMA weighs the newest value most', () => {
    expect(wma(Float64Array.from([1, 2, 3]), 3)[2]).toBeCloseTo((1 + 4 + 9) / 6, 12);
  });
  it('rejects a bad period', () => {
    expect(() => sma(new Float64Array(3), 0)).toThrow(/sma period/);
    expect(() => new RsiStream(1)).toThrow(/rsi period/);
  });
});

describe('SmaStream.nextRun', () => {
  const make = (p: number): SmaStream => new SmaStream(p);
  // NaN gaps (skipped), flat runs (exact ties), negatives and signed zeros, in runs of uneven lengths.
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
  const src = Float64Array.from({ length: 900 }, (_, i) => {
    const u = rnd();
    if (u < 0.05) return Number.NaN;
    if (i > 300 && i < 360) return 2.5;
    if (i > 500 && i < 540) return u < 0.5 ? -0 : 0;
    return Math.round((u - 0.3) * 10_000) / 100;
  });
  it.each([1, 2, 5, 20])('equals next() value by value and leaves the same state (period %i)', (p) => {
    const ref = make(p);
    const run = make(p);
    const out = new Float64Array(300).fill(123);
    const sizes = [1, 7, 256, 3, 100, 256, 0, 277];
    let at = 0;
    for (const m of sizes) {
      run.nextRun(src, at, m, out);
      for (let j = 0; j < m; j++) {
        const v = src[at + j];
        if (v !== v) continue;
        expect(Object.is(out[j], ref.next(v))).toBe(true);
      }
      at += m;
    }
    // The state left behind steps the rest the same way.
    for (let i = at; i < src.length; i++)
      if (src[i] === src[i]) expect(Object.is(run.next(src[i]), ref.next(src[i]))).toBe(true);
  });
});
