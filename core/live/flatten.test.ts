import { describe, expect, it } from 'vitest';
import { PaperBroker } from './broker';
import { RiskChecker } from './risk';
import type { Fill, Order } from './types';

const T = Date.UTC(2024, 0, 2, 14);

function setup() {
  const fills: Fill[] = [];
  const journal: Order[] = [];
  const broker = new PaperBroker({
    session: 's',
    cash: 100_000,
    risk: new RiskChecker({ symbols: {} }),
    hooks: { fill: (f) => fills.push(f), order: (o, _t, isNew) => isNew && journal.push({ ...o }) },
  });
  return { broker, fills, journal };
}

describe('PaperBroker.flattenAll (issue 11: the kill switch dialog tells the truth)', () => {
  it('closes every open position through the order path with reduce-only market orders, even while the kill switch is tripped', () => {
    const { broker, fills, journal } = setup();
    broker.submit({ symbol: 'A', side: 'buy', qty: 300 }, T);
    broker.submit({ symbol: 'B', side: 'sell', qty: 40 }, T);
    broker.onTick('A', T + 1, 100);
    broker.onTick('B', T + 1, 50);
    expect(broker.position('A').qty).toBe(300);
    expect(broker.position('B').qty).toBe(-40);
    // A resting order that would re-open a position after the flatten is cancelled by it.
    const resting = broker.submit({ symbol: 'A', side: 'buy', qty: 5, type: 'limit', price: 1 }, T + 2);
    broker.risk.set({ symbols: { '*': { maxOrderNotional: 1_000 } } });
    broker.trip('manual', T + 3);
    // A normal order is refused while tripped...
    expect(broker.submit({ symbol: 'A', side: 'sell', qty: 300 }, T + 4).status).toBe('rejected');
    const orders = broker.flattenAll(T + 5, 'operator');
    // ...the flatten orders are not, and the order limit (300 × 100 = 30,000 > 1,000) does not block them either.
    expect(orders.map((o) => [o.symbol, o.side, o.qty, o.type, o.status])).toEqual([
      ['A', 'sell', 300, 'market', 'new'],
      ['B', 'buy', 40, 'market', 'new'],
    ]);
    expect(resting.status).toBe('cancelled');
    // Journaled through the same hook as every order.
    expect(journal.filter((o) => orders.some((x) => x.id === o.id))).toHaveLength(2);
    broker.onTick('A', T + 6, 101);
    broker.onTick('B', T + 6, 49);
    expect(broker.position('A').qty).toBe(0);
    expect(broker.position('B').qty).toBe(0);
    expect(fills.slice(-2).map((f) => [f.symbol, f.side, f.qty, f.price])).toEqual([
      ['A', 'sell', 300, 101],
      ['B', 'buy', 40, 49],
    ]);
    expect(broker.account().unrealized).toBe(0);
  });

  it('refuses a reduce-only order that would open or flip a position', () => {
    const { broker } = setup();
    const o = broker.submit({ symbol: 'A', side: 'sell', qty: 1, reduceOnly: true }, T);
    expect(o.status).toBe('rejected');
    expect(o.reason).toMatch(/reduce-only/);
    expect(broker.flattenAll(T, 'nothing open')).toEqual([]);
  });
});
