import { beforeEach, describe, expect, it } from 'vitest';
import {
  cancelBacktest,
  compareWith,
  resetBacktestEvents,
  runBacktest,
  setSetup,
  useBacktestStore,
} from './backtest-store';
import { useMarksStore } from './marks-store';
import { useStrategiesStore } from './strategies-store';
import { installFakeApi } from './test-api';
import { sampleRun } from './test-fixtures';
import { fieldsFromSchema, defaultValues } from '../lib/param-form';

const initial = useBacktestStore.getState();
const fields = fieldsFromSchema({ type: 'object', properties: { fast: { type: 'integer', minimum: 1, default: 10 } } });

function detail(id: string) {
  return {
    id,
    kind: 'backtest',
    status: 'finished',
    strategy: 'sma-cross',
    createdAt: '2026-01-01T00:00:00Z',
    finishedAt: null,
    engineVersion: '1',
    dataFingerprint: 'x',
    metrics: sampleRun.metrics,
    spec: sampleRun.spec,
    result: { ...sampleRun, runId: id },
    audit: [],
  };
}

describe('backtest store', () => {
  beforeEach(() => {
    resetBacktestEvents();
    useBacktestStore.setState(initial, true);
    useMarksStore.setState({ marks: [] });
    useStrategiesStore.setState({ selected: 'sma-cross', fields, paramTexts: defaultValues(fields) });
  });

  it('refuses to start with per-field messages', async () => {
    const fake = installFakeApi({});
    await runBacktest();
    expect(useBacktestStore.getState().formErrors['setup.symbols']).toBe('Enter at least one symbol, or a universe');
    expect(fake.calls).toHaveLength(0);
  });

  it('shows the result the finished event carries, with its benchmark, without runs:get or data:bars', async () => {
    let emitLater: (() => void) | null = null;
    const fake = installFakeApi({
      'backtest:start': () => {
        emitLater = () =>
          fake.emit('backtest:finished', {
            runId: 'r7',
            status: 'finished',
            error: null,
            result: {
              ...sampleRun,
              runId: 'r7',
              benchmark: { symbol: 'SPX', time: Float64Array.of(1, 2), close: Float64Array.of(50, 55) },
            },
          });
        return { ok: true, value: { runId: 'r7' } };
      },
      'runs:list': () => ({ ok: true, value: [] }),
    });
    setSetup({ symbols: 'aaa', benchmark: 'spx' });
    const done = runBacktest();
    await Promise.resolve();
    await Promise.resolve();
    emitLater!();
    await done;
    const s = useBacktestStore.getState();
    expect(s.runId).toBe('r7');
    expect(s.result?.equity.value).toBe(sampleRun.equity.value);
    expect(Array.from(s.benchmark!.close)).toEqual([50, 55]);
    expect(fake.calls.map((c) => c.channel).filter((c) => c === 'runs:get' || c === 'data:bars')).toEqual([]);
  });

  it('starts, follows progress, and on finish loads the stored run with markers and the benchmark', async () => {
    let emitLater: (() => void) | null = null;
    const fake = installFakeApi({
      'backtest:start': () => {
        emitLater = () => {
          fake.emit('backtest:progressed', { runId: 'r9', fraction: 0.5 });
          fake.emit('backtest:finished', { runId: 'r9', status: 'finished', error: null });
        };
        return { ok: true, value: { runId: 'r9' } };
      },
      'runs:get': (input) => ({ ok: true, value: detail((input as { id: string }).id) }),
      'runs:list': () => ({ ok: true, value: [] }),
      'data:bars': () => ({
        ok: true,
        value: {
          symbol: 'SPX',
          time: new Float64Array([1, 2]),
          open: new Float64Array([1, 1]),
          high: new Float64Array([1, 1]),
          low: new Float64Array([1, 1]),
          close: new Float64Array([50, 55]),
          volume: new Float64Array([0, 0]),
        },
      }),
    });
    setSetup({ symbols: 'aaa', benchmark: 'spx' });
    const done = runBacktest();
    await Promise.resolve();
    await Promise.resolve();
    expect(useBacktestStore.getState().running).not.toBeNull();
    emitLater!();
    await done;
    const s = useBacktestStore.getState();
    expect(fake.calls[0]).toEqual({
      channel: 'backtest:start',
      input: {
        spec: expect.objectContaining({
          strategy: 'sma-cross',
          symbols: ['AAA'],
          params: { fast: 10 },
          benchmark: 'SPX',
        }),
      },
    });
    expect(s.running).toBeNull();
    expect(s.runId).toBe('r9');
    expect(s.result?.metrics.sharpe).toBe(1.23);
    expect(Array.from(s.benchmark!.close)).toEqual([50, 55]);
    expect(useMarksStore.getState().marks.map((m) => m.side)).toEqual(['buy', 'sell']);
  });

  it('handles a run that finishes before start answers, and reports a cancelled run', async () => {
    const fake = installFakeApi({
      'backtest:start': () => {
        fake.emit('backtest:finished', { runId: 'r1', status: 'cancelled', error: null });
        return { ok: true, value: { runId: 'r1' } };
      },
      'backtest:cancel': () => ({ ok: true, value: { cancelled: true } }),
    });
    setSetup({ symbols: 'AAA' });
    await runBacktest();
    expect(useBacktestStore.getState().error?.code).toBe('cancelled');
    expect(useBacktestStore.getState().running).toBeNull();
    useBacktestStore.setState({ running: { runId: 'r2', fraction: 0.1, startedAt: 0 } });
    await cancelBacktest();
    expect(fake.calls.at(-1)).toEqual({ channel: 'backtest:cancel', input: { runId: 'r2' } });
  });

  it('loads a second run to compare, and shows an API error in place', async () => {
    installFakeApi({
      'runs:get': (input) =>
        (input as { id: string }).id === 'gone'
          ? { ok: false, error: { code: 'not-found', message: 'no run gone' } }
          : { ok: true, value: detail('b') },
    });
    await compareWith('b');
    expect(useBacktestStore.getState().compare?.runId).toBe('b');
    await compareWith('gone');
    expect(useBacktestStore.getState().error?.message).toBe('no run gone');
    await compareWith(null);
    expect(useBacktestStore.getState().compare).toBeNull();
  });
});
