import { describe, expect, it } from 'vitest';
import { sliceSchedule } from './algo';
import { PaperBroker, type KillSwitchState } from './broker';
import { simpleCosts } from './costs';
import { positionsFromFills } from './positions';
import { RiskChecker, type Breach, type RiskLimits } from './risk';
import type { Fill, Order } from './types';

const T = Date.UTC(2024, 0, 2, 14);

function setup(limits: RiskLimits = { symbols: {} }, costs = simpleCosts()) {
  const fills: Fill[] = [];
  const breaches: Breach[] = [];
  const kills: KillSwitchState[] = [];
  const events: Order[] = [];
  const broker = new PaperBroker({
    session: 's',
    cash: 100_000,
    costs,
    risk: new RiskChecker(limits),
    hooks: {
      fill: (f) => fills.push(f),
      breach: (b) => breaches.push(b),
      killSwitch: (k) => kills.push(k),
      order: (o) => events.push({ ...o }),
    },
  });
  return { broker, fills, breaches, kills, events };
}

describe('PaperBroker fills and positions', () => {
  it('reports the account as a statement adds it up, so a broker restored from the fills reports it to the bit', () => {
    const { broker, fills } = setup();
    const names = ['D', 'B', 'A', 'C'];
    let seed = 5;
    const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const price = (k: number, i: number) =>
      Math.round((50 + 10 * k + 5 * Math.sin(i / 7 + k)) * 1e4) / 1e4 + rnd() * 1e-3;
    let t = T;
    for (let i = 0; i < 400; i++) {
      // Marks arrive in another order each step, fills now and then: the running totals move by differences.
      const order = i % 2 === 0 ? names : [...names].reverse();
      for (const s of order) broker.mark(s, price(names.indexOf(s), i), (t += 1000));
      if (i % 37 === 5) broker.execute(names[i % 4], i % 3 === 0 ? 'sell' : 'buy', 1 + (i % 7) / 3, price(i % 4, i), t);
    }
    const a = broker.account();
    let value = 0;
    let gross = 0;
    for (const s of [...names].sort()) {
      const p = broker.position(s);
      if (p.qty === 0) continue;
      value += p.qty * p.last;
      gross += Math.abs(p.qty * p.last);
    }
    expect(fills.length).toBeGreaterThan(8);
    expect(a.equity).toBe(a.cash + value);
    expect(broker.equity()).toBe(a.equity);
    expect(a.grossExposure).toBe(gross);
    // A new broker restored from the journal's fills, then marked at the same last prices in yet another order.
    const { broker: again } = setup();
    again.restore([], fills, t);
    for (const s of ['C', 'A', 'D', 'B']) again.mark(s, broker.position(s).last, t);
    const b = again.account();
    expect(b.cash).toBe(a.cash);
    expect(b.equity).toBe(a.equity);
    expect(b.grossExposure).toBe(a.grossExposure);
    expect(b.unrealized).toBe(a.unrealized);
  });

  it('keeps equity finite when a new session restores nothing over symbols that have no mark yet', () => {
    const { broker } = setup();
    // The strategy runner asks for every symbol's position before the first price arrives.
    broker.position('A');
    broker.position('B');
    broker.restore([], [], T);
    broker.execute('A', 'buy', 10, 100, T + 1);
    broker.mark('A', 102, T + 2);
    const a = broker.account();
    expect(a.equity).toBeCloseTo(100_000 + 10 * 2, 6);
    expect(a.grossExposure).toBeCloseTo(1_020, 6);
    expect(Number.isFinite(a.dayStartEquity)).toBe(true);
  });

  it('lists every traded position, one closed at its cost included; a symbol only marked is not listed', () => {
    const { broker, fills } = setup();
    broker.mark('A', 50, T);
    broker.mark('B', 20, T);
    expect(broker.positions()).toEqual([]);
    // Bought and sold at the same price, no costs: flat, realized exactly 0.
    broker.execute('A', 'buy', 60, 55.3, T + 1);
    broker.execute('A', 'sell', 60, 55.3, T + 2);
    const listed = (b: PaperBroker) => b.positions().map((p) => [p.symbol, p.qty, p.realized]);
    expect(listed(broker)).toEqual([['A', 0, 0]]);
    // The same from the journal's fills, after a restart; B, marked again, is still not a position.
    const { broker: again } = setup();
    again.mark('B', 21, T + 3);
    again.restore([], fills, T + 3);
    expect(listed(again)).toEqual([['A', 0, 0]]);
  });

  it('fills a market order at the next tick with slippage and commission, and tracks cash, equity and PnL', () => {
    const { broker, fills } = setup(undefined, simpleCosts({ slippageBps: 10, perUnit: 0.01 }));
    broker.onTick('A', T, 100);
    const o = broker.submit({ symbol: 'A', side: 'buy', qty: 10 }, T + 1);
    expect(o.status).toBe('new');
    expect(fills).toHaveLength(0);
    broker.onTick('A', T + 2, 101);
    expect(fills).toEqual([
      {
        orderId: o.id,
        session: 's',
        time: T + 2,
        symbol: 'A',
        side: 'buy',
        qty: 10,
        price: 101 * 1.001,
        commission: 0.1,
      },
    ]);
    expect(o.status).toBe('filled');
    broker.onTick('A', T + 3, 110);
    const p = broker.position('A');
    expect(p.qty).toBe(10);
    expect(p.avgCost).toBeCloseTo(101.101, 9);
    const acct = broker.account();
    expect(acct.cash).toBeCloseTo(100_000 - 1011.01 - 0.1, 6);
    expect(acct.equity).toBeCloseTo(acct.cash + 1100, 6);
    expect(acct.unrealized).toBeCloseTo(10 * (110 - 101.101), 6);
    broker.submit({ symbol: 'A', side: 'sell', qty: 15 }, T + 4);
    broker.onTick('A', T + 5, 120);
    expect(p.qty).toBe(-5);
    expect(p.avgCost).toBeCloseTo(120 * 0.999, 9);
    expect(p.realized).toBeCloseTo(10 * (120 * 0.999 - 101.101) - 0.1 - 0.15, 6);
    // Positions rebuilt from the fills alone are the live ones.
    const re = positionsFromFills(fills).get('A')!;
    expect(re.qty).toBe(p.qty);
    expect(re.avgCost).toBeCloseTo(p.avgCost, 9);
    expect(re.realized).toBeCloseTo(p.realized, 9);
  });

  it('fills limit and stop orders against a bar by the open-first, conservative rule', () => {
    const { broker, fills } = setup(undefined, simpleCosts({ slippageBps: 100 }));
    const bar = (time: number, open: number, high: number, low: number, close: number) =>
      broker.onBar({ symbol: 'A', intervalMs: 86_400_000, time, open, high, low, close, volume: 1 });
    bar(T, 100, 101, 99, 100);
    broker.submit({ symbol: 'A', side: 'buy', qty: 1, type: 'limit', price: 95 }, T);
    broker.submit({ symbol: 'A', side: 'buy', qty: 1, type: 'stop', price: 105 }, T);
    broker.submit({ symbol: 'A', side: 'sell', qty: 1, type: 'limit', price: 90 }, T);
    bar(T + 1, 98, 104, 96, 100); // nothing reached but the sell limit, which the open already beats
    expect(fills.map((f) => [f.side, f.price])).toEqual([['sell', 98 * 0.99]]);
    bar(T + 2, 97, 106, 94, 100); // limit touched in range -> at the limit, slipped; stop touched -> at the stop, slipped
    expect(fills.slice(1).map((f) => [f.side, f.price])).toEqual([
      ['buy', 95 * 1.01],
      ['buy', 105 * 1.01],
    ]);
    broker.submit({ symbol: 'A', side: 'sell', qty: 1, type: 'stop', price: 90 }, T + 2);
    bar(T + 3, 85, 86, 80, 82); // gap through the stop: fills at the open, slipped
    expect(fills[3].price).toBeCloseTo(85 * 0.99, 9);
  });

  it('slices TWAP into equal whole-unit children on schedule and VWAP by the profile', () => {
    const { broker, fills, events } = setup();
    broker.onTick('A', T, 50);
    const parent = broker.submit(
      { symbol: 'A', side: 'buy', qty: 100, type: 'twap', durationMs: 40_000, slices: 3 },
      T,
    );
    // The working count (read from the working lists and open algo parents) equals a scan of every order, at
    // every step: the parent counts until its last slice fills, its slices never; a resting limit counts too.
    const scan = () =>
      broker.orders().filter((o) => o.parentId === null && (o.status === 'new' || o.status === 'partially-filled'))
        .length;
    broker.submit({ symbol: 'A', side: 'buy', qty: 1, type: 'limit', price: 1 }, T);
    const counts: [number, number][] = [];
    for (let t = 0; t <= 60_000; t += 5_000) {
      broker.onTick('A', T + t, 50 + t / 10_000);
      counts.push([broker.workingCount(), scan()]);
    }
    expect(counts.every(([a, b]) => a === b)).toBe(true);
    expect(counts[0][0]).toBe(2);
    expect(counts[counts.length - 1][0]).toBe(1);
    expect(fills.map((f) => f.qty)).toEqual([33, 34, 33]);
    expect(fills.map((f) => f.time)).toEqual([T, T + 15_000, T + 30_000]);
    expect(fills.every((f) => events.find((e) => e.id === f.orderId)?.parentId === parent.id)).toBe(true);
    expect(parent.status).toBe('filled');
    expect(parent.filledQty).toBe(100);
    const v = broker.submit(
      { symbol: 'A', side: 'sell', qty: 60, type: 'vwap', durationMs: 30_000, slices: 3, profile: [1, 2, 3] },
      T + 60_000,
    );
    for (let t = 60_000; t <= 100_000; t += 10_000) broker.onTick('A', T + t, 55);
    expect(fills.slice(3).map((f) => f.qty)).toEqual([10, 20, 30]);
    expect(v.status).toBe('filled');
    expect(broker.position('A').qty).toBe(40);
  });
});

describe('sliceSchedule', () => {
  it('sums to the parent exactly, whole units for whole parents, U-shaped VWAP by default', () => {
    const t = sliceSchedule('twap', 10, 0, 1_000, 3);
    expect([...t.qtys]).toEqual([3, 4, 3]);
    expect([...t.times]).toEqual([0, 1_000 / 3, 2_000 / 3]);
    const v = sliceSchedule('vwap', 1_000, 0, 1_000, 5);
    expect(v.qtys.reduce((a, b) => a + b, 0)).toBe(1_000);
    expect(v.qtys[0]).toBeGreaterThan(v.qtys[2]);
    expect(v.qtys[4]).toBeGreaterThan(v.qtys[2]);
    const f = sliceSchedule('twap', 1.5, 0, 100, 4);
    expect(f.qtys.reduce((a, b) => a + b, 0)).toBeCloseTo(1.5, 12);
    expect(f.qtys[0]).toBeCloseTo(0.375, 12);
  });
});

describe('risk limits and the kill switch', () => {
  const cases: [string, RiskLimits, () => [import('./broker').OrderRequest, number]][] = [
    ['maxPosition', { symbols: { A: { maxPosition: 100 } } }, () => [{ symbol: 'A', side: 'buy', qty: 101 }, 10]],
    [
      'maxOrderNotional',
      { symbols: { '*': { maxOrderNotional: 5_000 } } },
      () => [{ symbol: 'A', side: 'buy', qty: 51 }, 100],
    ],
    [
      'fatFinger',
      { symbols: { A: { fatFingerPct: 0.05 } } },
      () => [{ symbol: 'A', side: 'buy', qty: 1, type: 'limit', price: 106 }, 100],
    ],
    [
      'maxGrossExposure',
      { symbols: {}, maxGrossExposure: 10_000 },
      () => [{ symbol: 'A', side: 'sell', qty: 101 }, 100],
    ],
  ];
  for (const [limit, limits, make] of cases) {
    it(`${limit}: a breach rejects the order, trips the kill switch and cancels working orders`, () => {
      const { broker, breaches, kills } = setup(limits);
      const [req, last] = make();
      broker.onTick('A', T, last);
      const resting = broker.submit({ symbol: 'A', side: 'buy', qty: 1, type: 'limit', price: last * 0.99 }, T);
      expect(resting.status).toBe('new');
      const o = broker.submit(req, T + 1);
      expect(o.status).toBe('rejected');
      expect(breaches.map((b) => b.limit)).toEqual([limit]);
      expect(broker.killSwitch.tripped).toBe(true);
      expect(kills).toHaveLength(1);
      expect(resting.status).toBe('cancelled');
      expect(broker.submit({ symbol: 'A', side: 'buy', qty: 1 }, T + 2).status).toBe('rejected');
      broker.rearm(T + 3);
      expect(broker.killSwitch.tripped).toBe(false);
      expect(broker.submit({ symbol: 'A', side: 'buy', qty: 1 }, T + 4).status).toBe('new');
    });
  }

  it('a soft limit rejects and reports without tripping; an order within limits passes', () => {
    const { broker, breaches } = setup({ symbols: { A: { maxPosition: 10 } }, hard: [] });
    broker.onTick('A', T, 10);
    expect(broker.submit({ symbol: 'A', side: 'buy', qty: 10 }, T).status).toBe('new');
    expect(broker.submit({ symbol: 'A', side: 'buy', qty: 11 }, T).status).toBe('rejected');
    expect(breaches).toHaveLength(1);
    expect(broker.killSwitch.tripped).toBe(false);
  });

  it('maxDailyLoss trips on a mark once the equity falls below the day start by more than the limit', () => {
    const { broker, breaches } = setup({ symbols: {}, maxDailyLoss: 500 });
    broker.onTick('A', T, 100);
    broker.submit({ symbol: 'A', side: 'buy', qty: 100 }, T);
    broker.onTick('A', T + 1, 100);
    broker.onTick('A', T + 2, 96); // -400
    expect(broker.killSwitch.tripped).toBe(false);
    broker.onTick('A', T + 3, 94.9); // -510
    expect(breaches.map((b) => b.limit)).toEqual(['maxDailyLoss']);
    expect(broker.killSwitch).toMatchObject({ tripped: true, at: T + 3 });
    // A new UTC day resets the reference equity, but the switch stays tripped until re-armed.
    broker.onTick('A', T + 86_400_000, 94);
    expect(broker.killSwitch.tripped).toBe(true);
  });

  it('the manual kill switch cancels open orders and algo parents and refuses new orders until re-armed', () => {
    const { broker, fills } = setup();
    broker.onTick('A', T, 10);
    const lim = broker.submit({ symbol: 'A', side: 'buy', qty: 5, type: 'limit', price: 9 }, T);
    const twap = broker.submit({ symbol: 'A', side: 'buy', qty: 10, type: 'twap', durationMs: 10_000, slices: 2 }, T);
    broker.onTick('A', T + 1, 10); // first slice
    broker.trip('operator', T + 2);
    expect(lim.status).toBe('cancelled');
    expect(twap.status).toBe('cancelled');
    broker.onTick('A', T + 20_000, 8);
    expect(fills.map((f) => f.qty)).toEqual([5]);
    expect(broker.submit({ symbol: 'A', side: 'sell', qty: 1 }, T + 3).reason).toMatch(/kill switch/);
  });
});
