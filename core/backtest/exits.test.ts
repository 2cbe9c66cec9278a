import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CrossSectionalStrategy, Decision, SingleStrategy } from '../strategy/types';
import { smaKernelIneligibility } from '../optimize/sma-kernel';
import { runBacktest } from './engine';
import { makePanel } from './fixtures';
import { parseSpec, type BacktestSpecInput } from './spec';

/** A strategy that returns `script[index]` at each bar (null otherwise). */
function scripted(script: Record<number, Decision>): SingleStrategy<object, null> {
  return {
    kind: 'single',
    name: 'scripted',
    description: 'test',
    params: z.object({}),
    init: () => null,
    onBar: (_s, bar) => script[bar.index] ?? null,
  };
}

function spec(over: Partial<BacktestSpecInput> = {}) {
  const r = parseSpec({ strategy: 'scripted', symbols: ['A'], capital: 10_000, ...over });
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.spec;
}

/** Bars as [open, high, low, close]. */
function bars(rows: readonly (readonly [number, number, number, number])[]) {
  return makePanel([
    {
      symbol: 'A',
      open: rows.map((r) => r[0]),
      high: rows.map((r) => r[1]),
      low: rows.map((r) => r[2]),
      close: rows.map((r) => r[3]),
    },
  ]);
}

describe('spec exits: percent levels (worked by hand)', () => {
  // Decision at bar 0 fills at bar 1's open, 100: 10,000 / 100 = 100 shares.
  const base: [number, number, number, number][] = [
    [100, 100, 100, 100],
    [100, 101, 99, 100],
  ];

  it('a 5% stop-loss on a long exits at 95 when a later low touches it', () => {
    const r = runBacktest(
      spec({ exits: { stopLoss: { pct: 5 } } }),
      bars([...base, [99, 100, 94, 96], [96, 96, 96, 96]]),
      { strategy: scripted({ 0: 1 }) },
    );
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({
      side: 'long',
      qty: 100,
      entryPrice: 100,
      exitPrice: 95,
      exitBar: 2,
      exitReason: 'stop-loss',
      ambiguous: false,
    });
    expect(r.trades[0].pnl).toBeCloseTo(-500, 9);
  });

  it('a gap through the stop fills at the open, not the level', () => {
    const r = runBacktest(spec({ exits: { stopLoss: { pct: 5 } } }), bars([...base, [93, 94, 90, 92]]), {
      strategy: scripted({ 0: 1 }),
    });
    expect(r.trades[0]).toMatchObject({ exitPrice: 93, exitReason: 'stop-loss' });
  });

  it('a 10% take-profit on a short exits at 90', () => {
    const r = runBacktest(spec({ exits: { takeProfit: { pct: 10 } } }), bars([...base, [98, 99, 89, 91]]), {
      strategy: scripted({ 0: -1 }),
    });
    expect(r.trades[0]).toMatchObject({ side: 'short', qty: 100, exitPrice: 90, exitReason: 'take-profit' });
    expect(r.trades[0].pnl).toBeCloseTo(1000, 9);
  });

  it('stop and target in one bar: the stop under conservative, the target under optimistic, flagged either way', () => {
    const panel = bars([...base, [100, 111, 94, 100]]);
    const exits = { stopLoss: { pct: 5 }, takeProfit: { pct: 10 } };
    const c = runBacktest(spec({ exits }), panel, { strategy: scripted({ 0: 1 }) });
    expect(c.trades[0]).toMatchObject({ exitPrice: 95, exitReason: 'stop-loss', ambiguous: true });
    const o = runBacktest(spec({ exits, intrabar: 'optimistic' }), panel, { strategy: scripted({ 0: 1 }) });
    expect(o.trades[0]).toMatchObject({ exitPrice: 110, exitReason: 'take-profit', ambiguous: true });
  });

  it('an 8% trailing stop follows the best high since entry', () => {
    // Best 100 → 101 (bar 1) → 120 (bar 2); stop 120 × 0.92 = 110.4, touched by bar 3's low 110.
    const panel = bars([...base, [115, 120, 115, 118], [112, 113, 110, 111]]);
    const r = runBacktest(spec({ exits: { trailingStop: { pct: 8 } } }), panel, { strategy: scripted({ 0: 1 }) });
    expect(r.trades[0]).toMatchObject({ exitBar: 3, exitReason: 'trailing-stop' });
    expect(r.trades[0].exitPrice).toBeCloseTo(110.4, 9);
    expect(r.trades[0].pnl).toBeCloseTo(1040, 6);
  });

  it('measures from the fill after slippage', () => {
    // 100 bps: buy fills at 101; 99 shares; stop 101 × 0.95 = 95.95; the exit at 95.95 sells at 95.95 × 0.99.
    const r = runBacktest(
      spec({ slippageBps: 100, exits: { stopLoss: { pct: 5 } } }),
      bars([...base, [99, 100, 95, 96]]),
      { strategy: scripted({ 0: 1 }) },
    );
    expect(r.trades[0].entryPrice).toBeCloseTo(101, 9);
    expect(r.trades[0].exitPrice).toBeCloseTo(95.95 * 0.99, 9);
  });

  it("a strategy's own stop wins; the spec fills the levels its intent leaves out", () => {
    const panel = bars([...base, [99, 100, 94, 96], [96, 111, 95, 100]]);
    const r = runBacktest(spec({ exits: { stopLoss: { pct: 5 }, takeProfit: { pct: 10 } } }), panel, {
      strategy: scripted({ 0: { target: 1, stopLoss: 90 } }),
    });
    // The 95 stop would have hit at bar 2; the intent's 90 does not, and the spec's 110 target takes bar 3.
    expect(r.trades[0]).toMatchObject({ exitBar: 3, exitPrice: 110, exitReason: 'take-profit' });
  });

  it('without exits nothing changes: the position stays open', () => {
    const r = runBacktest(spec(), bars([...base, [99, 100, 50, 96]]), { strategy: scripted({ 0: 1 }) });
    expect(r.trades).toHaveLength(0);
    expect(r.openPositions).toHaveLength(1);
  });
});

describe('spec exits: ATR multiples (worked by hand)', () => {
  // ATR(2), TA-Lib: true ranges of bars 1 and 2 are 4 and 4 (h−l 4; prev close 100), so ATR at bar 2 = 4.
  const rows: [number, number, number, number][] = [
    [100, 101, 99, 100],
    [100, 102, 98, 100],
    [100, 102, 98, 100],
    [100, 101, 97, 100],
    [99, 99, 93.5, 95],
  ];
  const exits = { stopLoss: { atr: 1.5, period: 2 } };

  it('a next-open entry at bar 3 uses the ATR of bar 2: stop 100 − 1.5 × 4 = 94', () => {
    const r = runBacktest(spec({ exits }), bars(rows), { strategy: scripted({ 2: 1 }) });
    expect(r.trades[0]).toMatchObject({ entryBar: 3, exitBar: 4, exitPrice: 94, exitReason: 'stop-loss' });
  });

  it('a close fill at bar 2 uses the ATR of bar 2 too', () => {
    const r = runBacktest(spec({ exits, fill: 'close' }), bars(rows), { strategy: scripted({ 2: 1 }) });
    expect(r.trades[0]).toMatchObject({ entryBar: 2, exitBar: 4, exitPrice: 94 });
  });

  it('no ATR yet at the entry (bar 1 has one true range of 2 needed): no stop on that position', () => {
    const r = runBacktest(spec({ exits }), bars(rows), { strategy: scripted({ 1: 1 }) });
    expect(r.trades).toHaveLength(0);
    expect(r.openPositions[0]).toMatchObject({ entryBar: 2 });
  });

  it('an ATR trailing stop trails by the entry distance as a fraction: 2 × 4 / 100 = 8%', () => {
    const panel = bars([...rows.slice(0, 3), [100, 120, 100, 118], [112, 113, 110, 111]]);
    const r = runBacktest(spec({ exits: { trailingStop: { atr: 2, period: 2 } } }), panel, {
      strategy: scripted({ 2: 1 }),
    });
    expect(r.trades[0]).toMatchObject({ exitBar: 4, exitReason: 'trailing-stop' });
    expect(r.trades[0].exitPrice).toBeCloseTo(120 * 0.92, 9);
  });
});

describe('spec exits: cross-sectional runs', () => {
  it('stops a held name out; it stays flat until the next rebalance re-enters it', () => {
    const days = [
      Date.UTC(2021, 0, 4),
      Date.UTC(2021, 0, 5),
      Date.UTC(2021, 0, 6),
      Date.UTC(2021, 1, 1),
      Date.UTC(2021, 1, 2),
    ];
    const panel = makePanel(
      [
        {
          symbol: 'A',
          open: [100, 100, 95, 90, 90],
          high: [100, 101, 95, 91, 91],
          low: [100, 99, 85, 89, 89],
          close: [100, 100, 88, 90, 90],
        },
      ],
      days,
    );
    const all: CrossSectionalStrategy<object> = {
      kind: 'cross-sectional',
      name: 'all-a',
      description: 'test',
      params: z.object({}),
      rebalance: () => 'monthly',
      weights: () => new Map([['A', 1]]),
    };
    const r = runBacktest(spec({ exits: { stopLoss: { pct: 10 } } }), panel, { strategy: all });
    // Jan 5: 100 shares at 100, stop 90; Jan 6 low 85 → out at 90 (−1,000). Feb 2: 9,000 / 90 = 100 shares again.
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0]).toMatchObject({ entryBar: 1, exitBar: 2, exitPrice: 90, exitReason: 'stop-loss' });
    expect(r.equity.value[3]).toBeCloseTo(9000, 9);
    expect(r.openPositions[0]).toMatchObject({ qty: 100, entryPrice: 90, entryBar: 4 });
  });
});

describe('spec exits: the schema', () => {
  const errors = (exits: unknown) => {
    const r = parseSpec({ strategy: 's', symbols: ['A'], exits });
    return r.ok ? [] : r.errors;
  };
  it('names the field of a bad level', () => {
    expect(errors({ stopLoss: { pct: 5, atr: 2 } })).toEqual(['exits.stopLoss: give exactly one of "pct" or "atr"']);
    expect(errors({ stopLoss: {} })).toEqual(['exits.stopLoss: give exactly one of "pct" or "atr"']);
    expect(errors({ trailingStop: { pct: 100 } })).toEqual(['exits.trailingStop.pct: pct must be below 100']);
    expect(errors({ takeProfit: { pct: 5, period: 3 } })[0]).toMatch(/exits\.takeProfit\.period/);
    expect(errors({ stopLoss: { pct: -1 } })[0]).toMatch(/^exits\.stopLoss\.pct/);
    expect(errors({ stop: { pct: 1 } })[0]).toMatch(/^exits/);
    expect(errors({ stopLoss: { atr: 3, period: 14 }, takeProfit: { pct: 10 } })).toEqual([]);
  });
  it('echoes exits as written and sends a sweep with exits to the engine, not the sma kernel', () => {
    const s = spec({ strategy: 'sma-cross', sizing: 'fixed-qty', exits: { stopLoss: { pct: 5 } } });
    expect(s.exits).toEqual({ stopLoss: { pct: 5 } });
    expect(smaKernelIneligibility(s, ['fast', 'slow'])).toMatch(/exits/);
    expect(smaKernelIneligibility({ ...s, exits: undefined }, ['fast', 'slow'])).toBeNull();
  });
});
