import { describe, expect, it } from 'vitest';
import { aggregateBars } from './chart-view';

const D = 86_400_000;
// Fri 2021-01-01, Mon 01-04 .. Fri 01-08, Mon 01-11, Mon 02-01.
const days = [Date.UTC(2021, 0, 1), Date.UTC(2021, 0, 4), Date.UTC(2021, 0, 5), Date.UTC(2021, 0, 8), Date.UTC(2021, 0, 11), Date.UTC(2021, 1, 1)];
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
  it('lists a sector\'s names after symbol and name matches', async () => {
    const { searchInstruments } = await import('../stores/instruments-store');
    const mk = (symbol: string, name: string, sector: string) => ({ symbol, name, sector }) as never;
    const list = [mk('AAA', 'Alpha', 'Energy'), mk('TEC', 'Tech Co', 'Utilities'), mk('BBB', 'Beta', 'Technology')];
    expect(searchInstruments(list, 'tech').map((i: { symbol: string }) => i.symbol)).toEqual(['TEC', 'BBB']);
    expect(searchInstruments(list, 'energy').map((i: { symbol: string }) => i.symbol)).toEqual(['AAA']);
  });
});
