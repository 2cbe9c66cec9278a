import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDate } from '../../model/time';
import { connection } from '../../store/internal';
import { openStore } from '../../store/sqlite-bar-store';
import { smallDefaultDb } from '../testing-dataset';
import type { BookConfig } from './book-config';
import { DeskService } from './desk';

let data: Awaited<ReturnType<typeof smallDefaultDb>>;
beforeAll(async () => {
  data = await smallDefaultDb('qd-desk-universe-');
}, 60_000);
afterAll(() => data?.cleanup());

const JOIN = parseDate('2020-07-01')!;
const LEAVE = parseDate('2020-04-01')!;

function book(name: string, extra: Partial<BookConfig>): BookConfig {
  return {
    name,
    strategy: 'sma-cross',
    params: { fast: 3, slow: 8 },
    feed: 'replay',
    speed: 0,
    from: '2020-01-01',
    to: '2020-12-31',
    capital: 1_000_000,
    account: 'paper',
    interval: '1m',
    spec: { sizing: { method: 'fixed-qty', qty: 10 } },
    ...extra,
  };
}

describe('a desk book on a named point-in-time universe', () => {
  it('trades each member only on the days it is a member as known that day, and names an unknown universe', async () => {
    const [a, b, c] = data.symbols;
    const store = openStore(data.db);
    const id = (s: string) =>
      (connection(store).prepare('SELECT id FROM instruments WHERE symbol = ?').get(s) as { id: number }).id;
    const ins = connection(store).prepare(
      'INSERT INTO universes (name, instrument_id, valid_from, valid_to, known_at) VALUES (?, ?, ?, ?, ?)',
    );
    // a: a member throughout. b: joins on JOIN, made public that day (a row back-dated to January but only known
    // in July must not let the book trade b before July). c: a member until LEAVE.
    ins.run('U3', id(a), 0, null, 0);
    ins.run('U3', id(b), parseDate('2020-01-01')!, null, JOIN);
    ins.run('U3', id(c), 0, LEAVE, 0);
    const desk = new DeskService(store, () => undefined, { pushEveryMs: 5 });
    try {
      const bad = await desk.start(book('nope', { universe: 'NOPE' }));
      expect(!bad.ok && bad.error.message).toMatch(/universe: universe "NOPE" has no members/);

      expect((await desk.start(book('pit', { universe: 'U3' }))).ok).toBe(true);
      // The same strategy on the same names without the universe: it does trade b before July and c after April,
      // so the test below could fail.
      expect((await desk.start(book('all3', { symbols: [a, b, c] }))).ok).toBe(true);
      await Promise.all(desk.books().map((x) => x.feed!.done));
      const orders = (name: string) => {
        const d = desk.book(name, 2_000);
        if (!d.ok) throw new Error(d.error.message);
        return d.value.orders.filter((o) => o.status === 'filled');
      };
      const free = orders('all3');
      expect(free.some((o) => o.symbol === b && o.time < JOIN)).toBe(true);
      expect(free.some((o) => o.symbol === c && o.time > LEAVE + 3 * 86_400_000)).toBe(true);

      const pit = orders('pit');
      expect(pit.some((o) => o.symbol === a)).toBe(true);
      expect(pit.some((o) => o.symbol === b)).toBe(true);
      // b: no order filled before it was known to have joined. c: nothing opened after it left (only its exit,
      // at the first bar after LEAVE).
      expect(pit.filter((o) => o.symbol === b && o.time < JOIN)).toEqual([]);
      const cAfter = pit.filter((o) => o.symbol === c && o.time > LEAVE);
      expect(cAfter.length).toBeLessThanOrEqual(1);
      const detail = desk.book('pit');
      expect((detail.ok && detail.value.positions.find((p) => p.symbol === c)?.qty) || 0).toBe(0);
      expect(desk.overview().books.find((x) => x.name === 'pit')!.symbols).toBe(3);
      // The stored book keeps the universe's name, not a frozen list of its members.
      expect(detail.ok && detail.value.config.universe).toBe('U3');
      expect(detail.ok && detail.value.config.symbols).toBeUndefined();
    } finally {
      await desk.dispose();
      store.close();
    }
  }, 30_000);
});
