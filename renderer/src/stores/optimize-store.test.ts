import { beforeEach, describe, expect, it } from 'vitest';
import { defaultValues, fieldsFromSchema } from '../lib/param-form';
import { setSetup, useBacktestStore } from './backtest-store';
import { parseWorkers, setAxis, setOptimizeOption, startSweep, useOptimizeStore } from './optimize-store';
import { useStrategiesStore } from './strategies-store';
import { installFakeApi } from './test-api';

const initial = useOptimizeStore.getState();
const fields = fieldsFromSchema({
  type: 'object',
  properties: { fast: { type: 'integer', default: 10 }, slow: { type: 'integer', default: 50 } },
});
const result = {
  runs: 4,
  elapsedMs: 10,
  workers: 2,
  objective: 'sharpe',
  best: { params: { fast: 5, slow: 40 }, metrics: { sharpe: 1.2 } },
  results: [{ params: { fast: 5, slow: 40 }, metrics: { sharpe: 1.2 } }],
  failed: [],
  fingerprint: 'f',
};

describe('optimize store', () => {
  beforeEach(() => {
    useOptimizeStore.setState(initial, true);
    useBacktestStore.setState({ setup: { ...useBacktestStore.getState().setup, symbols: '' } });
    useStrategiesStore.setState({ selected: 'sma-cross', fields, paramTexts: defaultValues(fields) });
  });

  it('asks for a valid Backtest setup first', async () => {
    const fake = installFakeApi({});
    setAxis(0, { param: 'fast', from: '5', to: '10', step: '5' });
    await startSweep();
    expect(useOptimizeStore.getState().formErrors.base).toMatch(/^Fix the Backtest setup first/);
    expect(fake.calls).toHaveLength(0);
  });

  it('starts the sweep, follows progress with the core ETA, and fetches the result when it finishes', async () => {
    const fake = installFakeApi({
      'sweep:start': () => ({ ok: true, value: { id: 's1' } }),
      'sweep:get': () => ({
        ok: true,
        value: { id: 's1', status: 'done', startedAt: 0, progress: null, result, error: null },
      }),
    });
    setSetup({ symbols: 'AAA' });
    setAxis(0, { param: 'fast', from: '5', to: '10', step: '5' });
    setAxis(1, { param: 'slow', from: '40', to: '50', step: '10' });
    const done = startSweep();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(useOptimizeStore.getState().running?.total).toBe(4);
    fake.emit('sweep:progressed', { id: 's1', completed: 2, total: 4, ratePerSec: 10, etaMs: 200 });
    expect(useOptimizeStore.getState().running).toMatchObject({ id: 's1', done: 2, etaMs: 200 });
    fake.emit('sweep:finished', { id: 's1', status: 'done', error: null });
    await done;
    const sweep = (fake.calls[0].input as { sweep: { grid: unknown; base: { params: unknown } } }).sweep;
    expect(sweep.grid).toEqual({ fast: { from: 5, to: 10, step: 5 }, slow: { from: 40, to: 50, step: 10 } });
    expect(sweep.base.params).toEqual({});
    expect(useOptimizeStore.getState().output?.best?.params).toEqual({ fast: 5, slow: 40 });
    expect(useOptimizeStore.getState().running).toBeNull();
  });

  it('passes the workers asked for, and explains a bad count without calling the host', async () => {
    expect(parseWorkers('')).toEqual({});
    expect(parseWorkers(' 2 ')).toEqual({ workers: 2 });
    expect(parseWorkers('0').error).toMatch(/1 to 64/);
    expect(parseWorkers('1.5').error).toMatch(/whole number/);
    const fake = installFakeApi({
      'sweep:start': () => ({ ok: true, value: { id: 's2' } }),
      'sweep:get': () => ({
        ok: true,
        value: { id: 's2', status: 'done', startedAt: 0, progress: null, result, error: null },
      }),
    });
    setSetup({ symbols: 'AAA' });
    setAxis(0, { param: 'fast', from: '5', to: '10', step: '5' });
    setOptimizeOption({ workers: 'many' });
    await startSweep();
    expect(useOptimizeStore.getState().formErrors.workers).toMatch(/whole number/);
    expect(fake.calls).toHaveLength(0);
    setOptimizeOption({ workers: '1' });
    const done = startSweep();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    fake.emit('sweep:progressed', { id: 's2', completed: 1, total: 2, ratePerSec: 10, etaMs: 100 });
    fake.emit('sweep:finished', { id: 's2', status: 'done', error: null });
    await done;
    expect(fake.calls[0]).toMatchObject({ channel: 'sweep:start', input: { workers: 1 } });
  });

  // Issue 11, item 7: the previous sweep's heatmap and best stayed on screen under the cancelled banner.
  it("clears the previous sweep's result when a new one starts, and a cancelled one says so without showing the old best", async () => {
    let status: 'done' | 'cancelled' = 'done';
    const fake = installFakeApi({
      'sweep:start': () => ({ ok: true, value: { id: status === 'done' ? 's1' : 's2' } }),
      'sweep:get': () => ({
        ok: true,
        value: {
          id: 'x',
          status,
          startedAt: 0,
          progress: null,
          result: status === 'done' ? result : null,
          error: status === 'done' ? null : 'cancelled',
        },
      }),
    });
    setSetup({ symbols: 'AAA' });
    setAxis(0, { param: 'fast', from: '5', to: '10', step: '5' });
    let done = startSweep();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    fake.emit('sweep:finished', { id: 's1', status: 'done', error: null });
    await done;
    expect(useOptimizeStore.getState().output).not.toBeNull();
    status = 'cancelled';
    done = startSweep();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(useOptimizeStore.getState().output).toBeNull();
    fake.emit('sweep:progressed', { id: 's2', completed: 1, total: 2, ratePerSec: 10, etaMs: 100 });
    fake.emit('sweep:finished', { id: 's2', status: 'cancelled', error: 'cancelled' });
    await done;
    const s = useOptimizeStore.getState();
    expect(s.output).toBeNull();
    expect(s.error).toEqual({
      code: 'cancelled',
      message: 'Sweep cancelled after 1 of 2 combinations: no result (run it again to see a heatmap).',
    });
  });
});
