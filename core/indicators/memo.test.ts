import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { panelRequestFor } from '../backtest/run';
import { parseSpec } from '../backtest/spec';
import { loadPanel } from '../data/panel';
import { createSyntheticStore } from '../optimize/synthetic-market';
import { randomBars } from '../strategies/fixtures';
import { STRATEGIES } from '../strategies';
import { AdxStream, BbandsStream, EmaStream, MacdStream, RsiStream, SmaStream } from './index';
import { clearIndicatorMemo, indicatorMemoStats, setIndicatorMemoBudget, withIndicatorMemo } from './memo';

afterEach(() => clearIndicatorMemo());

const OWNER = {};
const bars = randomBars(600, 5);
const closes = Array.from(bars.close);

/** Feeds `xs` to a stream built by `make` inside a memo scope on slot 0 of `owner`. */
function feed<T>(owner: object, make: () => T, step: (s: T, i: number) => number): number[] {
  const s = withIndicatorMemo(owner, 0, closes.length, make);
  return closes.map((_, i) => step(s, i));
}

describe('indicator memo', () => {
  const cases: [string, () => object, (s: never, i: number) => number][] = [
    ['sma', () => new SmaStream(10), (s: SmaStream, i) => s.next(closes[i])],
    ['ema', () => new EmaStream(7), (s: EmaStream, i) => s.next(closes[i])],
    ['rsi', () => new RsiStream(14), (s: RsiStream, i) => s.next(closes[i])],
    ['macd', () => new MacdStream(12, 26, 9), (s: MacdStream, i) => s.next(closes[i]).histogram],
    ['bbands', () => new BbandsStream(20, 2), (s: BbandsStream, i) => s.next(closes[i]).lower],
    [
      'adx',
      () => new AdxStream(14),
      (s: AdxStream, i) =>
        s.next({ open: bars.open[i], high: bars.high[i], low: bars.low[i], close: closes[i], volume: bars.volume[i] }),
    ],
  ];
  it.each(cases)('%s: a replay returns what the real stream returns, and is a replay', (_, make, step) => {
    const real = closes.map(
      (
        (s) => (_: number, i: number) =>
          step(s as never, i)
      )(make()),
    );
    const first = feed(OWNER, make, step as never);
    const second = feed(OWNER, make, step as never);
    expect(first).toEqual(real);
    expect(second).toEqual(real);
    // Composite streams (MACD, Bollinger) also record the streams they build inside.
    const st = indicatorMemoStats();
    expect(st.replayed).toBe(st.recorded);
    expect(st.replayed).toBeGreaterThanOrEqual(1);
    expect(st.diverged).toBe(0);
  });

  it('falls back to computing at the first input that differs, with the same numbers as a fresh stream', () => {
    feed(
      OWNER,
      () => new EmaStream(9),
      (s, i) => s.next(closes[i]),
    );
    const other = closes.map((c, i) => (i < 300 ? c : c * 1.01));
    const s = withIndicatorMemo(OWNER, 0, closes.length, () => new EmaStream(9));
    const got = other.map((v) => s.next(v));
    const ref = new EmaStream(9);
    expect(got).toEqual(other.map((v) => ref.next(v)));
    expect(indicatorMemoStats().diverged).toBe(1);
  });

  it('tells 0 from -0 and matches NaN inputs', () => {
    const xs = [Number.NaN, 0, -0, 1, -0, 2, Number.NaN, 3];
    const run = () => {
      const s = withIndicatorMemo(OWNER, 1, xs.length, () => new SmaStream(2));
      return xs.map((v) => s.next(v));
    };
    const a = run();
    const ys = [Number.NaN, 0, 0, 1, -0, 2, Number.NaN, 3];
    const s = withIndicatorMemo(OWNER, 1, xs.length, () => new SmaStream(2));
    const b = ys.map((v) => s.next(v));
    const ref = new SmaStream(2);
    expect(b.map((v) => Object.is(v, -0))).toEqual(ys.map((v) => Object.is(ref.next(v), -0)));
    expect(run()).toEqual(a);
    expect(indicatorMemoStats().diverged).toBe(1);
  });

  it('keeps slots apart, replays past a partial recording by computing, and stops at a budget of 0', () => {
    const short = withIndicatorMemo(OWNER, 2, closes.length, () => new SmaStream(5));
    for (let i = 0; i < 100; i++) short.next(closes[i]);
    const other = withIndicatorMemo(OWNER, 3, closes.length, () => new SmaStream(5));
    expect(indicatorMemoStats().recorded).toBe(2);
    const full = feed(
      OWNER,
      () => new SmaStream(5),
      () => 0,
    );
    expect(full.length).toBe(closes.length);
    const again = withIndicatorMemo(OWNER, 2, closes.length, () => new SmaStream(5));
    const ref = new SmaStream(5);
    expect(closes.map((v) => again.next(v))).toEqual(closes.map((v) => ref.next(v)));
    expect(other).toBeDefined();
    const prev = setIndicatorMemoBudget(0);
    try {
      expect(withIndicatorMemo(OWNER, 2, closes.length, () => new SmaStream(5))).toBeInstanceOf(SmaStream);
    } finally {
      setIndicatorMemoBudget(prev);
    }
  });

  it('replays a recording its recorder is still writing (one key twice in one scope, fed in lockstep)', () => {
    const [a, b] = withIndicatorMemo(OWNER, 4, closes.length, () => [new EmaStream(9), new EmaStream(9)]);
    const ref = new EmaStream(9);
    const want = closes.map((v) => ref.next(v));
    const got = closes.map((v) => [a.next(v), b.next(v)]);
    expect(got.map((g) => g[0])).toEqual(want);
    expect(got.map((g) => g[1])).toEqual(want);
    expect(indicatorMemoStats()).toMatchObject({ recorded: 1, replayed: 1, diverged: 0 });
    // A third stream of the key, after the recording is whole: replayed, and past its end it computes.
    const c = withIndicatorMemo(OWNER, 4, closes.length, () => new EmaStream(9));
    const more = [...closes, 101, 0, -0];
    const ref2 = new EmaStream(9);
    expect(more.map((v) => c.next(v))).toEqual(more.map((v) => ref2.next(v)));
    expect(indicatorMemoStats().diverged).toBe(1);
  });

  it('keeps one input column for the streams fed the same series, and a copy from where a series differs', () => {
    const n = closes.length;
    const run = (make: () => { next(v: number): number }, xs: number[]) => {
      const s = withIndicatorMemo(OWNER, 5, n, make);
      return xs.map((v) => s.next(v));
    };
    const fresh = (make: () => { next(v: number): number }, xs: number[]) => {
      const s = make();
      return xs.map((v) => s.next(v));
    };
    // Two keys on the closes: one input column and two output columns.
    run(() => new EmaStream(5), closes);
    run(() => new SmaStream(9), closes);
    expect(indicatorMemoStats().bytes).toBe(n * 8 * 3);
    // The closes up to bar 300, then another series: a copy of the first 300 inputs for this recording.
    const other = closes.map((c, i) => (i < 300 ? c : c * 1.5));
    expect(run(() => new EmaStream(6), other)).toEqual(fresh(() => new EmaStream(6), other));
    expect(indicatorMemoStats().bytes).toBe(n * 8 * 5);
    // A second key on that series finds the copy (no new column), and every replay stays exact.
    expect(run(() => new SmaStream(4), other)).toEqual(fresh(() => new SmaStream(4), other));
    expect(indicatorMemoStats().bytes).toBe(n * 8 * 6);
    expect(run(() => new EmaStream(5), closes)).toEqual(fresh(() => new EmaStream(5), closes));
    expect(run(() => new EmaStream(6), other)).toEqual(fresh(() => new EmaStream(6), other));
    expect(run(() => new SmaStream(4), other)).toEqual(fresh(() => new SmaStream(4), other));
    expect(indicatorMemoStats()).toMatchObject({ recorded: 4, replayed: 3, diverged: 0 });
    // Fed the closes, the recording made on the other series computes from bar 300 on, exactly.
    expect(run(() => new EmaStream(6), closes)).toEqual(fresh(() => new EmaStream(6), closes));
    expect(indicatorMemoStats().diverged).toBe(1);
    // Dropping every recording frees every column.
    const prev = setIndicatorMemoBudget(1);
    setIndicatorMemoBudget(prev);
    expect(indicatorMemoStats().bytes).toBe(0);
  });

  it('drops the least recently used recordings to stay within the budget', () => {
    const prev = setIndicatorMemoBudget(closes.length * 16 * 3);
    try {
      for (let p = 2; p < 8; p++)
        feed(
          OWNER,
          () => new SmaStream(p),
          (s, i) => s.next(closes[i]),
        );
      expect(indicatorMemoStats().bytes).toBeLessThanOrEqual(closes.length * 16 * 3);
      feed(
        OWNER,
        () => new SmaStream(7),
        (s, i) => s.next(closes[i]),
      );
      feed(
        OWNER,
        () => new SmaStream(2),
        (s, i) => s.next(closes[i]),
      );
      expect(indicatorMemoStats()).toMatchObject({ recorded: 7, replayed: 1 });
    } finally {
      setIndicatorMemoBudget(prev);
    }
  });
});

describe('indicator memo in the engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qd-memo-'));
  const store = createSyntheticStore(join(dir, 'm.db'), { symbols: 6, days: 500, seed: 9 });
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const singles = STRATEGIES.filter((s) => s.kind === 'single');
  it.each(singles.map((s) => [s.name]))(
    '%s: a second run on the same panel replays and gives the same result',
    (name) => {
      const parsed = parseSpec({
        strategy: name,
        universe: 'all',
        sizing: { method: 'equal-weight' },
        direction: 'long-short',
      });
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      const spec = parsed.spec;
      const strategy = singles.find((s) => s.name === name)!;
      const panel = loadPanel(store, panelRequestFor(spec, false) as never);
      const prev = setIndicatorMemoBudget(0);
      const plain = runBacktest(spec, panel, { strategy });
      setIndicatorMemoBudget(prev);
      const first = runBacktest(spec, panel, { strategy });
      const second = runBacktest(spec, panel, { strategy });
      expect(first).toEqual(plain);
      expect(second).toEqual(plain);
      expect(plain.trades.length).toBeGreaterThan(0);
    },
  );
  it('shares EMA(20) between two ema-cross combinations that both name it', () => {
    const spec = (fast: number, slow: number) => {
      const p = parseSpec({ strategy: 'ema-cross', universe: 'all', params: { fast, slow } });
      if (!p.ok) throw new Error(p.errors.join('; '));
      return p.spec;
    };
    const strategy = STRATEGIES.find((s) => s.name === 'ema-cross')!;
    const panel = loadPanel(store, panelRequestFor(spec(5, 20), false) as never);
    runBacktest(spec(5, 20), panel, { strategy });
    const before = indicatorMemoStats();
    const r = runBacktest(spec(20, 40), panel, { strategy });
    const after = indicatorMemoStats();
    expect(after.replayed - before.replayed).toBe(6);
    expect(after.recorded - before.recorded).toBe(6);
    const prev = setIndicatorMemoBudget(0);
    try {
      expect(runBacktest(spec(20, 40), panel, { strategy })).toEqual(r);
    } finally {
      setIndicatorMemoBudget(prev);
    }
  });
});
