import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { BarView, CrossSectionalStrategy, Decision, SingleStrategy } from '../strategy/types';
import { runBacktest } from './engine';
import { makePanel, testSmaCross } from './fixtures';
import { parseSpec, type BacktestSpecInput } from './spec';
import { BacktestCancelledError, BacktestInputError } from './types';

/** A strategy that returns `script[index]` at each bar (null otherwise) and records what it saw. */
function scripted(script: Record<number, Decision>, seen: number[] = []): SingleStrategy<object, null> {
  return {
    kind: 'single',
    name: 'scripted',
    description: 'test',
    params: z.object({}),
    init: () => null,
    onBar: (_s, bar: BarView) => {
      seen.push(bar.close);
      return script[bar.index] ?? null;
    },
  };
}

function spec(over: Partial<BacktestSpecInput> = {}) {
  const r = parseSpec({ strategy: 'scripted', symbols: ['A'], capital: 10_000, ...over });
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.spec;
}

const flat = (n: number, v: number) => Array.from({ length: n }, () => v);

describe('runBacktest: fills', () => {
  const panel = makePanel([
    { symbol: 'A', open: [100, 101, 102, 103, 104, 105], close: [100.5, 101.5, 102.5, 103.5, 104.5, 105.5] },
  ]);

  it('fills a decision at bar i at the open of bar i+1 by default', () => {
    const r = runBacktest(spec(), panel, { strategy: scripted({ 1: 1, 3: 0 }) });
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    expect([t.entryBar, t.entryPrice, t.exitBar, t.exitPrice, t.qty]).toEqual([2, 102, 4, 104, 98]);
    expect(t.pnl).toBeCloseTo(98 * 2, 10);
    // before the fill: all cash; while long: cash + qty x close
    expect(r.equity.value[1]).toBe(10_000);
    expect(r.equity.value[2]).toBeCloseTo(10_000 - 98 * 102 + 98 * 102.5, 10);
    expect(r.metrics.finalEquity).toBeCloseTo(10_000 + 196, 10);
  });

  it('fills at the close of bar i with fill: close', () => {
    const r = runBacktest(spec({ fill: 'close' }), panel, { strategy: scripted({ 1: 1, 3: 0 }) });
    const t = r.trades[0];
    expect([t.entryBar, t.entryPrice, t.exitBar, t.exitPrice]).toEqual([1, 101.5, 3, 103.5]);
  });

  it('charges commission on entry and exit and slippage against the trader', () => {
    const r = runBacktest(spec({ commission: { rate: 0.01, fixed: 1 }, slippageBps: 10 }), panel, {
      strategy: scripted({ 1: 1, 3: 0 }),
    });
    const t = r.trades[0];
    const entry = 102 * 1.001;
    const exit = 104 * 0.999;
    const qty = Math.floor((10_000 - 1) / (entry * 1.01));
    const commission = 1 + 0.01 * qty * entry + 1 + 0.01 * qty * exit;
    expect(t.entryPrice).toBeCloseTo(entry, 12);
    expect(t.exitPrice).toBeCloseTo(exit, 12);
    expect(t.qty).toBe(qty);
    expect(t.commission).toBeCloseTo(commission, 10);
    expect(t.pnl).toBeCloseTo(qty * (exit - entry) - commission, 10);
    expect(r.metrics.finalEquity).toBeCloseTo(10_000 + t.pnl, 10);
  });

  it('reverses at one price in long-short and stays flat in long-only', () => {
    const both = runBacktest(spec(), panel, { strategy: scripted({ 0: 1, 2: -1 }) });
    expect(both.trades.map((t) => [t.side, t.entryBar, t.exitBar])).toEqual([['long', 1, 3]]);
    expect(both.openPositions).toMatchObject([{ side: 'short', entryBar: 3, entryPrice: 103 }]);
    const longOnly = runBacktest(spec({ direction: 'long-only' }), panel, { strategy: scripted({ 0: 1, 2: -1 }) });
    expect(longOnly.trades).toHaveLength(1);
    expect(longOnly.openPositions).toHaveLength(0);
  });

  it('keeps open positions out of trades unless closeAtEnd, marking them to the last close', () => {
    const open = runBacktest(spec(), panel, { strategy: scripted({ 0: 1 }) });
    expect(open.trades).toHaveLength(0);
    expect(open.openPositions[0]).toMatchObject({ qty: 99, entryPrice: 101, lastPrice: 105.5 });
    expect(open.metrics.finalEquity).toBeCloseTo(10_000 + 99 * 4.5, 10);
    const closed = runBacktest(spec({ closeAtEnd: true }), panel, { strategy: scripted({ 0: 1 }) });
    expect(closed.openPositions).toHaveLength(0);
    expect(closed.trades[0]).toMatchObject({ exitReason: 'end', exitPrice: 105.5, exitBar: 5 });
    expect(closed.spec.closeAtEnd).toBe(true);
  });

  it('echoes every setting with defaults filled', () => {
    const r = runBacktest(spec(), panel, { strategy: scripted({}) });
    expect(r.spec).toMatchObject({
      fill: 'next-open',
      commission: { rate: 0, fixed: 0 },
      slippageBps: 0,
      direction: 'long-short',
      sizing: { method: 'all-in' },
      wholeUnits: true,
      closeAtEnd: false,
      intrabar: 'conservative',
      barsPerYear: 252,
    });
  });
});

describe('runBacktest: protective exits and orders', () => {
  // bar 2 dips to 94 and spikes to 112: stop 95 and target 110 both touched
  const panel = makePanel([
    {
      symbol: 'A',
      open: [100, 100, 100, 100, 100],
      high: [101, 101, 112, 101, 101],
      low: [99, 99, 94, 99, 99],
      close: [100, 100, 100, 100, 100],
    },
  ]);
  const intent = { 0: { target: 1, stopLoss: 95, takeProfit: 110 } };

  it('takes the stop when stop and target share a bar, flagged ambiguous; optimistic takes the target', () => {
    const c = runBacktest(spec(), panel, { strategy: scripted(intent) });
    expect(c.trades[0]).toMatchObject({ exitBar: 2, exitPrice: 95, exitReason: 'stop-loss', ambiguous: true });
    const o = runBacktest(spec({ intrabar: 'optimistic' }), panel, { strategy: scripted(intent) });
    expect(o.trades[0]).toMatchObject({ exitBar: 2, exitPrice: 110, exitReason: 'take-profit', ambiguous: true });
    expect(o.spec.intrabar).toBe('optimistic');
  });

  it('fills a stop gapped through at the open', () => {
    const gap = makePanel([
      {
        symbol: 'A',
        open: [100, 100, 90, 90],
        high: [101, 101, 91, 91],
        low: [99, 99, 89, 89],
        close: [100, 100, 90, 90],
      },
    ]);
    const r = runBacktest(spec(), gap, { strategy: scripted({ 0: { target: 1, stopLoss: 95 } }) });
    expect(r.trades[0]).toMatchObject({ exitBar: 2, exitPrice: 90, exitReason: 'stop-loss', ambiguous: false });
  });

  it('trails the stop below the best high since entry', () => {
    const up = makePanel([
      {
        symbol: 'A',
        open: [100, 100, 110, 120, 118],
        high: [100, 105, 120, 121, 119],
        low: [100, 99, 109, 117, 107],
        close: [100, 104, 119, 118, 110],
      },
    ]);
    const r = runBacktest(spec(), up, { strategy: scripted({ 0: { target: 1, trailingStopPct: 0.1 } }) });
    // best high by bar 4 is 121 -> stop 108.9; bar 4 low 107 touches it
    expect(r.trades[0].exitReason).toBe('trailing-stop');
    expect(r.trades[0].exitBar).toBe(4);
    expect(r.trades[0].exitPrice).toBeCloseTo(108.9, 10);
  });

  it('waits for a limit entry until the low reaches it', () => {
    const r = runBacktest(spec(), panel, { strategy: scripted({ 0: { target: 1, type: 'limit', price: 96 } }) });
    expect(r.openPositions[0]).toMatchObject({ entryBar: 2, entryPrice: 96 });
  });
});

describe('runBacktest: sizing, portfolios, delistings', () => {
  it('sizes fixed-qty, fixed-fraction and equal-weight', () => {
    const panel = makePanel([
      { symbol: 'A', open: flat(4, 50), close: flat(4, 50) },
      { symbol: 'B', open: flat(4, 20), close: flat(4, 20) },
    ]);
    const qty = (sizing: BacktestSpecInput['sizing']) =>
      runBacktest(spec({ symbols: ['A', 'B'], sizing }), panel, { strategy: scripted({ 0: 1 }) }).openPositions.map(
        (p) => p.qty,
      );
    expect(qty({ method: 'fixed-qty', qty: 7 })).toEqual([7, 7]);
    expect(qty({ method: 'fixed-fraction', fraction: 0.25 })).toEqual([50, 125]);
    expect(qty('equal-weight')).toEqual([100, 250]);
    // all-in: the first symbol takes all available equity, the second gets nothing
    expect(qty('all-in')).toEqual([200]);
  });

  it('closes a position at the last close of a name that stops trading, flagged delisted', () => {
    const N = Number.NaN;
    const panel = makePanel([
      {
        symbol: 'A',
        open: [10, 10, 11, 12, N, N],
        close: [10, 10.5, 11.5, 12.5, N, N],
        delistedOn: Date.UTC(2020, 0, 5),
      },
      { symbol: 'B', open: flat(6, 5), close: flat(6, 5) },
    ]);
    const r = runBacktest(spec({ symbols: ['A', 'B'], sizing: { method: 'fixed-qty', qty: 10 } }), panel, {
      strategy: scripted({ 0: 1 }),
    });
    const a = r.trades.find((t) => t.symbol === 'A');
    expect(a).toMatchObject({ exitReason: 'delisted', exitBar: 3, exitPrice: 12.5, qty: 10 });
    expect(r.openPositions.map((p) => p.symbol)).toEqual(['B']);
    expect(r.metrics.finalEquity).toBeCloseTo(10_000 + 10 * (12.5 - 10), 10);
  });

  it('rebalances a cross-sectional strategy at the next open after each period start', () => {
    const days = [
      Date.UTC(2021, 0, 4),
      Date.UTC(2021, 0, 5),
      Date.UTC(2021, 1, 1),
      Date.UTC(2021, 1, 2),
      Date.UTC(2021, 1, 3),
    ];
    const panel = makePanel(
      [
        { symbol: 'A', open: [10, 10, 20, 20, 20], close: [10, 10, 20, 20, 20] },
        { symbol: 'B', open: flat(5, 10), close: flat(5, 10) },
      ],
      days,
    );
    const dates: number[] = [];
    const halves: CrossSectionalStrategy<object> = {
      kind: 'cross-sectional',
      name: 'halves',
      description: 'test',
      params: z.object({}),
      rebalance: () => 'monthly',
      weights: (_p, view) => {
        dates.push(view.date);
        expect(view.universe).toEqual(['A', 'B']);
        return new Map([
          ['A', 0.5],
          ['B', 0.5],
        ]);
      },
    };
    const r = runBacktest(spec({ symbols: ['A', 'B'] }), panel, { strategy: halves });
    expect(dates).toEqual([days[0], days[2]]);
    // Feb: A doubled; equity 15000 -> A 7500/20 = 375 (was 500): 125 sold at 20; B 750 (was 500): 250 bought
    const sold = r.trades.find((t) => t.symbol === 'A');
    expect(sold).toMatchObject({ qty: 125, entryPrice: 10, exitPrice: 20, exitBar: 3, exitReason: 'rebalance' });
    expect(r.openPositions.map((p) => [p.symbol, p.qty])).toEqual([
      ['A', 375],
      ['B', 750],
    ]);
  });
});

describe('runBacktest: boundaries', () => {
  const panel = makePanel([
    { symbol: 'A', open: flat(50, 1), close: Array.from({ length: 50 }, (_, i) => 100 + Math.sin(i / 3) * 10) },
  ]);

  it('gives a strategy one reused view of the current bar only: perturbing later bars changes nothing before', () => {
    const seenA: number[] = [];
    const a = runBacktest(spec(), panel, {
      strategy: { ...testSmaCross, onBar: (s, b) => (seenA.push(b.index), testSmaCross.onBar(s, b)) },
    });
    const later = makePanel([
      {
        symbol: 'A',
        open: flat(50, 1),
        close: Array.from({ length: 50 }, (_, i) => (i < 30 ? 100 + Math.sin(i / 3) * 10 : 1)),
      },
    ]);
    const b = runBacktest(spec(), later, { strategy: testSmaCross });
    const before = (r: typeof a) => r.trades.filter((t) => t.exitBar < 30).map((t) => [t.entryBar, t.exitBar, t.qty]);
    expect(before(b)).toEqual(before(a));
    expect(seenA).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('names the field of bad params, an unknown symbol or benchmark', () => {
    expect(() => runBacktest(spec({ params: { fast: -1 } }), panel, { strategy: testSmaCross })).toThrow(
      /params\.fast/,
    );
    expect(() => runBacktest(spec({ symbols: ['ZZZ'] }), panel, { strategy: testSmaCross })).toThrow(
      BacktestInputError,
    );
    expect(() => runBacktest(spec({ benchmark: 'SPY' }), panel, { strategy: testSmaCross })).toThrow(/benchmark/);
    expect(() => runBacktest(spec(), panel, {})).toThrow(/strategy/);
  });

  it('stops with BacktestCancelledError when the signal aborts', () => {
    const ac = new AbortController();
    ac.abort();
    expect(() => runBacktest(spec(), panel, { strategy: testSmaCross, signal: ac.signal })).toThrow(
      BacktestCancelledError,
    );
  });

  it('clips the run to start/end', () => {
    const r = runBacktest(spec({ start: '2020-01-11', end: '2020-01-20' }), panel, { strategy: testSmaCross });
    expect(r.equity.time.length).toBe(10);
  });
});

describe('runBacktest: more execution cases', () => {
  it('sizes volatility-target from the returns before the fill bar', () => {
    // closes alternate +1% / -1%: daily sample std of the 4 returns before bar 5, annualised
    const close = [100, 101, 99.99, 100.9899, 99.979, 100, 100];
    const panel = makePanel([{ symbol: 'A', open: close, close }]);
    const r = runBacktest(
      spec({ sizing: { method: 'volatility-target', targetVol: 0.1, lookback: 4 }, wholeUnits: false }),
      panel,
      {
        strategy: scripted({ 4: 1 }),
      },
    );
    const rets = [101 / 100 - 1, 99.99 / 101 - 1, 100.9899 / 99.99 - 1, 99.979 / 100.9899 - 1];
    const m = rets.reduce((a, b) => a + b, 0) / 4;
    const vol = Math.sqrt((rets.reduce((a, x) => a + (x - m) ** 2, 0) / 3) * 252);
    const weight = Math.min(1, 0.1 / vol);
    expect(r.openPositions[0].qty).toBeCloseTo((10_000 * weight) / 100, 8);
  });

  it('protects a short with a stop above and a target below', () => {
    const panel = makePanel([
      {
        symbol: 'A',
        open: [100, 100, 100, 100],
        high: [100, 101, 106, 100],
        low: [100, 99, 98, 100],
        close: [100, 100, 100, 100],
      },
    ]);
    const r = runBacktest(spec(), panel, { strategy: scripted({ 0: { target: -1, stopLoss: 105, takeProfit: 90 } }) });
    expect(r.trades[0]).toMatchObject({
      side: 'short',
      exitBar: 2,
      exitPrice: 105,
      exitReason: 'stop-loss',
      ambiguous: false,
    });
    expect(r.trades[0].pnl).toBeCloseTo(-100 * 5, 10);
  });

  it('with fill: close, enters at the close and checks protective exits from the next bar', () => {
    const panel = makePanel([
      { symbol: 'A', open: [100, 100, 100], high: [100, 100, 101], low: [90, 100, 94], close: [100, 100, 100] },
    ]);
    const r = runBacktest(spec({ fill: 'close' }), panel, { strategy: scripted({ 0: { target: 1, stopLoss: 95 } }) });
    // bar 0's low of 90 came before the close entry: not a stop; bar 2's low 94 is
    expect(r.trades[0]).toMatchObject({ entryBar: 0, exitBar: 2, exitPrice: 95 });
  });

  it('rejects duplicate symbols in a spec', () => {
    expect(parseSpec({ strategy: 'x', symbols: ['A', 'A'] })).toMatchObject({
      ok: false,
      errors: ['symbols: symbols must be unique'],
    });
  });
});

describe('runBacktest: the one-symbol path', () => {
  it('trades exactly as the per-name path (gaps, a delisting, stops, targets, trailing stops, limit entries, reversals)', () => {
    let seed = 5;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const n = 3000;
    const open: number[] = [];
    const close: number[] = [];
    const high: number[] = [];
    const low: number[] = [];
    let p = 100;
    for (let i = 0; i < n; i++) {
      const o = p * (1 + (rnd() - 0.5) * 0.01);
      const c = o * (1 + (rnd() - 0.5) * 0.04);
      const gap = i % 97 === 13 || i > n - 40;
      open.push(gap ? Number.NaN : o);
      close.push(gap ? Number.NaN : c);
      high.push(gap ? Number.NaN : Math.max(o, c) * (1 + rnd() * 0.01));
      low.push(gap ? Number.NaN : Math.min(o, c) * (1 - rnd() * 0.01));
      p = c;
    }
    const other = { symbol: 'B', open: open.map((x) => x * 2), close: close.map((x) => x * 2) };
    // Scripted decisions drawn once: market targets, intents with protective levels, limit and stop entries.
    const script: Record<number, Decision> = {};
    for (let k = 0; k < n; k++) {
      const u = rnd();
      if (u < 0.03) script[k] = rnd() < 0.5 ? 1 : -1;
      else if (u < 0.05) script[k] = 0;
      else if (u < 0.06) script[k] = { target: 1, stopLoss: 1, takeProfit: 1e9, trailingStopPct: 0.02 };
      else if (u < 0.07) script[k] = { target: -1, type: 'limit', price: 1e9, stopLoss: 1e9 };
      else if (u < 0.075) script[k] = { target: 1, type: 'stop', price: 1 };
    }
    // Levels relative to the bar the decision sees, so they bite.
    const strategy: SingleStrategy<object, null> = {
      ...scripted({}),
      onBar: (_s, bar) => {
        const d = script[bar.index] ?? null;
        if (d === null || typeof d === 'number') return d;
        return {
          ...d,
          price: d.price === undefined ? undefined : d.price > 1 ? bar.close * 1.01 : bar.close * 0.99,
          stopLoss: d.stopLoss === undefined ? undefined : d.stopLoss > 1 ? bar.close * 1.03 : bar.close * 0.97,
          takeProfit: d.takeProfit === undefined ? undefined : bar.close * 1.05,
        };
      },
    };
    const panel = makePanel([{ symbol: 'A', open, high, low, close }, other]);
    for (const over of [{ sizing: 'fixed-qty' as const, qty: 10 }, { fill: 'close' as const }]) {
      const { qty: fixedQty, ...rest } = { qty: undefined, ...over };
      const sizing = fixedQty ? { method: 'fixed-qty' as const, qty: fixedQty } : undefined;
      const one = runBacktest(
        spec({ ...rest, ...(sizing ? { sizing } : {}), direction: 'long-short' } as Partial<BacktestSpecInput>),
        panel,
        { strategy },
      );
      // With B traded beside it under fixed-qty sizing, A's trades cannot depend on B.
      const both = runBacktest(
        spec({
          ...rest,
          symbols: ['A', 'B'],
          sizing: sizing ?? { method: 'fixed-qty', qty: 10 },
          direction: 'long-short',
        } as Partial<BacktestSpecInput>),
        panel,
        {
          strategy,
        },
      );
      const oneFixed = sizing
        ? one
        : runBacktest(
            spec({
              ...rest,
              sizing: { method: 'fixed-qty', qty: 10 },
              direction: 'long-short',
            } as Partial<BacktestSpecInput>),
            panel,
            { strategy },
          );
      expect(oneFixed.trades.length).toBeGreaterThan(50);
      expect(oneFixed.trades.some((t) => t.exitReason === 'stop-loss' || t.exitReason === 'trailing-stop')).toBe(true);
      expect(oneFixed.trades.at(-1)!.exitReason).toBe('delisted');
      expect(both.trades.filter((t) => t.symbol === 'A')).toEqual(oneFixed.trades);
      // Equity of the one-symbol run: cash plus the position at each close, as the per-name mark computes it.
      expect(one.equity.value.every((v) => Number.isFinite(v))).toBe(true);
    }
  });
});

describe('runBacktest: warm-up bars', () => {
  // A zig-zag so moving averages cross often: period 16.
  const n = 200;
  const wave = Array.from({ length: n }, (_, i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 16) + i * 0.01);
  const panel = makePanel([
    { symbol: 'A', open: wave.map((x) => x - 0.2), close: wave },
    { symbol: 'B', open: wave.map((x) => 2 * x - 0.2), close: wave.map((x) => 2 * x) },
  ]);
  const day = (i: number) => new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);

  it('shows the strategy the bars before start, ignores its decisions there and trades from start only', () => {
    const seen: number[] = [];
    // Long at warm-up bar 3 (ignored), then long at the 13th bar seen = run bar 3.
    const r = runBacktest(spec({ start: day(100), end: day(140), warmup: 10 }), panel, {
      strategy: scripted({ 3: 1, 13: 1 }, seen),
    });
    expect(seen.slice(0, 10)).toEqual(wave.slice(90, 100));
    expect(seen).toHaveLength(10 + 41);
    expect(r.equity.value).toHaveLength(41);
    expect(r.equity.value[3]).toBe(10_000);
    expect(r.openPositions).toHaveLength(1);
    expect(r.openPositions[0].entryTime).toBe(Date.UTC(2020, 0, 1) + 104 * 86_400_000);
    expect(r.openPositions[0].entryBar).toBe(4);
  });

  it('makes a short window trade on crosses a cold start cannot see, each on the same bar as a run from the beginning', () => {
    const decisions = (from: number, warmup: number, syms: string[]) => {
      const out: string[] = [];
      const strategy = {
        ...testSmaCross,
        onBar: (st: never, b: BarView) => {
          const d = testSmaCross.onBar(st, b);
          if (d !== null && b.time >= Date.UTC(2020, 0, 1) + from * 86_400_000)
            out.push(`${b.time}:${String(d)}:${b.close}`);
          return d;
        },
      } as unknown as SingleStrategy<object, unknown>;
      runBacktest(
        spec({
          symbols: syms,
          start: day(from),
          end: day(150),
          warmup,
          params: { fast: 3, slow: 30 },
          sizing: { method: 'fixed-qty', qty: 1 },
        }),
        panel,
        { strategy },
      );
      return out;
    };
    for (const syms of [['A'], ['A', 'B']]) {
      const full = decisions(100, 100, syms);
      // Cold: the slow average needs 30 bars, so 30 of the window's 51 bars pass without a decision.
      const cold = decisions(120, 0, syms);
      const warm = decisions(120, 30, syms);
      const after = full.filter((x) => Number(x.split(':')[0]) >= Date.UTC(2020, 0, 1) + 120 * 86_400_000);
      expect(warm).toEqual(after);
      expect(cold.length).toBeLessThan(warm.length);
    }
  });

  it('leaves a run without warm-up unchanged, and clamps a warm-up longer than the history', () => {
    const a = runBacktest(spec({ start: day(20), params: {} }), panel, { strategy: testSmaCross });
    const b = runBacktest(spec({ start: day(20), warmup: 0 }), panel, { strategy: testSmaCross });
    expect(b).toEqual(a);
    const c = runBacktest(spec({ start: day(20), warmup: 10_000 }), panel, { strategy: testSmaCross });
    expect(c.equity.value).toHaveLength(n - 20);
    expect(c.trades.every((t) => t.entryTime >= Date.UTC(2020, 0, 21))).toBe(true);
  });
});
