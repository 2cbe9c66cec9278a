import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/sqlite-bar-store';
import { AlpacaBroker } from './alpaca';
import { FakeAlpaca } from './fake-alpaca';
import { OrderGateway } from './gateway';
import { BrokerError } from './types';
import { connection } from '../../store/internal';

let fake: FakeAlpaca;
let store: Store;
let gw: OrderGateway;
let broker: AlpacaBroker;

const until = async (cond: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};

beforeEach(async () => {
  fake = new FakeAlpaca();
  await fake.start();
  store = openStore(':memory:');
  broker = new AlpacaBroker({
    keyId: 'test-key',
    secretKey: 'test-secret',
    baseUrl: fake.url,
    timeoutMs: 1_000,
    retries: 3,
    backoffMs: 5,
  });
  gw = new OrderGateway({ store: store, session: 's1', broker, attempts: 3, backoffMs: 5 });
});
afterEach(async () => {
  await gw.close();
  await fake.stop();
  store.close();
});

const alerts = () =>
  connection(store).prepare(`SELECT kind, severity, message FROM alerts ORDER BY seq`).all() as {
    kind: string;
    severity: string;
    message: string;
  }[];

describe('Alpaca adapter (REST v2 against the fake)', () => {
  it('maps account, positions and open orders; retries reads through 429 and 5xx', async () => {
    fake.setPosition('AAPL', 10, 150, 155);
    fake.setPosition('TSLA', -5, 200, 190);
    fake.fault('GET /v2/positions', 429);
    fake.fault('GET /v2/positions', 503);
    const pos = await broker.positions();
    expect(pos).toEqual([
      { symbol: 'AAPL', qty: 10, avgCost: 150, last: 155, unrealized: 50 },
      { symbol: 'TSLA', qty: -5, avgCost: 200, last: 190, unrealized: 50 },
    ]);
    const acct = await broker.account();
    expect(acct).toMatchObject({
      id: 'PA0000FAKE',
      currency: 'USD',
      cash: 100_000,
      buyingPower: 200_000,
      mode: 'paper',
    });
    expect(acct.equity).toBeCloseTo(100_000 + 1550 - 950);
  });

  it('a wrong key is a clear error naming the variables, never echoing the key', async () => {
    const bad = new AlpacaBroker({ keyId: 'nope', secretKey: 'very-secret-value', baseUrl: fake.url, timeoutMs: 300 });
    const e = await bad.account().catch((x) => x);
    expect(e).toBeInstanceOf(BrokerError);
    expect(e.message).toMatch(/APCA_API_KEY_ID/);
    expect(e.message).not.toMatch(/very-secret-value/);
  });
});

describe('order gateway on Alpaca', () => {
  it('an order accepted but never answered (timeout) is looked up by client order id, not sent twice', async () => {
    await gw.connect();
    fake.fault('POST /v2/orders', 'accept-then-timeout');
    const o = await gw.submit({ clientOrderId: 'qd-1', symbol: 'AAPL', side: 'buy', qty: 10, type: 'market' });
    expect(o.status).toBe('new');
    expect(o.brokerOrderId).not.toBeNull();
    expect(fake.posts).toBe(1);
    expect(fake.orders.size).toBe(1);
    // Asking again with the same id changes nothing either.
    await gw.submit({ clientOrderId: 'qd-1', symbol: 'AAPL', side: 'buy', qty: 10, type: 'market' });
    expect(fake.posts).toBe(1);
  });

  it('a 5xx and a 429 before the order reached the broker: resent with the same id, one order', async () => {
    fake.fault('POST /v2/orders', 500);
    fake.fault('POST /v2/orders', 429);
    const o = await gw.submit({
      clientOrderId: 'qd-2',
      symbol: 'MSFT',
      side: 'sell',
      qty: 3,
      type: 'limit',
      limitPrice: 400,
    });
    expect(o.status).toBe('new');
    expect(fake.orders.size).toBe(1);
    expect([...fake.orders.values()][0]).toMatchObject({ client_order_id: 'qd-2', limit_price: '400', side: 'sell' });
    const retry = alerts().find((a) => a.kind === 'broker-retry')!;
    expect(retry.message).toMatch(/server error \(HTTP 500\).*rate limit hit \(HTTP 429\)/);
    // A broker that keeps answering 429 refuses the order in the end: rejected, with the reason.
    for (let i = 0; i < 12; i++) fake.fault('POST /v2/orders', 429);
    const quick = new OrderGateway({
      store: store,
      session: 's1',
      attempts: 2,
      backoffMs: 1,
      broker: new AlpacaBroker({ keyId: 'test-key', secretKey: 'test-secret', baseUrl: fake.url, retries: 0 }),
    });
    const r = await quick.submit({ clientOrderId: 'qd-2b', symbol: 'MSFT', side: 'buy', qty: 1, type: 'market' });
    expect(r).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/429/) });
    expect(fake.orders.size).toBe(1);
  });

  it('a broker that keeps timing out ends in a critical alert; the order is left for reconciliation, not resent', async () => {
    for (let i = 0; i < 3; i++) fake.fault('POST /v2/orders', 'timeout');
    for (let i = 0; i < 30; i++) fake.fault('GET /v2/orders:by_client_order_id', 'timeout');
    const quick = new OrderGateway({
      store: store,
      session: 's1',
      attempts: 3,
      backoffMs: 1,
      broker: new AlpacaBroker({
        keyId: 'test-key',
        secretKey: 'test-secret',
        baseUrl: fake.url,
        timeoutMs: 60,
        retries: 0,
      }),
    });
    const o = await quick.submit({ clientOrderId: 'qd-3', symbol: 'AAPL', side: 'buy', qty: 1, type: 'market' });
    expect(o.status).toBe('intent');
    expect(alerts().some((a) => a.kind === 'broker-order-unknown' && a.severity === 'critical')).toBe(true);
  });

  it('partial fills, a fill, duplicated and out-of-order updates: journaled once each, status never steps back', async () => {
    await gw.connect();
    const o = await gw.submit({ clientOrderId: 'qd-4', symbol: 'AAPL', side: 'buy', qty: 10, type: 'market' });
    fake.fill(o.brokerOrderId!, 4, 100);
    fake.repeatLast();
    fake.fill(o.brokerOrderId!, 6, 101);
    fake.repeatLast();
    fake.replayOld(3); // the first partial fill again, after the final fill
    await until(() => gw.order('qd-4')!.status === 'filled');
    await new Promise((r) => setTimeout(r, 50));
    const j = gw.order('qd-4')!;
    expect(j.status).toBe('filled');
    expect(j.filledQty).toBe(10);
    expect(j.avgPrice).toBeCloseTo((4 * 100 + 6 * 101) / 10);
    expect(connection(store).prepare(`SELECT count(*) FROM broker_fills`).pluck().get()).toBe(2);
    expect(gw.expectedPositions().get('AAPL')).toBe(10);
    expect((await gw.reconcile()).ok).toBe(true);
  });

  it('a reject from the stream is journaled and alerted', async () => {
    await gw.connect();
    const o = await gw.submit({ clientOrderId: 'qd-5', symbol: 'AAPL', side: 'buy', qty: 1_000_000, type: 'market' });
    fake.reject(o.brokerOrderId!);
    await until(() => gw.order('qd-5')!.status === 'rejected');
    expect(
      alerts().some((a) => a.kind === 'broker-order-rejected' && /insufficient buying power/.test(a.message)),
    ).toBe(true);
  });

  it('a dropped stream reconnects and resyncs the fills it missed', async () => {
    await gw.connect();
    const o = await gw.submit({ clientOrderId: 'qd-6', symbol: 'AAPL', side: 'buy', qty: 5, type: 'market' });
    fake.dropStream();
    await until(() => fake.streamClients === 0);
    fake.fill(o.brokerOrderId!, 5, 99); // nobody listening: the update is lost
    await until(() => gw.order('qd-6')!.status === 'filled');
    expect(gw.order('qd-6')!.filledQty).toBe(5);
    expect(gw.expectedPositions().get('AAPL')).toBe(5);
    await until(() => gw.lastReconcile?.ok === true && gw.lastReconcile.resynced === 1);
    const kinds = alerts().map((a) => a.kind);
    expect(kinds.filter((k) => k === 'broker-stream').length).toBe(2);
    expect(fake.streamClients).toBe(1);
  });

  it('reconciliation: a position changed at the broker behind our back raises a critical alert with both sides', async () => {
    fake.setPosition('NVDA', 20, 500);
    const first = await gw.connect();
    expect(first.ok).toBe(true); // the starting holdings are the baseline, said in an info alert
    const o = await gw.submit({ clientOrderId: 'qd-7', symbol: 'AAPL', side: 'buy', qty: 5, type: 'market' });
    fake.fill(o.brokerOrderId!, 5, 100);
    await until(() => gw.order('qd-7')!.status === 'filled');
    fake.setPosition('AAPL', 8, 100); // someone bought 3 more elsewhere
    const r = await gw.reconcile();
    expect(r.ok).toBe(false);
    expect(r.mismatches).toEqual([{ kind: 'position', key: 'AAPL', journal: '5', broker: '8' }]);
    expect(r.positions).toEqual([
      { symbol: 'AAPL', journal: 5, broker: 8 },
      { symbol: 'NVDA', journal: 20, broker: 20 },
    ]);
    const crit = alerts().filter((a) => a.kind === 'reconcile-mismatch');
    expect(crit).toHaveLength(1);
    expect(crit[0]).toMatchObject({ severity: 'critical' });
    expect(crit[0].message).toMatch(/AAPL: journal 5 \| broker 8/);
    // Never overwritten: the journal still expects what it journaled.
    expect(gw.expectedPositions().get('AAPL')).toBe(5);
    // Found again by the next periodic pass: still reported, not alerted twice; a new difference is.
    expect((await gw.reconcile()).ok).toBe(false);
    expect(alerts().filter((a) => a.kind === 'reconcile-mismatch')).toHaveLength(1);
    fake.setPosition('NVDA', 0, 0);
    expect((await gw.reconcile()).mismatches).toHaveLength(2);
    expect(alerts().filter((a) => a.kind === 'reconcile-mismatch')).toHaveLength(2);
  });

  it('the kill switch cancels working orders at the broker and refuses new ones without sending them', async () => {
    await gw.connect();
    await gw.submit({ clientOrderId: 'qd-8', symbol: 'AAPL', side: 'buy', qty: 1, type: 'limit', limitPrice: 1 });
    await gw.submit({ clientOrderId: 'qd-9', symbol: 'MSFT', side: 'buy', qty: 1, type: 'limit', limitPrice: 1 });
    expect(await gw.trip('test')).toBe(2);
    expect([...fake.orders.values()].every((o) => o.status === 'canceled')).toBe(true);
    await until(() => gw.orders().every((o) => o.status === 'cancelled'));
    const posts = fake.posts;
    const r = await gw.submit({ clientOrderId: 'qd-10', symbol: 'AAPL', side: 'buy', qty: 1, type: 'market' });
    expect(r.status).toBe('rejected');
    expect(r.reason).toMatch(/kill switch/);
    // Reduce-only is honoured only for an order that closes a position the journal expects: none here.
    const ro = await gw.submit({
      clientOrderId: 'qd-11',
      symbol: 'AAPL',
      side: 'sell',
      qty: 1,
      type: 'market',
      reduceOnly: true,
    });
    expect(ro.status).toBe('rejected');
    expect(fake.posts).toBe(posts);
  });

  it('a periodic reconciliation that cannot reach the broker is a warning, and the next pass recovers', async () => {
    await gw.connect(40);
    for (let i = 0; i < 4; i++) fake.fault('GET /v2/orders', 503);
    await until(() => alerts().some((a) => a.kind === 'broker-reconcile-failed'));
    expect(alerts().find((a) => a.kind === 'broker-reconcile-failed')!.message).toMatch(/server error \(HTTP 503\)/);
    const at = gw.lastReconcile!.at;
    await until(() => gw.lastReconcile!.at > at);
    expect(gw.lastReconcile!.ok).toBe(true);
  });

  it('replace goes through PATCH with a new client order id', async () => {
    const o = await gw.submit({
      clientOrderId: 'qd-11',
      symbol: 'AAPL',
      side: 'buy',
      qty: 2,
      type: 'limit',
      limitPrice: 10,
    });
    const b = (await broker.orderByClientId('qd-11'))!;
    expect(b.id).toBe(o.brokerOrderId);
    const n = await broker.replace(b, { limitPrice: 11 }, 'qd-11-r1');
    expect(n).toMatchObject({ clientOrderId: 'qd-11-r1', limitPrice: 11, status: 'new', qty: 2 });
    expect(fake.orders.get(b.id)!.status).toBe('replaced');
  });
});
