import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, Events, LiveHistory, LiveOrder, LivePosition, LiveStatus } from '../contract';
import { FakeAlpaca } from '../live/brokers/fake-alpaca';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch, type Handlers } from './registry';
import { createServices, disposeServices, type Services } from './services';

const ctx = { signal: new AbortController().signal };
let store: Store;
let services: Services;
let handlers: Handlers;
let fake: FakeAlpaca;
const events: { channel: EventChannel; payload: unknown }[] = [];
const creds: Record<string, string> = { APCA_API_KEY_ID: 'test-key', APCA_API_SECRET_KEY: 'test-secret' };

beforeAll(async () => {
  fake = new FakeAlpaca();
  await fake.start();
  store = openStore(':memory:');
  const goog = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
  await importCsv(store, 'bars', {
    fileName: 'b.csv',
    content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
  });
  services = createServices({
    store,
    dbPath: ':memory:',
    host: 'serve',
    credentials: { get: () => creds },
    emit: <E extends EventChannel>(channel: E, payload: Events[E]) => void events.push({ channel, payload }),
  });
  handlers = createHandlers(services);
});
afterAll(async () => {
  await disposeServices(services);
  store.close();
  await fake.stop();
});

async function call<T>(channel: string, input?: unknown): Promise<T> {
  const r = await dispatch(handlers, channel, input, ctx);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("the session's account, positions and orders with a broker connected", () => {
  it("are the broker's after a fill at the broker, labelled with broker and account, and the paper session's again after disconnect", async () => {
    // A held position the paper session does not have: the view must come from the broker, not the journal.
    fake.setPosition('MSFT', 2, 300, 310);
    await call('live:start', {
      spec: { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'], capital: 10_000 },
      feed: 'replay',
      speed: 1,
      session: 'v1',
    });
    const paper = await call<LiveStatus>('live:status');
    expect(paper.source).toBeNull();
    expect(paper.account?.equity).toBe(10_000);
    expect((await call<LivePosition[]>('positions:list')).some((p) => p.symbol === 'MSFT')).toBe(false);

    fake.autoFillPrice = 101.5;
    await call('broker:connect', { broker: 'alpaca', baseUrl: fake.url });
    const connected = await call<LiveStatus>('live:status');
    expect(connected.source).toMatchObject({ broker: 'alpaca', mode: 'paper', accountId: 'PA0000FAKE' });
    expect(connected.account).toMatchObject({ cash: 100_000, equity: 100_000 + 2 * 310, buyingPower: 200_000 });

    const order = await call<LiveOrder>('orders:submit', { symbol: 'GOOG', side: 'buy', qty: 5, type: 'market' });
    const positions = await until(
      () => call<LivePosition[]>('positions:list'),
      (ps) => ps.some((p) => p.symbol === 'GOOG'),
    );
    expect(positions.find((p) => p.symbol === 'GOOG')).toMatchObject({
      qty: 5,
      avgCost: 101.5,
      last: 101.5,
      unrealized: 0,
    });
    expect(positions.find((p) => p.symbol === 'MSFT')).toMatchObject({
      qty: 2,
      avgCost: 300,
      last: 310,
      unrealized: 20,
    });

    // What the Live view follows is pushed the same way: positions on each update, the broker's account in every tick.
    const pushed = events.filter((e) => e.channel === 'positions:changed').map((e) => e.payload as LivePosition[]);
    expect(pushed.some((ps) => ps.some((p) => p.symbol === 'GOOG' && p.qty === 5 && p.avgCost === 101.5))).toBe(true);
    const ticksFrom = events.length;
    await until(
      async () => events.slice(ticksFrom).some((e) => e.channel === 'live:ticked'),
      (x) => x,
      4000,
    );
    const tick = events.slice(ticksFrom).find((e) => e.channel === 'live:ticked')?.payload as
      Events['live:ticked'] | undefined;
    expect(tick?.account.buyingPower).toBe(fake.cash * 2);
    // The history a late-opened view reads holds the equity that went out: the broker's, not the paper model's.
    const hist = await call<LiveHistory>('live:history');
    expect(hist.session).toBe('v1');
    const pushedEquity = events
      .filter((e) => e.channel === 'live:ticked')
      .map((e) => (e.payload as Events['live:ticked']).account.equity);
    expect(pushedEquity).toContain(hist.equity.value.at(-1));
    // The paper session's capital is 10,000; the broker's account about 100,000.
    expect(hist.equity.value.at(-1)).toBeGreaterThan(50_000);

    const st = await call<LiveStatus>('live:status');
    expect(st.account).toMatchObject({
      cash: fake.cash,
      equity: fake.cash + 5 * 101.5 + 2 * 310,
      buyingPower: fake.cash * 2,
    });
    expect(st.account?.cash).toBeLessThan(100_000);

    // The routed order shows with the status and filled quantity journaled from the broker's stream.
    const orders = await until(
      () => call<LiveOrder[]>('orders:list'),
      (os) => os.some((o) => o.status === 'filled'),
    );
    const routed = orders.find((o) => o.id.endsWith(`-${order.id}`));
    expect(routed).toMatchObject({
      symbol: 'GOOG',
      side: 'buy',
      qty: 5,
      status: 'filled',
      filledQty: 5,
      session: 'v1',
    });

    const beforeDisconnect = events.length;
    await call('broker:disconnect');
    const after = events
      .slice(beforeDisconnect)
      .filter((e) => e.channel === 'positions:changed')
      .pop()?.payload as LivePosition[] | undefined;
    expect(after?.some((p) => p.symbol === 'MSFT')).toBe(false);
    const back = await call<LiveStatus>('live:status');
    expect(back.source).toBeNull();
    expect(back.account?.equity).toBeLessThan(20_000);
    expect((await call<LivePosition[]>('positions:list')).some((p) => p.symbol === 'MSFT')).toBe(false);
    expect((await call<LiveOrder[]>('orders:list')).some((o) => o.id === order.id)).toBe(true);
    await call('live:stop');
  });
});
