import { describe, expect, it } from 'vitest';
import { MAX_EQUITY_POINTS, TickHistory } from './tick-history';

const account = (equity: number) => ({
  cash: 0,
  equity,
  grossExposure: 0,
  dayStartEquity: 0,
  realized: 0,
  unrealized: 0,
});
const px = (symbol: string, time: number, price: number) => ({ symbol, time, price, prevClose: Number.NaN });

describe('TickHistory', () => {
  it('plots equity at the batch market time, replaces a point at the same time, and skips an unknown equity', () => {
    const h = new TickHistory();
    h.reset('s');
    h.record({ at: 9_000, count: 3, prices: [px('B', 100, 1), px('A', 200, 2)], account: account(10) });
    h.record({ at: 9_100, count: 1, prices: [px('A', 200, 3)], account: account(11) });
    h.record({ at: 9_200, count: 2, prices: [px('B', 300, 4)], account: account(Number.NaN) });
    h.record({ at: 9_300, count: 0, prices: [], account: account(12) });
    const snap = h.snapshot();
    expect(snap.session).toBe('s');
    // The second batch is at market time 200 again: it replaces; the NaN equity adds no point; no prices: `at`.
    expect(snap.equity).toEqual({ time: [200, 9_300], value: [11, 12] });
    expect(snap.prices).toEqual([px('A', 200, 3), px('B', 300, 4)]);
    // Every batch's count, the NaN-equity one too: the ticks the session processed.
    expect(snap.ticks).toBe(6);
  });

  it('keeps the newest points within its bound and forgets all on reset', () => {
    const h = new TickHistory();
    h.reset('long');
    const n = 3 * MAX_EQUITY_POINTS + 7;
    for (let i = 0; i < n; i++) h.record({ at: i, count: 2, prices: [px('A', i, i)], account: account(i) });
    const snap = h.snapshot();
    expect(snap.equity.time).toHaveLength(MAX_EQUITY_POINTS);
    expect(snap.equity.time[0]).toBe(n - MAX_EQUITY_POINTS);
    expect(snap.equity.value.at(-1)).toBe(n - 1);
    expect(snap.ticks).toBe(2 * n);
    // A snapshot is a copy: a later batch does not change it.
    h.record({ at: n, count: 1, prices: [], account: account(-1) });
    expect(snap.equity.value.at(-1)).toBe(n - 1);
    h.reset('next');
    expect(h.snapshot()).toEqual({ session: 'next', equity: { time: [], value: [] }, prices: [], ticks: 0 });
  });
});
