import { describe, expect, it } from 'vitest';
import { toRunModel } from './run-model';
import { sampleRun } from './test-fixtures';

describe('run model', () => {
  it("keeps the API's columns and EpochMs times, adding holding days", () => {
    const m = toRunModel(sampleRun);
    expect(Array.from(m.equity.time)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
    expect(Array.from(m.equity.value)).toEqual([1000, 1100]);
    expect(m.trades[0].entryMs).toBe(Date.UTC(2020, 0, 2));
    expect(m.trades[0].days).toBe(10);
    expect(m.spec.benchmark).toBe('SPX');
  });
});
