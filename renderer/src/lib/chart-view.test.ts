import { describe, expect, it } from 'vitest';
import {
  aggregateBars,
  displaceBack,
  displaceForward,
  futureTimes,
  rebaseIndex,
  rebaseTo100,
  storedTimeframe,
  timeframesFor,
} from './chart-view';

const D = 86_400_000;
// Fri 2021-01-01, Mon 01-04 .. Fri 01-08, Mon 01-11, Mon 02-01.
const days = [
  Date.UTC(2021, 0, 1),
  Date.UTC(2021, 0, 4),
  Date.UTC(2021, 0, 5),
  Date.UTC(2021, 0, 8),
  Date.UTC(2021, 0, 11),
  Date.UTC(2021, 1, 1),
];
const bars = {
  time: days,
  open: [10, 11, 12, 13, 14, 15],
  high: [10.5, 13, 12.5, 13.5, 14.5, 16],
  low: [9.5, 10.5, 11, 12.5, 13.5, 14],
  close: [10.2, 12, 12.2, 13.1, 14.2, 15.5],
  volume: [1, 2, 3, 4, 5, 6],
};

describe('chart timeframes from daily bars', () => {
  it('weekly: Monday-based weeks, first open, max high, min low, last close, summed volume', () => {
    const w = aggregateBars(bars, 'W');
    expect(Array.from(w.time)).toEqual([days[0], days[1], days[4], days[5]]);
    expect(Array.from(w.open)).toEqual([10, 11, 14, 15]);
    expect(Array.from(w.high)).toEqual([10.5, 13.5, 14.5, 16]);
    expect(Array.from(w.low)).toEqual([9.5, 10.5, 13.5, 14]);
    expect(Array.from(w.close)).toEqual([10.2, 13.1, 14.2, 15.5]);
    expect(Array.from(w.volume)).toEqual([1, 9, 5, 6]);
  });
  it('monthly, and daily unchanged', () => {
    const m = aggregateBars(bars, 'M');
    expect(Array.from(m.time)).toEqual([days[0], days[5]]);
    expect(Array.from(m.close)).toEqual([14.2, 15.5]);
    expect(Array.from(m.volume)).toEqual([15, 6]);
    expect(aggregateBars(bars, 'D')).toBe(bars);
    expect(D).toBe(86_400_000);
  });
});

describe('the palette finds sectors', () => {
  it("lists a sector's names after symbol and name matches", async () => {
    const { searchInstruments } = await import('../stores/instruments-store');
    const mk = (symbol: string, name: string, sector: string) => ({ symbol, name, sector }) as never;
    const list = [mk('AAA', 'Alpha', 'Energy'), mk('TEC', 'Tech Co', 'Utilities'), mk('BBB', 'Beta', 'Technology')];
    expect(searchInstruments(list, 'tech').map((i: { symbol: string }) => i.symbol)).toEqual(['TEC', 'BBB']);
    expect(searchInstruments(list, 'energy').map((i: { symbol: string }) => i.symbol)).toEqual(['AAA']);
  });
});

describe('intraday bars in the store', () => {
  const M = 60_000;
  const t0 = Date.UTC(2024, 2, 4, 14, 30); // Mon 14:30 UTC
  // 5-minute bars 14:30 .. 15:25 on Monday, then 14:30 .. 14:40 on Tuesday.
  const time = [...Array.from({ length: 12 }, (_, i) => t0 + i * 5 * M), ...[0, 5, 10].map((m) => t0 + D + m * M)];
  const n = time.length;
  const ib = {
    time,
    open: time.map((_, i) => 100 + i),
    high: time.map((_, i) => 101 + i),
    low: time.map((_, i) => 99 + i),
    close: time.map((_, i) => 100.5 + i),
    volume: time.map(() => 10),
  };
  it('offers the stored spacing and longer: 5m … 4h, then D/W/M; daily bars only D/W/M', () => {
    expect(timeframesFor(time)).toEqual(['5m', '15m', '30m', '1h', '4h', 'D', 'W', 'M']);
    expect(storedTimeframe(time)).toBe('5m');
    expect(timeframesFor(days)).toEqual(['D', 'W', 'M']);
    expect(storedTimeframe(days)).toBe('D');
  });
  it('aggregates 5-minute bars into 15 minutes, hours and UTC days', () => {
    const q = aggregateBars(ib, '15m');
    // 14:30, 14:45, 15:00, 15:15 on Monday; 14:30 on Tuesday.
    expect(Array.from(q.time)).toEqual([t0, t0 + 15 * M, t0 + 30 * M, t0 + 45 * M, t0 + D]);
    expect(Array.from(q.open)).toEqual([100, 103, 106, 109, 112]);
    expect(Array.from(q.close)).toEqual([102.5, 105.5, 108.5, 111.5, 114.5]);
    expect(Array.from(q.volume)).toEqual([30, 30, 30, 30, 30]);
    const h = aggregateBars(ib, '1h');
    // Hours are epoch-aligned: 14:30-14:55 is the 14:00 bucket, 15:00-15:25 the 15:00 one.
    expect(Array.from(h.time)).toEqual([t0, t0 + 30 * M, t0 + D]);
    expect(Array.from(h.high)).toEqual([106, 112, 115]);
    const d = aggregateBars(ib, 'D');
    expect(Array.from(d.time)).toEqual([t0, t0 + D]);
    expect(Array.from(d.low)).toEqual([99, 111]);
    expect(Array.from(d.close)).toEqual([111.5, 114.5]);
    expect(aggregateBars(ib, '5m')).toBe(ib);
    expect(n).toBe(15);
  });
});

describe('Ichimoku displacement and comparison rebasing', () => {
  it('future bar times skip weekends for daily bars', () => {
    // Thu 2021-01-07, Fri 01-08 → Mon 01-11, Tue 01-12, Wed 01-13.
    expect(futureTimes([Date.UTC(2021, 0, 7), Date.UTC(2021, 0, 8)], 3)).toEqual([
      Date.UTC(2021, 0, 11),
      Date.UTC(2021, 0, 12),
      Date.UTC(2021, 0, 13),
    ]);
  });
  it('spans go k bars ahead onto future times; the lagging span k bars back', () => {
    const t = [Date.UTC(2021, 0, 4), Date.UTC(2021, 0, 5), Date.UTC(2021, 0, 6)];
    const f = displaceForward(t, [1, 2, 3], 2);
    expect(f.time).toEqual([...t, Date.UTC(2021, 0, 7), Date.UTC(2021, 0, 8)]);
    expect(Array.from(f.values)).toEqual([NaN, NaN, 1, 2, 3]);
    expect(Array.from(displaceBack([1, 2, 3, 4], 2))).toEqual([3, 4, NaN, NaN]);
  });
  it('rebases to 100 at the first finite bar at or after the first visible one', () => {
    const v = [NaN, 50, 55, 60];
    expect(rebaseIndex(v, 0)).toBe(1);
    expect(rebaseIndex(v, 2)).toBe(2);
    expect(Array.from(rebaseTo100(v, 1))).toEqual([NaN, 100, 110, 120]);
    expect(rebaseIndex([NaN], 0)).toBe(-1);
  });
});
