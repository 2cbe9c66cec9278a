import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal } from '../../store/journal';
import { openStore, type Store } from '../../store/sqlite-bar-store';
import type { Order } from '../types';
import { AlpacaBroker } from './alpaca';
import { FakeAlpaca } from './fake-alpaca';
import { OrderGateway } from './gateway';
import { BrokerMirror } from './mirror';
import { PaperBrokerAdapter } from './paper';
import { connection } from '../../store/internal';

let fake: FakeAlpaca;
let store: Store;
let gw: OrderGateway;
let journal: Journal;

const until = async (cond: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};
// An order row exactly as the live session journals it.
const order = (n: number, o: Partial<Order> = {}): Order => ({
  id: `m:${n}`,
  session: 'm',
  time: 1_000 + n,
  symbol: 'AAPL',
  side: 'buy',
  type: 'limit',
  qty: 5,
  limitPrice: 10,
  stopPrice: null,
  parentId: null,
  status: 'new',
  filledQty: 0,
  ...o,
});

beforeEach(async () => {
  fake = new FakeAlpaca();
  await fake.start();
  store = openStore(':memory:');
  journal = new Journal(connection(store));
  gw = new OrderGateway({
    store: store,
    session: 'm',
    broker: new AlpacaBroker({
      keyId: 'test-key',
      secretKey: 'test-secret',
      baseUrl: fake.url,
      timeoutMs: 500,
      backoffMs: 5,
    }),
    backoffMs: 5,
  });
  await gw.connect();
});
afterEach(async () => {
  await gw.close();
  await fake.stop();
  store.close();
});

describe('BrokerMirror', () => {
  it('routes journaled session orders once, skips rejected ones and algo parents, follows cancels and the kill switch', async () => {
    const mirror = new BrokerMirror(store, gw);
    journal.insertOrder(order(1));
    journal.insertOrder(order(2, { status: 'rejected', reason: 'maxPosition' }));
    journal.insertOrder(order(3, { type: 'twap', limitPrice: null }));
    journal.insertOrder(order(4, { symbol: 'MSFT', side: 'sell', type: 'market', limitPrice: null }));
    await mirror.poll();
    await mirror.poll();
    expect(fake.posts).toBe(2);
    const sent = [...fake.orders.values()].map((o) => [o.client_order_id, o.symbol, o.type, o.limit_price]);
    expect(sent).toEqual([
      [mirror.clientOrderId('m:1'), 'AAPL', 'limit', '10'],
      [mirror.clientOrderId('m:4'), 'MSFT', 'market', null],
    ]);
    // The session cancels its order: the broker's copy is cancelled.
    const o1 = order(1, { status: 'cancelled', reason: 'cancelled by user' });
    journal.updateOrder(o1, 2_000);
    await mirror.poll();
    await until(() => gw.order(mirror.clientOrderId('m:1'))!.status === 'cancelled');
    // The kill switch trips in the session: everything working at the broker is cancelled.
    journal.insertOrder(order(5, { symbol: 'NVDA' }));
    await mirror.poll();
    journal.setState('m', 'killswitch', { tripped: true, reason: 'max daily loss', at: 3_000 });
    await mirror.poll();
    expect([...fake.orders.values()].filter((o) => o.status === 'new' || o.status === 'accepted')).toEqual([]);
    // A second mirror (a restart) routes nothing again.
    const posts = fake.posts;
    await new BrokerMirror(store, gw).poll();
    expect(fake.posts).toBe(posts);
  });
});

describe('PaperBrokerAdapter through the gateway', () => {
  it('the paper broker speaks the same interface: updates, fills and reconciliation', async () => {
    const paper = new PaperBrokerAdapter({ session: 'pp', cash: 10_000 });
    const pg = new OrderGateway({ store: store, session: 'pp', broker: paper });
    expect((await pg.connect()).ok).toBe(true);
    paper.onTick('AAPL', 1, 100);
    const o = await pg.submit({
      clientOrderId: 'p-1',
      symbol: 'AAPL',
      side: 'buy',
      qty: 3,
      type: 'limit',
      limitPrice: 99,
    });
    expect(o.status).toBe('new');
    paper.onTick('AAPL', 2, 98.5);
    expect(pg.order('p-1')).toMatchObject({ status: 'filled', filledQty: 3 });
    expect(await paper.positions()).toEqual([{ symbol: 'AAPL', qty: 3, avgCost: 98.5, last: 98.5, unrealized: 0 }]);
    expect((await pg.reconcile()).ok).toBe(true);
    expect((await paper.orderByClientId('p-1'))?.clientOrderId).toBe('p-1');
    await expect(
      paper.submit({ clientOrderId: 'p-1', symbol: 'AAPL', side: 'buy', qty: 1, type: 'market' }),
    ).rejects.toThrow(/already used/);
    await pg.close();
  });
});
