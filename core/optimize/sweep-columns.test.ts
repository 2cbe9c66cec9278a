import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from '../model/wire';
import type { SweepState } from './service';
import { sweepStateColumns, type SweepStateColumns } from './sweep-columns';

const state: SweepState = {
  id: 'sw-1',
  status: 'done',
  startedAt: 1,
  progress: null,
  error: null,
  result: {
    runs: 4,
    elapsedMs: 10,
    workers: 2,
    objective: 'sharpe',
    best: { params: { fast: 5, mode: 'close' }, metrics: { sharpe: 1.2 } },
    results: [{ params: { fast: 5, mode: 'close' }, metrics: { sharpe: 1.2 } }],
    failed: [],
    fingerprint: 'f',
    kernel: null,
    surface: {
      keys: ['fast', 'mode'],
      params: [
        [5, 10, 15],
        ['close', 'open', 'close'],
      ],
      objective: [1.2, null, -0.5],
    },
  },
};

describe('sweep results as columns over the API', () => {
  it('sends the surface as Float64Array columns with NaN for an undefined objective, across the WebSocket encoding', () => {
    const cols = sweepStateColumns(state);
    const back = decodeFrame(encodeFrame(cols)) as SweepStateColumns;
    const s = back.result!.surface!;
    expect(s.objective).toBeInstanceOf(Float64Array);
    expect(Array.from(s.objective)).toEqual([1.2, Number.NaN, -0.5]);
    expect(s.params[0]).toBeInstanceOf(Float64Array);
    expect(Array.from(s.params[0] as Float64Array)).toEqual([5, 10, 15]);
    // A text parameter stays its values.
    expect(s.params[1]).toEqual(['close', 'open', 'close']);
    // The rest is the output as the CLI prints it.
    expect(back.result!.results).toEqual(state.result!.results);
    expect(sweepStateColumns({ ...state, result: null }).result).toBeNull();
    expect(sweepStateColumns({ ...state, result: { ...state.result!, surface: null } }).result!.surface).toBeNull();
  });
});
