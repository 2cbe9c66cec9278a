import { describe, expect, it } from 'vitest';
import {
  alignCloses,
  equityCsv,
  excursion,
  histogram,
  holdingsOverTime,
  rollingStats,
  trackingError,
  turnoverByMonth,
} from './analytics';

const D = 86_400_000;
const t0 = Date.UTC(2021, 0, 4);

describe('portfolio analytics (worked by hand)', () => {
  it('rolling Sharpe, volatility and beta over a 2-bar window', () => {
    // Returns: +10%, −10%, +10%. Window of 2: mean 0, sample std √0.02.
    const eq = [100, 110, 99, 108.9];
    const bench = [50, 52.5, 49.875, 52.36875]; // +5%, −5%, +5%: half the run's moves → beta 2
    const r = rollingStats(eq, bench, 2, 252);
    expect(Number.isNaN(r.sharpe[1])).toBe(true);
    expect(r.volatility[2]).toBeCloseTo(Math.sqrt(0.02) * Math.sqrt(252), 10);
    expect(r.sharpe[2]).toBeCloseTo(0, 10);
    expect(r.beta[3]).toBeCloseTo(2, 10);
    expect(Number.isNaN(rollingStats(eq, null, 2).beta[3])).toBe(true);
  });

  it('tracking error is the annualised std of active returns', () => {
    // Active returns: 0.1−0.05 = 0.05, −0.05, 0.05 → sample std of (0.05, −0.05, 0.05) = √(0.01/3·… ) computed below.
    const eq = [100, 110, 99, 108.9];
    const bench = [50, 52.5, 49.875, 52.36875];
    const a = [0.05, -0.05, 0.05];
    const m = a.reduce((x, y) => x + y) / 3;
    const sd = Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / 2);
    expect(trackingError(eq, bench, 252)).toBeCloseTo(sd * Math.sqrt(252), 10);
  });

  it('aligns a benchmark by last close within 7 days, NaN after its data ends', () => {
    const time = [t0, t0 + D, t0 + 2 * D, t0 + 20 * D];
    expect([...alignCloses(time, [t0 - D, t0 + D], [1, 2])]).toEqual([1, 2, 2, NaN]);
  });

  it('holdings and sector exposure at cost, from entry up to exit', () => {
    const time = [0, 1, 2, 3, 4].map((i) => t0 + i * D);
    const equity = [1000, 1000, 1000, 1000, 1000];
    const h = holdingsOverTime(
      time,
      equity,
      [
        { symbol: 'A', entryMs: t0 + D, exitMs: t0 + 3 * D, side: 'long', qty: 2, entryPrice: 100 },
        { symbol: 'B', entryMs: t0 + 2 * D, exitMs: Infinity, side: 'short', qty: 1, entryPrice: 300 },
      ],
      (s) => (s === 'A' ? 'Tech' : 'Energy'),
    );
    expect([...h.count]).toEqual([0, 1, 2, 1, 1]);
    expect([...h.sectors.get('Tech')!]).toEqual([0, 0.2, 0.2, 0, 0]);
    expect([...h.sectors.get('Energy')!]).toEqual([0, 0, 0.3, 0.3, 0.3]);
  });

  it('turnover per month: value traded over mean equity', () => {
    const time = [Date.UTC(2021, 0, 4), Date.UTC(2021, 0, 5), Date.UTC(2021, 1, 1)];
    const rows = turnoverByMonth(
      time,
      [1000, 3000, 2000],
      [{ entryMs: time[0], exitMs: time[2], qty: 10, entryPrice: 100, exitPrice: 120 }],
    );
    expect(rows).toEqual([
      { month: '2021-01', traded: 1000, meanEquity: 2000, turnover: 0.5 },
      { month: '2021-02', traded: 1200, meanEquity: 2000, turnover: 0.6 },
    ]);
  });

  it('MAE and MFE of a long and a short from the bars they were held', () => {
    const bars = { time: [0, 1, 2, 3].map((i) => t0 + i * D), high: [130, 101, 105, 103], low: [70, 99, 95, 97] };
    const long = excursion({ side: 'long', entryMs: t0 + D, exitMs: t0 + 3 * D, entryPrice: 100 }, bars);
    expect(long.mae).toBeCloseTo(-0.05, 12);
    expect(long.mfe).toBeCloseTo(0.05, 12);
    const short = excursion({ side: 'short', entryMs: t0 + D, exitMs: t0 + 2 * D, entryPrice: 100 }, bars);
    expect(short.mae).toBeCloseTo(-0.05, 12);
    expect(short.mfe).toBeCloseTo(0.05, 12);
  });

  it('histograms and the equity CSV', () => {
    expect(histogram([0, 1, 2, 3, 4, NaN], 2)).toEqual({ lo: 0, hi: 4, counts: [2, 3] });
    expect(equityCsv([t0, t0 + D], [100, 90], [10, 12], 100)).toBe(
      'date,equity,drawdown,benchmark\n2021-01-04,100,0.00000000,100\n2021-01-05,90,-0.10000000,120\n',
    );
  });
});
