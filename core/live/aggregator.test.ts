import { describe, expect, it } from 'vitest';
import { BarAggregator } from './aggregator';
import type { LiveBar } from './types';

const T0 = Date.UTC(2024, 0, 2, 9, 30);
const MIN = 60_000;

function collect(intervals: ('1m' | '5m' | '1h' | '1d')[], graceMs = 2_000) {
  const bars: LiveBar[] = [];
  const corrections: LiveBar[] = [];
  const agg = new BarAggregator(
    { intervals, graceMs },
    { onBar: (b) => bars.push(b), onCorrection: (b) => corrections.push(b) },
  );
  return { agg, bars, corrections };
}

describe('BarAggregator', () => {
  it('builds OHLCV per interval and closes a bar on the first tick past its end', () => {
    const { agg, bars } = collect(['1m', '5m']);
    agg.push('A', T0 + 1_000, 10, 1);
    agg.push('A', T0 + 20_000, 12, 2);
    agg.push('A', T0 + 40_000, 9, 3);
    agg.push('A', T0 + 59_999, 11, 4);
    expect(bars).toHaveLength(0);
    agg.push('A', T0 + MIN, 13, 5);
    expect(bars).toEqual([
      { symbol: 'A', intervalMs: MIN, time: T0, open: 10, high: 12, low: 9, close: 11, volume: 10 },
    ]);
    agg.push('A', T0 + 5 * MIN + 1, 14, 1);
    const five = bars.filter((b) => b.intervalMs === 5 * MIN);
    expect(five).toEqual([
      { symbol: 'A', intervalMs: 5 * MIN, time: T0, open: 10, high: 13, low: 9, close: 13, volume: 15 },
    ]);
    expect(agg.stats.ticks).toBe(6);
  });

  it('keeps symbols apart and aligns daily bars to 00:00 UTC', () => {
    const { agg, bars } = collect(['1d']);
    const day = Date.UTC(2024, 0, 2);
    agg.push('A', day + 3_600_000, 1, 1);
    agg.push('B', day + 7_200_000, 50, 1);
    agg.push('A', day + 86_400_000, 2, 1);
    expect(bars).toEqual([
      { symbol: 'A', intervalMs: 86_400_000, time: day, open: 1, high: 1, low: 1, close: 1, volume: 1 },
    ]);
  });

  it('amends the last closed bar with a late tick inside the grace window and emits a correction', () => {
    const { agg, bars, corrections } = collect(['1m'], 2_000);
    agg.push('A', T0 + 1_000, 10, 1);
    agg.push('A', T0 + 30_000, 11, 1);
    agg.push('A', T0 + MIN + 500, 12, 1); // closes bar 0
    agg.push('A', T0 + 59_000, 15, 2); // late by 1.5 s of watermark past the end: inside grace
    expect(bars).toHaveLength(1);
    expect(bars[0].close).toBe(11);
    expect(corrections).toEqual([
      { symbol: 'A', intervalMs: MIN, time: T0, open: 10, high: 15, low: 10, close: 15, volume: 4 },
    ]);
    expect(agg.stats.amended).toBe(1);
    // An out-of-order tick that is not the latest in the bar updates the range but not the close.
    agg.push('A', T0 + 10_000, 8, 1);
    expect(corrections[1]).toMatchObject({ low: 8, close: 15, volume: 5 });
  });

  it('drops and counts late ticks past the grace window or older than the last closed bar', () => {
    const { agg, bars, corrections } = collect(['1m'], 2_000);
    agg.push('A', T0 + 1_000, 10, 1);
    agg.push('A', T0 + MIN + 1_000, 11, 1);
    agg.push('A', T0 + MIN + 5_000, 11, 1); // watermark now 5 s past bar 0's end
    agg.push('A', T0 + 50_000, 99, 1); // too late
    agg.push('A', T0 + 2 * MIN + 1, 12, 1); // closes bar 1
    agg.push('A', T0 + 30_000, 99, 1); // belongs to bar 0, older than the last closed bar
    expect(corrections).toHaveLength(0);
    expect(agg.stats.dropped).toBe(2);
    expect(bars.map((b) => b.high)).toEqual([10, 11]);
  });

  it('flush closes quiet bars, and a tick for a flushed bar counts as late', () => {
    const { agg, bars, corrections } = collect(['1m'], 2_000);
    agg.push('A', T0 + 1_000, 10, 1);
    agg.flush(T0 + MIN - 1);
    expect(bars).toHaveLength(0);
    agg.flush(T0 + MIN);
    expect(bars).toHaveLength(1);
    agg.push('A', T0 + 59_000, 9, 1);
    expect(corrections).toHaveLength(1);
    expect(corrections[0].low).toBe(9);
    agg.push('A', T0 + 3 * MIN, 10, 1); // a gap: no empty bars are invented
    agg.push('A', T0 + 4 * MIN, 10, 1);
    expect(bars.map((b) => b.time)).toEqual([T0, T0 + 3 * MIN]);
  });
});
