import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeskBookInput } from '../../contract/desk';
import { listDeskBooks } from '../../store/books';
import { brokerOrdersOf } from '../../store/broker-orders';
import { openStore } from '../../store/sqlite-bar-store';
import { FakeAlpaca } from '../brokers/fake-alpaca';
import { smallDefaultDb } from '../testing-dataset';
import type { BookConfig } from './book-config';
import { DeskService } from './desk';

let data: Awaited<ReturnType<typeof smallDefaultDb>>;
let fake: FakeAlpaca;
beforeAll(async () => {
  data = await smallDefaultDb('qd-desk-broker-');
  fake = new FakeAlpaca('book-key-id', 'book-secret-xyz');
  await fake.start();
}, 60_000);
afterAll(async () => {
  await fake?.stop();
  data?.cleanup();
});

const KEYS = { APCA_API_KEY_ID: 'book-key-id', APCA_API_SECRET_KEY: 'book-secret-xyz' };

const until = async (what: string, cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

function book(symbol: string, extra: Partial<BookConfig> = {}): BookConfig {
  return {
    name: 'alpaca-book',
    strategy: 'manual',
    params: {},
    symbols: [symbol],
    feed: 'replay',
    speed: 0,
    from: '2020-01-01',
    to: '2020-03-31',
    capital: 100_000,
    account: { broker: 'alpaca', baseUrl: fake.url },
    interval: '1m',
    ...extra,
  };
}

describe('a desk book trading a broker account (the local Alpaca test server)', () => {
  it('the contract takes paper or a broker account, and refuses a real-money one with what it accepts', () => {
    const base = { name: 'b', strategy: 'manual' };
    expect(DeskBookInput.parse(base).account).toBe('paper');
    expect(DeskBookInput.parse({ ...base, account: { broker: 'kis', account: '50000000-01' } }).account).toEqual({
      broker: 'kis',
      account: '50000000-01',
    });
    const live = DeskBookInput.parse({ ...base, account: { broker: 'alpaca', live: true }, confirm: 'LIVE X' });
    expect([live.account, live.confirm]).toEqual([{ broker: 'alpaca', live: true }, 'LIVE X']);
    const bad = DeskBookInput.safeParse({ ...base, account: { broker: 'alpaca', key: 'k' } });
    expect(!bad.success && bad.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['account', 'Unrecognized key: "key"'],
    ]);
    expect(DeskBookInput.safeParse({ ...base, symbols: ['A'], universe: 'U' }).success).toBe(false);
  });

  it('routes the book’s orders to the account, and the overview shows the broker’s fills and positions reconciled', async () => {
    const [sym] = data.symbols;
    const store = openStore(data.db);
    const pushed: string[] = [];
    let env: NodeJS.ProcessEnv = {};
    const desk = new DeskService(store, (o) => pushed.push(JSON.stringify(o)), {
      pushEveryMs: 5,
      credentials: () => env,
    });
    try {
      // No keys: refused naming the variables to set, nothing stored.
      const none = await desk.start(book(sym));
      expect(!none.ok && none.error.code).toBe('invalid-input');
      expect(!none.ok && none.error.message).toMatch(/APCA_API_KEY_ID and APCA_API_SECRET_KEY/);
      expect(listDeskBooks(store)).toEqual([]);

      env = KEYS;
      fake.autoFillPrice = 101.5;
      const started = await desk.start(book(sym, { speed: 200 }));
      expect(started.ok, !started.ok ? started.error.message : '').toBe(true);
      const v0 = desk.overview().books[0].broker!;
      expect(v0).toMatchObject({ name: 'alpaca', accountId: 'PA0000FAKE', mode: 'paper', connected: true });
      expect(v0.reconciled).toBe(true);

      // A ticket order goes through the book's checks, is journaled, routed once, filled at the broker (and in the
      // book's own model at the replay's next bar).
      const buy = desk.submit('alpaca-book', { symbol: sym, side: 'buy', qty: 20, type: 'market' });
      expect(buy.ok).toBe(true);
      await desk.books()[0].feed!.done;
      await until('the broker fill', () => brokerOrdersOf(store, 'desk:alpaca-book')[0]?.status === 'filled');
      expect(fake.posts).toBe(1);
      expect(fake.positions.get(sym)?.qty).toBe(20);
      await until('the reconciliation', () => {
        const b = desk.overview().books[0].broker!;
        return b.reconciled === true && b.reconciledAt !== v0.reconciledAt;
      });
      const r = await desk.reconcile('alpaca-book');
      expect(r.ok && r.value.books[0].broker).toMatchObject({ reconciled: true, mismatches: 0 });
      const detail = desk.book('alpaca-book');
      expect(detail.ok && detail.value.positions.map((p) => [p.symbol, p.qty, p.brokerQty])).toEqual([[sym, 20, 20]]);
      expect(detail.ok && detail.value.view.broker!.equity).toBeGreaterThan(0);

      // A trade made at the broker behind the book's back: the reconciliation says the journal and broker differ.
      fake.setPosition(sym, 25, 101.5);
      const off = await desk.reconcile('alpaca-book');
      expect(off.ok && off.value.books[0].broker).toMatchObject({ reconciled: false, mismatches: 1 });
      fake.setPosition(sym, 20, 101.5);

      // A working limit order, then the desk kill switch: cancelled at the broker too.
      const lim = desk.submit('alpaca-book', { symbol: sym, side: 'buy', qty: 5, type: 'limit', price: 1 });
      expect(lim.ok && lim.value.status).toBe('new');
      await until('the limit order at the broker', () => fake.posts === 2);
      await desk.trip('test');
      await until('the broker cancel', () => [...fake.orders.values()].every((o) => o.status !== 'new'));

      // Flatten (reduce-only, accepted with the kill switch tripped): the broker position goes to zero.
      expect(desk.flatten('alpaca-book', 'flatten test').ok).toBe(true);
      await until('the broker flat', () => !fake.positions.has(sym));
      await desk.stop('alpaca-book');
      expect(desk.overview().books[0].broker!.connected).toBe(false);

      // Keys never leave the host: not in what was pushed, not in the stored book.
      const stored = JSON.stringify(listDeskBooks(store));
      for (const text of [...pushed, stored]) expect(text).not.toMatch(/book-secret-xyz|book-key-id/);
      expect(stored).toContain(fake.url);
    } finally {
      await desk.dispose();
      store.close();
    }
  }, 30_000);
});
