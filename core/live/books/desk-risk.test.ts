import { describe, expect, it } from 'vitest';
import type { Breach } from '../risk';
import { BookRiskChecker, DeskRisk } from './desk-risk';

const order = (o: Partial<Parameters<BookRiskChecker['checkOrder']>[0]> = {}) => ({
  symbol: 'A',
  signedQty: 10,
  price: Number.NaN,
  last: 100,
  position: 0,
  grossExposure: 0,
  ...o,
});

describe('desk risk: limits over every book', () => {
  it('checks gross and net exposure across books before an order, the book limits first', async () => {
    const hard: Breach[] = [];
    const desk = new DeskRisk((b) => hard.push(b));
    desk.set({ maxGrossExposure: 5_000, maxNetExposure: 2_500, hard: ['maxGrossExposure'] });
    const a = new BookRiskChecker(desk, 'a', { symbols: { '*': { maxPosition: 50 } } });
    const b = new BookRiskChecker(desk, 'b');
    a.cash = () => 0;
    b.cash = () => 0;
    // Book b holds +2,000 net / 2,000 gross (recorded on its mark); a holds 1,000.
    expect(b.checkAccount(2_000, 2_000, 2_000)).toBeNull();
    expect(a.checkAccount(1_000, 1_000, 1_000)).toBeNull();
    // The book's own limit wins over the desk's.
    expect(a.checkOrder(order({ signedQty: 60 }))?.message).toMatch(/limit ±50/);
    // Net: 3,000 + 10 × 100 > 2,500, soft (not in `hard`): rejected, nothing tripped.
    const net = a.checkOrder(order({ position: 10, grossExposure: 1_000 }));
    expect(net).toMatchObject({ hard: false, symbol: null });
    expect(net?.message).toMatch(/^desk: net exposure would be 4000.00, desk limit ±2500/);
    // A sell reduces |net|: accepted even though net stays above the limit.
    expect(a.checkOrder(order({ signedQty: -5, position: 10, grossExposure: 1_000 }))).toBeNull();
    // Gross: 2,000 + 1,000 + 30 × 100 > 5,000, hard: the desk trip is scheduled after the check returns.
    desk.set({ maxGrossExposure: 5_000 });
    const gross = a.checkOrder(order({ signedQty: 30, position: 10, grossExposure: 1_000 }));
    expect(gross).toMatchObject({ limit: 'maxGrossExposure', hard: true });
    expect(hard).toHaveLength(0);
    await Promise.resolve();
    expect(hard.map((x) => x.message)).toEqual([gross!.message]);
    // The ticket's preview reports the same breach without scheduling a trip.
    expect(a.previewDesk(order({ signedQty: 30, position: 10, grossExposure: 1_000 }))?.message).toBe(gross!.message);
    await Promise.resolve();
    expect(hard).toHaveLength(1);
  });

  it("sums each book's loss since its day start on every mark", async () => {
    const hard: Breach[] = [];
    const desk = new DeskRisk((b) => hard.push(b));
    desk.set({ maxDailyLoss: 1_000 });
    const a = new BookRiskChecker(desk, 'a');
    const b = new BookRiskChecker(desk, 'b');
    expect(a.checkAccount(0, 10_000, 9_400)).toBeNull();
    expect(b.checkAccount(0, 10_000, 9_500)?.message).toBe('desk: daily loss 1100.00 exceeds desk limit 1000');
    expect(desk.totals()).toEqual({ gross: 0, net: 18_900, dayLoss: 1_100 });
    await Promise.resolve();
    expect(hard).toHaveLength(1);
    // A book leaving the desk leaves its figures out of the sums.
    desk.forget('b');
    expect(a.checkAccount(0, 10_000, 9_400)).toBeNull();
    // The equity peak of a book is the highest equity any mark showed.
    expect(a.peak).toBe(9_400);
  });
});
