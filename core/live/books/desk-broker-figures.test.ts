import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeskBooks } from '../../store/books';
import { brokerOrdersOf } from '../../store/broker-orders';
import { Journal } from '../../store/journal';
import { openStore } from '../../store/sqlite-bar-store';
import { FakeAlpaca } from '../brokers/fake-alpaca';
import { smallDefaultDb } from '../testing-dataset';
import type { BookConfig } from './book-config';
import { DeskService } from './desk';

let data: Awaited<ReturnType<typeof smallDefaultDb>>;
let fake: FakeAlpaca;
beforeAll(async () => {
  data = await smallDefaultDb('qd-desk-broker-figures-');
  fake = new FakeAlpaca('fig-key', 'fig-secret');
  await fake.start();
}, 60_000);
afterAll(async () => {
  await fake?.stop();
  data?.cleanup();
});

const KEYS = { APCA_API_KEY_ID: 'fig-key', APCA_API_SECRET_KEY: 'fig-secret' };

const until = async (what: string, cond: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

function book(symbol: string, extra: Partial<BookConfig> = {}): BookConfig {
  return {
    name: 'fig',
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

/** What the fake broker's statement says: cash, equity, positions. */
function statement() {
  let mv = 0;
  for (const p of fake.positions.values()) mv += p.qty * p.last;
  return {
    cash: fake.cash,
    equity: fake.cash + mv,
    gross: [...fake.positions.values()].reduce((a, p) => a + Math.abs(p.qty * p.last), 0),
  };
}

describe('a broker book’s figures are its broker’s', () => {
  it('overview and drill-down equal the broker’s statement (a trade behind the book’s back included); limits judge the broker’s position', async () => {
    const [sym, other] = data.symbols;
    const store = openStore(data.db);
    const desk = new DeskService(store, () => undefined, { pushEveryMs: 5, credentials: () => KEYS });
    try {
      fake.autoFillPrice = 101.5;
      const r = await desk.start(book(sym, { speed: 200, risk: { symbols: { '*': { maxPosition: 30 } } } as never }));
      expect(r.ok, !r.ok ? r.error.message : '').toBe(true);
      expect(desk.submit('fig', { symbol: sym, side: 'buy', qty: 20, type: 'market' }).ok).toBe(true);
      await desk.books()[0].feed!.done;
      await until('the broker fill', () => brokerOrdersOf(store, 'desk:fig')[0]?.status === 'filled');
      await desk.reconcile('fig');
      // The paper model filled at the replay's price (not 101.5): the book's figures must still be the broker's.
      let v = desk.overview().books[0];
      let s = statement();
      expect([v.cash, v.equity, v.grossExposure, v.netExposure, v.openPositions]).toEqual([
        s.cash,
        s.equity,
        s.gross,
        s.gross,
        1,
      ]);
      expect(desk.overview().totals.equity).toBe(s.equity);
      expect(s.cash).toBe(100_000 - 20 * 101.5);

      // Behind the book's back: 5 more bought at the broker, and another symbol; the price moves.
      fake.setPosition(sym, 25, 101.5, 104);
      fake.setPosition(other, -3, 50, 52);
      fake.cash -= 5 * 101.5 - 3 * 50;
      await desk.reconcile('fig');
      v = desk.overview().books[0];
      s = statement();
      expect([v.cash, v.equity, v.grossExposure, v.netExposure, v.openPositions]).toEqual([
        s.cash,
        s.equity,
        25 * 104 + 3 * 52,
        25 * 104 - 3 * 52,
        2,
      ]);
      expect(v.usage.position).toBeCloseTo(25 / 30);
      const d = desk.book('fig');
      expect(d.ok && d.value.positions.map((p) => [p.symbol, p.qty, p.last, p.marketValue, p.bookQty])).toEqual([
        [sym, 25, 104, 2600, 20],
        [other, -3, 52, -156, 0],
      ]);
      const sectors = desk.overview().bySector.reduce((a, x) => a + x.gross, 0);
      expect(sectors).toBe(s.gross);

      // The book limit is judged on the broker's 25, not the journal's 20: +10 would be 35 > 30 (20 + 10 would pass).
      const pre = desk.check('fig', { symbol: sym, side: 'buy', qty: 10, type: 'market' });
      expect(pre.ok && [pre.value.positionBefore, pre.value.checks.find((c) => c.layer === 'book')!.ok]).toEqual([
        25,
        false,
      ]);
      const o = desk.submit('fig', { symbol: sym, side: 'buy', qty: 10, type: 'market' });
      expect(o.ok && o.value.status).toBe('rejected');
      expect(o.ok && o.value.reason).toMatch(/position would be 35, limit ±30/);
      // A book's maxPosition is hard by default: judged on the broker's position, it trips the book's kill switch.
      expect(desk.overview().books[0].killSwitch).toMatchObject({ tripped: true, reason: expect.stringMatching(/35/) });
      const before = desk.overview().books[0];
      await desk.stop('fig');
      const again = new DeskService(store, () => undefined, { credentials: () => KEYS });
      const after = again.overview().books[0];
      expect([after.cash, after.equity, after.grossExposure]).toEqual([
        before.cash,
        before.equity,
        before.grossExposure,
      ]);
      expect(after.equity).toBe(statement().equity);
      await again.dispose();
    } finally {
      await desk.dispose();
      store.close();
    }
  }, 30_000);

  it('a real-money book starts only armed with the phrase naming the broker’s account id, journaled', async () => {
    const [sym] = data.symbols;
    const store = openStore(data.db);
    const desk = new DeskService(store, () => undefined, { pushEveryMs: 5, credentials: () => KEYS });
    try {
      const live = { broker: 'alpaca' as const, baseUrl: fake.url, live: true };
      const none = await desk.start(book(sym, { name: 'real', account: live }));
      expect(!none.ok && none.error.code).toBe('invalid-input');
      expect(!none.ok && none.error.message).toMatch(/type "LIVE PA0000FAKE"/);
      const wrong = await desk.start(book(sym, { name: 'real', account: live, confirm: 'LIVE OTHER' }));
      expect(!wrong.ok && wrong.error.message).toMatch(/LIVE PA0000FAKE/);
      expect(listDeskBooks(store).some((b) => b.name === 'real')).toBe(false);

      const armed = await desk.start(book(sym, { name: 'real', account: live, confirm: 'LIVE PA0000FAKE' }));
      expect(armed.ok, !armed.ok ? armed.error.message : '').toBe(true);
      const v = desk.overview().books.find((b) => b.name === 'real')!;
      expect(v.broker).toMatchObject({ mode: 'live', accountId: 'PA0000FAKE', connected: true });
      const alerts = new Journal(store).loadAlerts('desk:real', 50);
      expect(alerts.filter((a) => a.kind === 'broker-armed').map((a) => a.message)).toEqual([
        expect.stringMatching(/REAL money: alpaca account PA0000FAKE/),
      ]);
      // The phrase is not stored: a resume must arm again.
      expect(JSON.stringify(listDeskBooks(store))).not.toContain('LIVE PA0000FAKE');
      await desk.stop('real');
      const resumed = await desk.resume('real');
      expect(!resumed.ok && resumed.error.message).toMatch(/LIVE PA0000FAKE/);
      expect((await desk.resume('real', undefined, 'LIVE PA0000FAKE')).ok).toBe(true);
    } finally {
      await desk.dispose();
      store.close();
    }
  }, 30_000);
});
