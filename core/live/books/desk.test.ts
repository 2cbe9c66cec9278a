import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskOverview } from '../../model/books';
import { listDeskBooks } from '../../store/books';
import { Journal } from '../../store/journal';
import { openStore, type Store } from '../../store/sqlite-bar-store';
import { smallDefaultDb } from '../testing-dataset';
import type { BookConfig } from './book-config';
import { DeskService } from './desk';
import { connection } from '../../store/internal';

let data: Awaited<ReturnType<typeof smallDefaultDb>>;
beforeAll(async () => {
  data = await smallDefaultDb('qd-desk-');
}, 60_000);
afterAll(() => data?.cleanup());

function book(name: string, strategy: string, symbols: string[], extra: Partial<BookConfig> = {}): BookConfig {
  return {
    name,
    strategy,
    params: strategy === 'sma-cross' ? { fast: 5, slow: 20 } : {},
    symbols,
    feed: 'replay',
    speed: 0,
    from: '2020-01-01',
    to: '2020-12-31',
    capital: 100_000,
    account: 'paper',
    interval: '1m',
    spec: { sizing: { method: 'fixed-qty', qty: 10 } },
    ...extra,
  };
}

async function finished(desk: DeskService, name: string): Promise<void> {
  const b = desk.books().find((x) => x.config.name === name)!;
  await b.feed!.done;
}

function host(): { store: Store; desk: DeskService; pushes: DeskOverview[] } {
  const store = openStore(data.db);
  const pushes: DeskOverview[] = [];
  return { store, desk: new DeskService(store, (o) => pushes.push(o), { pushEveryMs: 5 }), pushes };
}

describe('the desk: books side by side, desk limits, kill switch, flatten, restart', () => {
  it('runs books independently, checks book and desk limits before orders, and comes back the same after a restart', async () => {
    const [a, b, c] = data.symbols;
    const h = host();
    const { desk } = h;
    expect((await desk.start(book('trend', 'sma-cross', [a, b]))).ok).toBe(true);
    expect((await desk.start(book('trend', 'sma-cross', [a]))).ok).toBe(false); // running: conflict
    expect(
      (
        await desk.start(
          book('manual', 'manual', [c], { speed: 2000, risk: { symbols: { '*': { maxPosition: 50 } }, hard: [] } }),
        )
      ).ok,
    ).toBe(true);
    // A ticket order placed before the feed's first bar fills at that bar's open, through the paper broker.
    const buy = desk.submit('manual', { symbol: c, side: 'buy', qty: 20, type: 'market' });
    expect(buy.ok && buy.value.status).toBe('new');
    await finished(desk, 'trend');
    await finished(desk, 'manual');
    const detail = desk.book('manual');
    expect(detail.ok).toBe(true);
    if (!detail.ok) return;
    expect(detail.value.positions.find((p) => p.symbol === c)?.qty).toBe(20);
    expect(detail.value.orders[0].status).toBe('filled');
    const trend = desk.book('trend');
    expect(trend.ok && trend.value.orders.length).toBeGreaterThan(0);
    expect(trend.ok && trend.value.signals.length).toBeGreaterThan(0);

    // The overview aggregates both books: equity is the sum, exposure by book sums to the total.
    const o = desk.overview();
    expect(o.books.map((x) => x.name)).toEqual(['trend', 'manual']);
    expect(o.totals.equity).toBeCloseTo(o.books[0].equity + o.books[1].equity, 6);
    expect(o.byBook.reduce((s, r) => s + r.gross, 0)).toBeCloseTo(o.totals.grossExposure, 6);
    expect(o.bySector.reduce((s, r) => s + r.gross, 0)).toBeCloseTo(o.totals.grossExposure, 6);
    const manual = o.books[1];
    expect(manual.usage.position).toBeCloseTo(20 / 50, 9);
    expect(manual.equity).toBeCloseTo(manual.cash + manual.netExposure, 6);

    // Book limit (soft): rejected with the book's reason, nothing tripped.
    const check = desk.check('manual', { symbol: c, side: 'buy', qty: 40, type: 'market' });
    expect(check.ok && check.value.checks.map((x) => [x.layer, x.ok])).toEqual([
      ['kill-switch', true],
      ['book', false],
      ['desk', true],
    ]);
    const tooBig = desk.submit('manual', { symbol: c, side: 'buy', qty: 40, type: 'market' });
    expect(tooBig.ok && tooBig.value.status).toBe('rejected');
    expect(tooBig.ok && tooBig.value.reason).toMatch(/limit ±50/);

    // A limit order works; replace changes its price (cancel + new), cancel ends it.
    const last = detail.value.positions.find((p) => p.symbol === c)!.last;
    const lim = desk.submit('manual', { symbol: c, side: 'buy', qty: 5, type: 'limit', price: last * 0.9 });
    expect(lim.ok && lim.value.status).toBe('new');
    const rep = desk.replace('manual', lim.ok ? lim.value.id : '', { price: last * 0.8 });
    expect(rep.ok && rep.value.limitPrice).toBeCloseTo(last * 0.8, 9);
    expect(desk.cancel('manual', rep.ok ? rep.value.id : '').ok).toBe(true);

    // Desk limit (hard): an order that takes the desk's gross exposure over the limit is refused, and the
    // desk kill switch then halts every book.
    const gross = desk.overview().totals.grossExposure;
    desk.setDeskLimits({ maxGrossExposure: gross + last * 2 });
    const deskCheck = desk.check('manual', { symbol: c, side: 'buy', qty: 5, type: 'market' });
    expect(deskCheck.ok && deskCheck.value.checks[2].ok).toBe(false);
    const refused = desk.submit('manual', { symbol: c, side: 'buy', qty: 5, type: 'market' });
    expect(refused.ok && refused.value.reason).toMatch(/^desk: gross exposure would be/);
    await new Promise((r) => setTimeout(r, 0));
    const tripped = desk.overview();
    expect(tripped.killSwitch.tripped).toBe(true);
    expect(tripped.books.every((x) => x.killSwitch.tripped)).toBe(true);
    // The desk kill switch stops every book, not only its trading: no feed left, each recorded stopped.
    await new Promise((r) => setTimeout(r, 50));
    expect(desk.books().map((x) => x.feed)).toEqual([null, null]);
    expect(tripped.books.length).toBe(2);
    expect(desk.overview().books.map((x) => x.status)).toEqual(['stopped', 'stopped']);
    expect(listDeskBooks(h.store).map((r) => r.state)).toEqual(['stopped', 'stopped']);
    const trip = await desk.trip('again');
    expect(trip.books.every((x) => x.ordersCancelled === 0 && !x.feedStopped)).toBe(true);
    expect(trip.openPositions).toBe(tripped.books.reduce((n, x) => n + x.openPositions, 0));

    // Flatten a book: reduce-only closing orders, accepted with the kill switch tripped.
    const flat = desk.flatten('manual', 'test');
    expect(flat.ok && flat.value.books).toEqual([
      { book: 'manual', running: false, ordersCancelled: 0, ordersSubmitted: 1, feedStopped: false, broker: null },
    ]);
    const before = desk.overview();
    const orders = desk.book('manual');
    await desk.dispose();
    h.store.close();

    // Restart: the same books, figures, orders and kill switches, from the store and the journal.
    const h2 = host();
    try {
      const after = h2.desk.overview();
      expect(after.books.map((x) => [x.name, x.status, x.killSwitch.tripped])).toEqual([
        ['trend', 'stopped', true],
        ['manual', 'stopped', true],
      ]);
      for (let i = 0; i < 2; i++) {
        expect(after.books[i].equity).toBeCloseTo(before.books[i].equity, 6);
        expect(after.books[i].grossExposure).toBeCloseTo(before.books[i].grossExposure, 6);
        expect(after.books[i].workingOrders).toBe(before.books[i].workingOrders);
      }
      expect(after.killSwitch.tripped).toBe(true);
      expect(after.limits).toEqual({ maxGrossExposure: gross + last * 2 });
      const o2 = h2.desk.book('manual');
      expect(o2.ok && o2.value.orders.map((x) => [x.id, x.status])).toEqual(
        orders.ok && orders.value.orders.map((x) => [x.id, x.status]),
      );
      expect(listDeskBooks(h2.store).map((r) => r.state)).toEqual(['stopped', 'stopped']);
      // Each book is journaled under its own session.
      const sessions = new Journal(h2.store).listSessions().map((s) => s.session);
      expect(sessions).toEqual(expect.arrayContaining(['desk:trend', 'desk:manual']));
      // Re-arm, restart the manual book on a longer range: the flatten order fills at its next bar.
      h2.desk.rearm();
      expect((await h2.desk.start(book('manual', 'manual', [c], { to: '2021-03-31' }))).ok).toBe(true);
      await finished(h2.desk, 'manual');
      const end = h2.desk.book('manual');
      expect(end.ok && end.value.positions.find((p) => p.symbol === c)?.qty).toBe(0);
    } finally {
      await h2.desk.dispose();
      h2.store.close();
    }
  }, 60_000);

  it('the desk kill switch stops running books: their feeds end, each book is journaled stopped and says so', async () => {
    const [a] = data.symbols;
    const h = host();
    try {
      // Stopping a finished book keeps what the overview showed: its equity and day PnL at the last marks.
      expect((await h.desk.start(book('fin', 'sma-cross', [a]))).ok).toBe(true);
      await finished(h.desk, 'fin');
      const row = () => h.desk.overview().books.find((x) => x.name === 'fin')!;
      const shown = row();
      await h.desk.stop('fin');
      expect([row().status, row().equity, row().dayPnl]).toEqual(['stopped', shown.equity, shown.dayPnl]);
      expect((await h.desk.start(book('slow', 'sma-cross', [a], { speed: 40 }))).ok).toBe(true);
      const b = h.desk.books().find((x) => x.config.name === 'slow')!;
      await new Promise((r) => setTimeout(r, 150));
      const report = await h.desk.trip('operator');
      // Books already stopped (from the test above, same store) are halted too, with no feed to stop.
      expect(report.books.find((x) => x.book === 'slow')).toEqual({
        book: 'slow',
        running: false,
        ordersCancelled: 0,
        ordersSubmitted: 0,
        feedStopped: true,
        broker: null,
      });
      expect(report.books.filter((x) => x.feedStopped).map((x) => x.book)).toEqual(['slow']);
      expect(b.feed).toBeNull();
      const at = new Journal(h.store).getState<number>('desk:slow', 'lastTime');
      await new Promise((r) => setTimeout(r, 150));
      // No bar after the kill: the replay is stopped, not merely refused orders.
      expect(new Journal(h.store).getState<number>('desk:slow', 'lastTime')).toBe(at);
      expect(h.desk.overview().books.find((x) => x.name === 'slow')).toMatchObject({
        status: 'stopped',
        killSwitch: { tripped: true },
      });
      const alerts = new Journal(h.store).loadAlerts('desk:slow', 10, 'other');
      expect(alerts.some((x) => x.kind === 'kill-switch' && /feed stopped/.test(x.message))).toBe(true);
      expect(listDeskBooks(h.store).find((r) => r.name === 'slow')?.state).toBe('stopped');
      h.desk.rearm();
    } finally {
      await h.desk.dispose();
      h.store.close();
    }
  });

  it('refuses a book whose spec is wrong, naming the field', async () => {
    const h = host();
    try {
      const r = await h.desk.start(book('bad', 'no-such-strategy', ['X']));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toMatch(/strategy/);
      const r2 = await h.desk.start(book('bad', 'manual', ['NOPE']));
      expect(!r2.ok && r2.error.message).toMatch(/symbols/);
    } finally {
      h.store.close();
    }
  });
});
