import { describe, expect, it } from 'vitest';
import { annualise, stitchEquity, walkForwardEfficiency, walkForwardWindows } from './walkforward';

describe('walk-forward windows', () => {
  it('rolls fixed training windows and tiles the test windows, cutting the last one', () => {
    expect(walkForwardWindows(10, 4, 3, false)).toEqual([
      { trainStart: 0, trainEnd: 4, testStart: 4, testEnd: 7 },
      { trainStart: 3, trainEnd: 7, testStart: 7, testEnd: 10 },
    ]);
    expect(walkForwardWindows(11, 4, 3, false).at(-1)).toEqual({
      trainStart: 6,
      trainEnd: 10,
      testStart: 10,
      testEnd: 11,
    });
  });

  it('anchors every training window at bar 0 when asked', () => {
    expect(walkForwardWindows(10, 4, 3, true).map((w) => [w.trainStart, w.trainEnd])).toEqual([
      [0, 4],
      [0, 7],
    ]);
  });

  it('never lets a test window overlap its own training bars', () => {
    for (const w of walkForwardWindows(1000, 250, 63, false)) {
      expect(w.testStart).toBe(w.trainEnd);
      expect(w.testEnd).toBeGreaterThan(w.testStart);
    }
  });

  it('rejects sizes that leave nothing to test', () => {
    expect(() => walkForwardWindows(100, 100, 10, false)).toThrow(/100 bars/);
    expect(() => walkForwardWindows(100, 10, 0, false)).toThrow(/--test/);
  });
});

describe('stitching and efficiency', () => {
  it('chains the out-of-sample curves by carrying the final value forward', () => {
    const s = stitchEquity(
      [
        { time: Float64Array.of(1, 2), value: Float64Array.of(100, 110) },
        { time: Float64Array.of(3, 4), value: Float64Array.of(100, 90) },
      ],
      100,
    );
    expect(Array.from(s.time)).toEqual([1, 2, 3, 4]);
    expect(Array.from(s.value)).toEqual([100, 110, 110, 99]);
  });

  it('annualises by bars and divides out-of-sample by the mean in-sample rate', () => {
    expect(annualise(0.21, 504, 252)).toBeCloseTo(0.1, 12);
    expect(annualise(-1, 10, 252)).toBeNull();
    expect(walkForwardEfficiency(0.05, [0.1, 0.1, null])).toBeCloseTo(0.5, 12);
    expect(walkForwardEfficiency(0.05, [-0.1])).toBeNull();
  });
});
