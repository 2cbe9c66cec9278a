import { describe, expect, it } from 'vitest';
import { etaMs, fmtCompact, fmtDate, fmtDuration, fmtNum, fmtPct, fmtPrice, signClass } from './format';

describe('formatters', () => {
  it('formats numbers with separators and a dash for missing values', () => {
    expect(fmtNum(1234.5)).toBe('1,234.50');
    expect(fmtNum(-0.126, 1)).toBe('-0.1');
    expect(fmtNum(Number.NaN)).toBe('—');
    expect(fmtNum(null)).toBe('—');
    expect(fmtNum(Infinity)).toBe('—');
  });
  it('chooses price digits by magnitude', () => {
    expect(fmtPrice(101.237)).toBe('101.24');
    expect(fmtPrice(0.012345)).toBe('0.0123');
  });
  it('formats fractions as percentages, signed on request, without negative zero', () => {
    expect(fmtPct(0.1234)).toBe('12.34%');
    expect(fmtPct(0.05, 1, true)).toBe('+5.0%');
    expect(fmtPct(-0.05, 1, true)).toBe('-5.0%');
    expect(fmtPct(-0.00001)).toBe('0.00%');
  });
  it('compacts magnitudes', () => {
    expect(fmtCompact(1_234_567)).toBe('1.23M');
    expect(fmtCompact(7e9)).toBe('7.00B');
    expect(fmtCompact(25_000)).toBe('25.00K');
    expect(fmtCompact(512)).toBe('512');
  });
  it('formats UTC dates regardless of the machine zone', () => {
    expect(fmtDate(Date.UTC(2020, 0, 31))).toBe('2020-01-31');
  });
  it('formats durations for ETAs', () => {
    expect(fmtDuration(12_400)).toBe('12s');
    expect(fmtDuration(185_000)).toBe('3m 05s');
    expect(fmtDuration(3_720_000)).toBe('1h 02m');
    expect(fmtDuration(-1)).toBe('—');
  });
  it('estimates the remaining time from progress', () => {
    expect(etaMs(25, 100, 10_000)).toBe(30_000);
    expect(etaMs(100, 100, 10_000)).toBe(0);
    expect(etaMs(0, 100, 10_000)).toBeNaN();
  });
  it('classes signs', () => {
    expect(signClass(1)).toBe('pos');
    expect(signClass(-1)).toBe('neg');
    expect(signClass(0)).toBe('');
  });
});
