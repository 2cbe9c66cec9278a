import { describe, expect, it } from 'vitest';
import { valueAt } from './watch-indicators';

// As `indicators:compute` returns it: Float64Array columns, EpochMs times, NaN warm-up.
const s = {
  name: 'rsi',
  params: { period: 14 },
  time: new Float64Array([10, 20, 30]),
  outputs: { value: new Float64Array([Number.NaN, 55, 60]) },
};

describe('watchlist indicator lookup', () => {
  it('takes the last bar at or before the price time (no look-ahead), NaN in warm-up or before the data', () => {
    expect(valueAt(s, 'value', 25)).toBe(55);
    expect(valueAt(s, 'value', 30)).toBe(60);
    expect(valueAt(s, 'value', 99)).toBe(60);
    expect(valueAt(s, 'value', 15)).toBeNaN();
    expect(valueAt(s, 'value', 5)).toBeNaN();
    expect(valueAt(undefined, 'value', 25)).toBeNaN();
  });
});
