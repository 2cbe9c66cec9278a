import { createCipheriv } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/sqlite-bar-store';
import { FakeKis } from './fake-kis';
import { OrderGateway } from './gateway';
import { KisBroker, kisDecrypt, kisFromEnv } from './kis';
import { BrokerError, type BrokerQuote } from './types';
import { connection } from '../../store/internal';

let fake: FakeKis;
let store: Store;
let kis: KisBroker;
let gw: OrderGateway;

const until = async (cond: () => boolean, ms = 3_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
};
const make = () =>
  new KisBroker({
    appKey: 'kis-key',
    appSecret: 'kis-secret',
    account: '50000000-01',
    htsId: 'htsuser',
    baseUrl: fake.url,
    timeoutMs: 1_000,
    ratePerSec: 200,
    retries: 3,
    backoffMs: 5,
  });

beforeEach(async () => {
  fake = new FakeKis();
  await fake.start();
  store = openStore(':memory:');
  kis = make();
  gw = new OrderGateway({ store: store, session: 'k1', broker: kis, attempts: 3, backoffMs: 5 });
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

describe('KIS adapter against the fake', () => {
  it('decrypts an AES-256-CBC payload with the key and iv given as text', () => {
    const key = 'k'.repeat(32);
    const iv = 'i'.repeat(16);
    const c = createCipheriv('aes-256-cbc', Buffer.from(key), Buffer.from(iv));
    const enc = Buffer.concat([c.update('a^b^체결'), c.final()]).toString('base64');
    expect(kisDecrypt(key, iv, enc)).toBe('a^b^체결');
  });

  it('balance: cash, equity and positions from inquire-balance; virtual orders use VTTC tr_ids and a hashkey', async () => {
    fake.setHolding('005930', 10, 70_000, 72_000);
    expect(await kis.positions()).toEqual([
      { symbol: '005930', qty: 10, avgCost: 70_000, last: 72_000, unrealized: 20_000 },
    ]);
    expect(await kis.account()).toMatchObject({
      id: '50000000-01',
      currency: 'KRW',
      cash: 10_000_000,
      equity: 10_720_000,
      mode: 'paper',
    });
    await kis.submit({ clientOrderId: 'c1', symbol: '005930', side: 'buy', qty: 1, type: 'limit', limitPrice: 71_000 });
    await kis.submit({ clientOrderId: 'c2', symbol: '005930', side: 'sell', qty: 1, type: 'market' });
    expect(fake.orderHeaders.map((h) => h.trId)).toEqual(['VTTC0802U', 'VTTC0801U']);
    expect(fake.orderHeaders.every((h) => h.hashkey?.startsWith('h'))).toBe(true);
    expect(fake.tokensIssued).toBe(1);
  });

  it('inquire-balance pages through tr_cont M/F with the CTX_AREA keys, and stops at D', async () => {
    fake.balancePageSize = 2;
    for (let i = 0; i < 5; i++) fake.setHolding(`00000${i}`, i + 1, 1_000);
    expect((await kis.positions()).map((p) => p.symbol)).toEqual(['000000', '000001', '000002', '000003', '000004']);
  });

  it('an expired token (EGW00123) is refreshed once and the call goes through', async () => {
    await kis.positions();
    fake.expireToken();
    await kis.positions();
    expect(fake.tokensIssued).toBe(2);
  });

  it('EGW00201 (over the rate limit) waits and retries; a bad key is a clear message', async () => {
    fake.fault('/uapi/domestic-stock/v1/trading/inquire-balance', 'EGW00201');
    fake.fault('/uapi/domestic-stock/v1/trading/inquire-balance', 'EGW00201');
    await expect(kis.positions()).resolves.toEqual([]);
    const bad = new KisBroker({
      appKey: 'wrong',
      appSecret: 'very-secret',
      account: '50000000-01',
      baseUrl: fake.url,
      timeoutMs: 150,
    });
    const e = await bad.account().catch((x) => x);
    expect(e).toBeInstanceOf(BrokerError);
    expect(e.message).toMatch(/KIS_APP_KEY/);
    expect(e.message).not.toMatch(/very-secret/);
  });

  it('a refused order maps the KIS message', async () => {
    const e = await kis
      .submit({ clientOrderId: 'c3', symbol: '005930', side: 'buy', qty: 1000, type: 'limit', limitPrice: 70_000 })
      .catch((x) => x);
    expect(e.message).toMatch(/40250000: 모의투자 주문가능금액/);
    await expect(
      kis.submit({ clientOrderId: 'c4', symbol: '005930', side: 'buy', qty: 1.5, type: 'market' }),
    ).rejects.toThrow(/whole shares/);
  });

  it('env: keys from KIS_APP_KEY / KIS_APP_SECRET / KIS_ACCOUNT; virtual unless live', () => {
    expect(() => kisFromEnv({})).toThrow(/KIS_APP_KEY, KIS_APP_SECRET and KIS_ACCOUNT/);
    expect(kisFromEnv({ KIS_APP_KEY: 'a', KIS_APP_SECRET: 'b', KIS_ACCOUNT: '12345678-01' })).toMatchObject({
      env: 'virtual',
      account: '12345678-01',
    });
  });
});

describe('order gateway on KIS', () => {
  it('execution notices (encrypted) journal partial fills and fills once, despite duplicates and reordering', async () => {
    await gw.connect();
    const o = await gw.submit({
      clientOrderId: 'k-1',
      symbol: '005930',
      side: 'buy',
      qty: 10,
      type: 'limit',
      limitPrice: 70_000,
    });
    expect(o.status).toBe('new');
    fake.fill(o.brokerOrderId!, 3, 70_000);
    fake.repeatLast();
    fake.fill(o.brokerOrderId!, 7, 69_900);
    fake.replayOld(2);
    await until(() => gw.order('k-1')!.status === 'filled');
    await new Promise((r) => setTimeout(r, 30));
    expect(gw.order('k-1')).toMatchObject({ filledQty: 10, status: 'filled' });
    expect(connection(store).prepare(`SELECT count(*) FROM broker_fills`).pluck().get()).toBe(2);
    expect((await gw.reconcile()).ok).toBe(true);
    expect(alerts().filter((a) => a.kind === 'broker-foreign-order')).toEqual([]);
  });

  it('an order accepted but unanswered is matched in the daily orders, not sent twice', async () => {
    await gw.connect();
    fake.fault('/uapi/domestic-stock/v1/trading/order-cash', 'accept-then-timeout');
    const o = await gw.submit({
      clientOrderId: 'k-2',
      symbol: '000660',
      side: 'buy',
      qty: 2,
      type: 'limit',
      limitPrice: 100_000,
    });
    expect(o.status).toBe('new');
    expect(fake.posts).toBe(1);
    expect(o.brokerOrderId).toBe([...fake.orders.keys()][0]);
  });

  it('a reject notice is journaled and alerted; a dropped stream resubscribes and resyncs the fill it missed', async () => {
    await gw.connect();
    const a = await gw.submit({
      clientOrderId: 'k-3',
      symbol: '005930',
      side: 'buy',
      qty: 1,
      type: 'limit',
      limitPrice: 70_000,
    });
    fake.reject(a.brokerOrderId!);
    await until(() => gw.order('k-3')!.status === 'rejected');
    expect(alerts().some((x) => x.kind === 'broker-order-rejected')).toBe(true);
    const b = await gw.submit({
      clientOrderId: 'k-4',
      symbol: '005930',
      side: 'buy',
      qty: 4,
      type: 'limit',
      limitPrice: 70_000,
    });
    // The first reconnect's approval-key request fails too: the adapter keeps trying.
    fake.fault('/oauth2/Approval', 500);
    fake.dropStream();
    await until(() => fake.streamClients === 0);
    fake.fill(b.brokerOrderId!, 4, 70_000);
    await until(() => gw.order('k-4')!.status === 'filled');
    expect(gw.expectedPositions().get('005930')).toBe(4);
    await until(() => fake.streamClients === 1);
  });

  it('reconciliation flags a holding changed behind our back; the kill switch cancels at KIS', async () => {
    await gw.connect();
    const o = await gw.submit({
      clientOrderId: 'k-5',
      symbol: '005930',
      side: 'buy',
      qty: 2,
      type: 'limit',
      limitPrice: 70_000,
    });
    fake.fill(o.brokerOrderId!, 2, 70_000);
    await until(() => gw.order('k-5')!.status === 'filled');
    fake.setHolding('005930', 1, 70_000);
    const r = await gw.reconcile();
    expect(r.mismatches).toEqual([{ kind: 'position', key: '005930', journal: '2', broker: '1' }]);
    await gw.submit({ clientOrderId: 'k-6', symbol: '000660', side: 'buy', qty: 1, type: 'limit', limitPrice: 1 });
    expect(await gw.trip('test')).toBe(1);
    expect([...fake.orders.values()].find((x) => x.pdno === '000660')!.cancelled).toBe(true);
    await until(() => gw.order('k-6')!.status === 'cancelled');
  });

  it('after a restart (a new adapter knows no order numbers), working orders are recognised by number, not flagged', async () => {
    await gw.connect();
    const o = await gw.submit({
      clientOrderId: 'k-7',
      symbol: '005930',
      side: 'buy',
      qty: 3,
      type: 'limit',
      limitPrice: 60_000,
    });
    await gw.close();
    const again = new OrderGateway({ store: store, session: 'k1', broker: make(), backoffMs: 5 });
    const r = await again.connect();
    expect(r.mismatches).toEqual([]);
    fake.fill(o.brokerOrderId!, 1, 60_000);
    fake.fill(o.brokerOrderId!, 2, 60_000);
    await until(() => again.order('k-7')!.status === 'filled');
    expect(again.order('k-7')!.filledQty).toBe(3);
    await again.close();
  });

  it('H0STCNT0 quotes reach the listener', async () => {
    const quotes: BrokerQuote[] = [];
    await kis.subscribe({ update: () => undefined, state: () => undefined, quote: (q) => quotes.push(q) }, ['005930']);
    fake.quote('005930', 71_200, 15);
    await until(() => quotes.length === 1);
    expect(quotes[0]).toMatchObject({ symbol: '005930', price: 71_200, size: 15 });
    await kis.close();
  });
});
