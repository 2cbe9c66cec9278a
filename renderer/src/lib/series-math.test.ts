import { describe, expect, it } from 'vitest';
import { fanBands, monthlyReturns, percentile, rebase, toColumn, underwater } from './series-math';

const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);

describe('series math', () => {
  it('computes drawdown from the running peak', () => {
    const dd = underwater([100, 120, 90, 130]);
    expect(Array.from(dd)).toEqual([0, 0, 90 / 120 - 1, 0]);
  });
  it('computes monthly returns month-end over previous month-end, compounding the year', () => {
    const t = [day(2020, 1, 2), day(2020, 1, 31), day(2020, 2, 3), day(2020, 2, 28), day(2021, 1, 4)];
    const e = [100, 110, 105, 121, 108.9];
    const rows = monthlyReturns(t, e);
    expect(rows.map((r) => r.year)).toEqual([2020, 2021]);
    expect(rows[0].months[0]).toBeCloseTo(0.1, 12);
    expect(rows[0].months[1]).toBeCloseTo(0.1, 12);
    expect(rows[0].months[2]).toBeNaN();
    expect(rows[0].total).toBeCloseTo(0.21, 12);
    expect(rows[1].months[0]).toBeCloseTo(-0.1, 12);
  });
  it('rebases to a starting value', () => {
    const r = rebase([50, 55, 45], 100);
    [100, 110, 90].forEach((v, i) => expect(r[i]).toBeCloseTo(v, 10));
  });
  it('accepts columns as arrays, typed arrays or JSON-serialised typed arrays', () => {
    expect(Array.from(toColumn([1, 2]))).toEqual([1, 2]);
    expect(Array.from(toColumn(JSON.parse(JSON.stringify(new Float64Array([3, 4])))))).toEqual([3, 4]);
  });
  it('computes percentiles and fan bands across paths', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    const paths = [
      [100, 90],
      [100, 110],
      [100, 100],
    ];
    const [p0, p50, p100] = fanBands(paths, [0, 50, 100]);
    expect(Array.from(p0)).toEqual([100, 90]);
    expect(Array.from(p50)).toEqual([100, 100]);
    expect(Array.from(p100)).toEqual([100, 110]);
  });
});

describe('active start', () => {
  it('skips a flat lead-in but keeps the last flat point as the base', async () => {
    const { activeStart } = await import('./series-math');
    expect(activeStart([100, 100, 100, 101, 99])).toBe(2);
    expect(activeStart([100, 101])).toBe(0);
    expect(activeStart([100, 100])).toBe(0);
  });
});
