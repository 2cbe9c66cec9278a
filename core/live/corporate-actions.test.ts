import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseSpec } from '../backtest/spec';
import { openStore } from '../store/sqlite-bar-store';
import type { SingleStrategy } from '../strategy/types';
import type { StepBar } from './runner';
import { LiveSession } from './session';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 2);

/** Buys on the first bar's close, then holds. */
const buyOnce: SingleStrategy<Record<string, never>, { n: number }> = {
  kind: 'single',
  name: 'buy-once',
  description: 'test',
  params: z.object({}).strict() as unknown as SingleStrategy<Record<string, never>, { n: number }>['params'],
  init: () => ({ n: 0 }),
  onBar: (st) => (st.n++ === 0 ? 1 : null),
};

const bar = (i: number, px: number, extra: Partial<StepBar> = {}): StepBar => ({
  symbol: 'X',
  intervalMs: DAY,
  time: T0 + i * DAY,
  open: px,
  high: px,
  low: px,
  close: px,
  volume: 1,
  ...extra,
});

describe('corporate actions on a live session', () => {
  it('a split and a dividend move the position and cash, are journaled, and survive a restart', () => {
    const store = openStore(':memory:');
    const p = parseSpec({ strategy: 'buy-once', symbols: ['X'], sizing: { method: 'fixed-qty', qty: 3 } });
    if (!p.ok) throw new Error(p.errors.join());
    const make = () =>
      new LiveSession({
        store,
        session: 's',
        spec: p.spec,
        strategy: buyOnce,
        params: {},
        symbols: ['X'],
        now: () => 0,
      });
    const a = make();
    a.bars([bar(0, 100)]);
    a.bars([bar(1, 100)]); // buys 3 at 100
    a.bars([bar(2, 50, { actions: [{ symbol: 'X', kind: 'split', value: 2 }] })]);
    a.bars([bar(3, 51, { actions: [{ symbol: 'X', kind: 'dividend', value: 0.25 }] })]);
    expect(a.positions()[0]).toMatchObject({ qty: 6, avgCost: 50, last: 51 });
    expect(a.broker.cash).toBe(100_000 - 300 + 6 * 0.25);
    expect(a.broker.account().equity).toBe(100_000 - 300 + 1.5 + 6 * 51);
    // A restart rebuilds the same position and cash from fills and the journaled actions, and finds no mismatch.
    const b = make();
    const report = b.restore();
    expect(report.positionsMatch).toBe(true);
    expect(b.positions()[0]).toMatchObject({ qty: 6, avgCost: 50 });
    expect(b.broker.cash).toBe(a.broker.cash);
    store.close();
  });

  it('a reverse split with whole units pays the fractional share in cash', () => {
    const store = openStore(':memory:');
    const p = parseSpec({ strategy: 'buy-once', symbols: ['X'], sizing: { method: 'fixed-qty', qty: 5 } });
    if (!p.ok) throw new Error(p.errors.join());
    const s = new LiveSession({
      store,
      session: 'r',
      spec: p.spec,
      strategy: buyOnce,
      params: {},
      symbols: ['X'],
      now: () => 0,
    });
    s.bars([bar(0, 10)]);
    s.bars([bar(1, 10)]);
    s.bars([bar(2, 20, { actions: [{ symbol: 'X', kind: 'split', value: 0.5 }] })]);
    // 5 shares → 2.5: 2 kept at a cost of 20, half a share paid at the last mark ÷ 0.5 (10 / 0.5 × 0.5 = 10).
    expect(s.positions()[0]).toMatchObject({ qty: 2, avgCost: 20 });
    expect(s.broker.cash).toBe(100_000 - 50 + 10);
    store.close();
  });
});
