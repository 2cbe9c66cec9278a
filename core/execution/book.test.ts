import { describe, expect, it } from 'vitest';
import { parseSpec } from '../backtest/spec';
import { OrderBook, type BookClient } from './book';

/** A client that fills everything at the raw price and keeps cash, for the book alone. */
function client(): BookClient & { cashNow: number; fills: [number, number, number][] } {
  const c = {
    cashNow: 1_000_000,
    fills: [] as [number, number, number][],
    book: null as unknown as OrderBook,
    fill(s: number, dq: number, raw: number) {
      c.cashNow -= dq * raw;
      c.fills.push([s, dq, raw]);
      return c.book.qty[s] + dq;
    },
    cash: () => c.cashNow,
    volatility: () => Number.NaN,
    badPrice: () => new Error('bad price'),
  };
  return c;
}

function spec() {
  const p = parseSpec({
    strategy: 'sma-cross',
    universe: 'all',
    sizing: 'equal-weight',
    commission: { rate: 0.001 },
    direction: 'long-short',
  });
  if (!p.ok) throw new Error(p.errors.join());
  return p.spec;
}

describe('OrderBook', () => {
  it('sums equity over its held names in name order, bit for bit the plain scan, across 100 names and many fills', () => {
    const s = spec();
    const names = Array.from({ length: 100 }, (_, k) => (k * 37) % 100);
    const c = client();
    const book = new OrderBook(
      {
        slots: 100,
        names,
        slippageBps: 0,
        rate: 0.001,
        fixed: 0,
        wholeUnits: false,
        longOnly: false,
        atClose: true,
        optimistic: false,
        sizing: s.sizing,
      },
      c,
    );
    (c as unknown as { book: OrderBook }).book = book;
    let seed = 3;
    const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let step = 0; step < 2000; step++) {
      const slot = Math.floor(rnd() * 100);
      book.mark[slot] = 10 + rnd() * 90;
      // A decision at the close (atClose): flat, long or short, executed at once and sized from equity.
      book.decide(slot, [0, 1, -1, 0.5][Math.floor(rnd() * 4)], step, book.mark[slot], book.mark[slot]);
      let naive = c.cashNow;
      for (const n of names) if (book.qty[n] !== 0) naive += book.qty[n] * book.mark[n];
      expect(book.equity(c.cashNow)).toBe(naive);
      expect(book.heldNames()).toEqual(names.filter((n) => book.qty[n] !== 0));
      expect(book.heldCount).toBe(book.heldNames().length);
    }
    expect(c.fills.length).toBeGreaterThan(500);
  });

  it('keeps the held names in name order, and its held values sum bit for bit as the plain scan while fresh', () => {
    const names = Array.from({ length: 70 }, (_, k) => (k * 29) % 70);
    const c = client();
    const book = new OrderBook(
      {
        slots: 70,
        names,
        slippageBps: 0,
        rate: 0.001,
        fixed: 0,
        wholeUnits: false,
        longOnly: false,
        atClose: true,
        optimistic: false,
        sizing: spec().sizing,
      },
      c,
    );
    (c as unknown as { book: OrderBook }).book = book;
    let seed = 11;
    const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    let partials = 0;
    let fresh = 0;
    for (let step = 0; step < 3000; step++) {
      const r = rnd();
      if (r < 0.1) {
        // The engine's equity mark: new marks for every held name, each one's qty × mark left in the book.
        book.heldValuesStale();
        for (const s of book.heldNames()) {
          book.mark[s] = 10 + rnd() * 90;
          book.heldValue[names.indexOf(s)] = book.qty[s] * book.mark[s];
        }
        book.heldValuesFresh();
        fresh++;
      } else if (r < 0.15 && book.heldCount > 0) {
        // Added to a held position (a partial fill): its value changes.
        const s = book.heldNames()[Math.floor(rnd() * book.heldCount)];
        book.fill(s, book.qty[s] > 0 ? 1 : -1, book.mark[s], step, 'signal', false);
        partials++;
      } else {
        const slot = names[Math.floor(rnd() * names.length)];
        // A flat name gets a mark before it decides (as the engine's closes give it one).
        if (book.qty[slot] === 0) book.mark[slot] = 10 + rnd() * 90;
        book.decide(slot, [0, 1, -1][Math.floor(rnd() * 3)], step, book.mark[slot], book.mark[slot]);
      }
      const held = names.filter((s) => book.qty[s] !== 0);
      expect(book.heldNames()).toEqual(held);
      expect(book.heldCount).toBe(held.length);
      let naive = c.cashNow;
      for (const s of held) naive += book.qty[s] * book.mark[s];
      expect(book.equity(c.cashNow)).toBe(naive);
    }
    expect(partials).toBeGreaterThan(50);
    expect(fresh).toBeGreaterThan(100);
    expect(c.fills.length).toBeGreaterThan(1000);
  });

  it('rests a limit entry until a bar reaches it, then fills at the limit (or a better open) and sets the intent levels', () => {
    const c = client();
    const book = new OrderBook(
      {
        slots: 1,
        names: [0],
        slippageBps: 0,
        rate: 0,
        fixed: 0,
        wholeUnits: true,
        longOnly: false,
        atClose: false,
        optimistic: false,
        sizing: { ...spec().sizing, method: 'fixed-qty', qty: 10 },
      },
      c,
    );
    (c as unknown as { book: OrderBook }).book = book;
    book.decide(0, { target: 1, type: 'limit', price: 95, stopLoss: 90 }, 0, 100, 100);
    expect(book.hasOpenWork(0)).toBe(true);
    book.openPhase(0, 1, 99, 101, 96);
    expect(book.qty[0]).toBe(0);
    book.openPhase(0, 2, 97, 98, 94);
    expect(c.fills).toEqual([[0, 10, 95]]);
    expect(book.posSL[0]).toBe(90);
    // The stop: a gap below it fills at the open.
    book.openPhase(0, 3, 88, 89, 87);
    expect(c.fills[1]).toEqual([0, -10, 88]);
    expect(book.qty[0]).toBe(0);
    expect(Number.isNaN(book.posSL[0])).toBe(true);
  });

  it('sizes whole-unit entries from its estimated held sum exactly as from the full sum, falling back at a boundary', () => {
    for (const sizing of [
      { method: 'equal-weight' },
      { method: 'fixed-fraction', fraction: 0.03 },
      { method: 'volatility-target', targetVol: 0.1, maxWeight: 0.05 },
    ] as const) {
      const names = Array.from({ length: 60 }, (_, k) => (k * 23) % 60);
      const full = { ...spec().sizing, ...sizing };
      const open = (c: ReturnType<typeof client>) => {
        const book = new OrderBook(
          {
            slots: 60,
            names,
            slippageBps: 0,
            rate: 0.001,
            fixed: 1,
            wholeUnits: true,
            longOnly: false,
            atClose: true,
            optimistic: false,
            sizing: full,
          },
          { ...c, volatility: (s: number) => 0.05 + s / 100 },
        );
        (c as unknown as { book: OrderBook }).book = book;
        return book;
      };
      // `a` is given the equity mark's sum (and sizes from its estimate); `b` is not (and sums every time).
      const ca = client();
      const cb = client();
      const a = open(ca);
      const b = open(cb);
      let sums = 0;
      const equity = a.equity.bind(a);
      a.equity = (cash) => (sums++, equity(cash));
      let seed = 5;
      const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
      /** The fraction of equity an entry in `slot` budgets (before |target|). */
      const weight = (slot: number) =>
        sizing.method === 'equal-weight'
          ? 1 / names.length
          : sizing.method === 'fixed-fraction'
            ? sizing.fraction
            : Math.min(sizing.maxWeight, sizing.targetVol / (0.05 + slot / 100));
      let entries = 0;
      for (let step = 0; step < 3000; step++) {
        const r = rnd();
        if (r < 0.1) {
          const marks = Array.from({ length: a.heldCount }, () => 10 + rnd() * 90);
          for (const book of [a, b]) {
            book.heldValuesStale();
            let eq = book === a ? ca.cashNow : cb.cashNow;
            let gross = 0;
            for (const [t, s] of book.heldNames().entries()) {
              book.mark[s] = marks[t];
              const v = book.qty[s] * book.mark[s];
              book.heldValue[names.indexOf(s)] = v;
              eq += v;
              gross += Math.abs(v);
            }
            if (book === a) book.heldValuesFresh(eq, ca.cashNow, gross);
            else book.heldValuesFresh();
          }
        } else {
          const slot = names[Math.floor(rnd() * names.length)];
          const target = [0, 1, -1, 0.5][Math.floor(rnd() * 4)];
          let px = 10 + rnd() * 90;
          if (b.qty[slot] === 0 && target !== 0 && rnd() < 0.3) {
            // A price at which the exact equity buys a whole number of units: the estimate cannot decide it.
            const budget = b.equity(cb.cashNow) * weight(slot) * Math.abs(target);
            const k = Math.max(1, Math.round((budget - 1) / (px * 1.001)));
            px = (budget - 1) / (k * 1.001);
          }
          if (b.qty[slot] === 0 && target !== 0) entries++;
          for (const book of [a, b]) {
            if (book.qty[slot] === 0) book.mark[slot] = px;
            book.decide(slot, target, step, px, px);
          }
        }
        expect(ca.fills.length).toBe(cb.fills.length);
        expect(ca.fills.at(-1)).toEqual(cb.fills.at(-1));
        expect(Object.is(ca.cashNow, cb.cashNow)).toBe(true);
      }
      expect(entries).toBeGreaterThan(500);
      // Most entries sized from the estimate; some (the crafted boundaries, stale values) summed.
      expect(sums).toBeGreaterThan(0);
      expect(sums).toBeLessThan(entries / 2);
    }
  });
});
