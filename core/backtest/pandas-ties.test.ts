import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runningSma, sma, SmaStream } from '../indicators/moving-averages';
import { smaCross } from '../strategies/ma-cross';
import type { BarView } from '../strategy/types';

/**
 * Exact ties, as backtesting.py sees them. Its SmaCross computes averages with pandas' `rolling(n).mean()`
 * (Kahan-compensated running sums) and crosses strictly, so where the exact 10- and 20-bar means are equal pandas
 * sees no cross. The fixture holds pandas 1.5.3's answers on a 100,000-bar minute series with four-decimal prices
 * (scripts/pandas-ties-fixture.py); the series is rebuilt here from the same xorshift32 seed.
 */
const fixture = JSON.parse(readFileSync(join(__dirname, 'testdata/pandas-ties.json'), 'utf8')) as {
  seed: number;
  n: number;
  base: number;
  closeSha256: string;
  fastSha256: string;
  slowSha256: string;
  crossUp: number[];
  crossDown: number[];
};

function series(): Float64Array {
  let x = fixture.seed >>> 0;
  const rnd = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  const ticks: number[] = [];
  let k = fixture.base;
  while (ticks.length < fixture.n) {
    const mode = Math.trunc(rnd() * 3);
    const length = 50 + Math.trunc(rnd() * 400);
    if (mode === 0) {
      for (let j = 0; j < length; j++) {
        const u = rnd();
        k += u < 0.3 ? -1 : u > 0.7 ? 1 : 0;
        ticks.push(k);
      }
    } else if (mode === 1) {
      const pattern = Array.from({ length: 10 }, () => k + Math.trunc(rnd() * 7) - 3);
      for (let j = 0; j < length; j++) ticks.push(pattern[j % 10]);
      k = ticks[ticks.length - 1];
    } else {
      for (let j = 0; j < length; j++) ticks.push(k);
    }
  }
  return Float64Array.from(ticks.slice(0, fixture.n), (t) => t / 10000);
}

const sha = (a: Float64Array) =>
  createHash('sha256')
    .update(Buffer.from(a.buffer, a.byteOffset, a.byteLength))
    .digest('hex');

function crosses(f: Float64Array, s: Float64Array): { up: number[]; down: number[] } {
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 1; i < f.length; i++) {
    if (f[i - 1] < s[i - 1] && f[i] > s[i]) up.push(i);
    else if (f[i - 1] > s[i - 1] && f[i] < s[i]) down.push(i);
  }
  return { up, down };
}

describe('exact ties on minute data: sma equals pandas rolling mean bit for bit', () => {
  const close = series();

  it('rebuilds the fixture series exactly', () => {
    expect(sha(close)).toBe(fixture.closeSha256);
  });

  it('sma(10) and sma(20) equal pandas rolling(n).mean() in every bit, batch and stream', () => {
    const fast = sma(close, 10);
    const slow = sma(close, 20);
    expect(sha(fast)).toBe(fixture.fastSha256);
    expect(sha(slow)).toBe(fixture.slowSha256);
    const s10 = new SmaStream(10);
    const s20 = new SmaStream(20);
    const f2 = close.map((c) => s10.next(c));
    const sl2 = Float64Array.from(close, (c) => s20.next(c));
    expect(sha(f2)).toBe(fixture.fastSha256);
    expect(sha(sl2)).toBe(fixture.slowSha256);
  });

  it('the built-in sma-cross decides on exactly the bars where pandas crosses', () => {
    const state = smaCross.init({ fast: 10, slow: 20 });
    const bar: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
    const up: number[] = [];
    const down: number[] = [];
    for (let i = 0; i < close.length; i++) {
      bar.index = i;
      bar.open = bar.high = bar.low = bar.close = close[i];
      const d = smaCross.onBar(state, bar);
      if (d === 1) up.push(i);
      else if (d === -1) down.push(i);
    }
    expect(up).toEqual(fixture.crossUp);
    expect(down).toEqual(fixture.crossDown);
  });

  it('is a real test: a plain running total (TA-Lib order) decides differently on many bars', () => {
    const naive = crosses(runningSma(close, 10), runningSma(close, 20));
    const key = (c: { up: number[]; down: number[] }) =>
      new Set([...c.up.map((i) => `+${i}`), ...c.down.map((i) => `-${i}`)]);
    const ours = key(naive);
    const pandas = key({ up: fixture.crossUp, down: fixture.crossDown });
    const differing = [...ours].filter((k) => !pandas.has(k)).length + [...pandas].filter((k) => !ours.has(k)).length;
    expect(differing).toBeGreaterThan(100);
  });
});
