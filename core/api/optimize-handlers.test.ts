import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, Events, SweepState } from '../contract';
import { createSyntheticStore } from '../optimize/synthetic-market';
import { buildWorkerEntry } from '../pool/test-support';
import { createThreadPool } from '../pool/thread-pool';
import type { Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { optimizeHandlers } from './optimize-handlers';
import { dispatch, type Handlers } from './registry';
import { createServices, disposeServices, type Services } from './services';

let dir: string;
let store: Store;
let services: Services;
let handlers: Handlers;
const events: { channel: EventChannel; payload: unknown }[] = [];
/** Sizes of the pools the services created. */
const poolsCreated: number[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-opt-api-'));
  store = createSyntheticStore(join(dir, 'm.db'), { symbols: 2, days: 260, seed: 3 });
  const workerEntry = await buildWorkerEntry();
  services = createServices({
    store,
    dbPath: store.path,
    host: 'serve',
    emit: <E extends EventChannel>(channel: E, payload: Events[E]) => void events.push({ channel, payload }),
    createPool: (workers) => {
      poolsCreated.push(workers ?? 2);
      return createThreadPool({ workers: workers ?? 2, dbPath: store.path, workerEntry });
    },
    poolSize: 2,
  });
  handlers = optimizeHandlers(services) as unknown as Handlers;
});

afterAll(async () => {
  await disposeServices(services);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ctx = () => ({ signal: new AbortController().signal });
const sweep = {
  base: { strategy: 'sma-cross', symbols: ['S0000', 'S0001'] },
  grid: { fast: { from: 2, to: 12, step: 2 }, slow: [20, 30] },
  constraints: ['fast < slow'],
  top: 4,
};

async function waitFinished(id: string): Promise<SweepState> {
  for (;;) {
    const r = await dispatch(handlers, 'sweep:get', { id }, ctx());
    if (r.ok && (r.value as SweepState).status !== 'running') return r.value as SweepState;
    await new Promise((res) => setTimeout(res, 20));
  }
}

describe('optimize handlers', () => {
  it('starts a sweep, emits progress and finished events, and returns the result by id', async () => {
    const started = await dispatch(handlers, 'sweep:start', { sweep }, ctx());
    expect(started.ok).toBe(true);
    const id = (started as { value: { id: string } }).value.id;
    const state = await waitFinished(id);
    expect(state.status).toBe('done');
    expect(state.result!.runs).toBe(12);
    expect(state.result!.results).toHaveLength(4);
    const mine = events.filter((e) => (e.payload as { id: string }).id === id);
    const progress = mine
      .filter((e) => e.channel === 'sweep:progressed')
      .map((e) => e.payload as { completed: number; total: number });
    expect(progress.at(-1)).toMatchObject({ completed: 12, total: 12 });
    expect(mine.at(-1)).toEqual({ channel: 'sweep:finished', payload: { id, status: 'done', error: null } });
    const list = await dispatch(handlers, 'sweep:list', undefined, ctx());
    expect(list.ok && (list.value as SweepState[]).some((s) => s.id === id)).toBe(true);
    expect(state.result!.workers).toBe(2);
  });

  it('runs a sweep on the number of workers asked for, with the same results', async () => {
    const one = await dispatch(handlers, 'sweep:start', { sweep, workers: 1 }, ctx());
    expect(one.ok).toBe(true);
    const state = await waitFinished((one as { value: { id: string } }).value.id);
    expect(state.status).toBe('done');
    expect(state.result!.workers).toBe(1);
    const two = await waitFinished(
      ((await dispatch(handlers, 'sweep:start', { sweep }, ctx())) as { value: { id: string } }).value.id,
    );
    expect(state.result!.results).toEqual(two.result!.results);
    const bad = await dispatch(handlers, 'sweep:start', { sweep, workers: 0 }, ctx());
    expect(bad.ok === false && bad.error.code).toBe('invalid-input');
  });

  it("runs every sweep on one shared pool of the host's size, and refuses more workers than it has", async () => {
    for (const workers of [1, 2, undefined, 1]) {
      const r = await dispatch(handlers, 'sweep:start', { sweep, workers }, ctx());
      expect((await waitFinished((r as { value: { id: string } }).value.id)).status).toBe('done');
    }
    // Sweeps share one pool of 2 (Monte Carlo and single backtests have their own one-worker pool).
    expect(poolsCreated.filter((n) => n === 2)).toHaveLength(1);
    const many = await dispatch(handlers, 'sweep:start', { sweep, workers: 3 }, ctx());
    expect(many).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/^workers: at most 2 on this host/) },
    });
    expect(services.optimize.list().length).toBeGreaterThan(0);
  });

  it('rejects a bad sweep with the field named, and an unknown id as not-found', async () => {
    const bad = await dispatch(
      handlers,
      'sweep:start',
      { sweep: { ...sweep, base: { ...sweep.base, capital: 0 } } },
      ctx(),
    );
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/sweep\.base\.capital/) },
    });
    const bad2 = await dispatch(handlers, 'sweep:start', { sweep: { ...sweep, top: 0 } }, ctx());
    expect(bad2).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/sweep\.top/) },
    });
    expect(await dispatch(handlers, 'sweep:get', { id: 'nope' }, ctx())).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
    expect(await dispatch(handlers, 'sweep:cancel', { id: 'nope' }, ctx())).toEqual({
      ok: true,
      value: { cancelled: false },
    });
  });

  it('validates every spec behind the API before any work, naming the field', async () => {
    const all = createHandlers(services);
    const cases: [string, unknown, RegExp][] = [
      ['sweep:start', { sweep: { ...sweep, objective: 'sharpness' } }, /sweep\.objective: expected a metric name/],
      [
        'sweep:start',
        { sweep: { ...sweep, grid: { fast: [2], speed: [1] } } },
        /sweep\.grid\.speed: not a parameter of sma-cross/,
      ],
      [
        'sweep:start',
        { sweep: { ...sweep, base: { ...sweep.base, strategy: 'nope' } } },
        /sweep\.base\.strategy: unknown strategy "nope"/,
      ],
      ['sweep:start', { sweep: { ...sweep, constraints: ['x'.repeat(1_000_001)] } }, /sweep\.constraints\.0: /],
      [
        'sweep:start',
        { sweep: { ...sweep, search: { kind: 'random', samples: 3_000_000 } } },
        /sweep\.search\.samples: /,
      ],
      [
        'walkforward:run',
        { sweep: { ...sweep, base: { ...sweep.base, symbols: ['NOPE'] } }, train: 120, test: 60 },
        /base\.symbols: unknown symbol "NOPE"/,
      ],
      [
        'montecarlo:run',
        { spec: { strategy: 'sma-cross', symbols: ['S0000'], params: { fast: 'x' } } },
        /spec\.params\.fast: /,
      ],
      ['montecarlo:run', { spec: { strategy: 'sma-cross', symbols: ['S0000'] }, paths: 1e12 }, /paths: /],
      ['backtest:run', { spec: { strategy: 'sma-cross', symbols: ['S0000'], capital: 1e308 } }, /spec\.capital: /],
      [
        'backtest:run',
        { spec: { strategy: 'sma-cross', symbols: ['S0000'], benchmark: 'NADA' } },
        /benchmark: unknown symbol "NADA"/,
      ],
    ];
    const sweepsBefore = services.optimize.list().length;
    for (const [method, input, message] of cases) {
      const r = await dispatch(all, method, input, ctx());
      expect(r, `${method} ${message}`).toMatchObject({
        ok: false,
        error: { code: 'invalid-input', message: expect.stringMatching(message) },
      });
    }
    expect(services.optimize.list().length).toBe(sweepsBefore);
  });

  it('cancels a running sweep', async () => {
    const big = { ...sweep, grid: { fast: { from: 2, to: 60, step: 1 }, slow: { from: 61, to: 120, step: 1 } } };
    const started = await dispatch(handlers, 'sweep:start', { sweep: big }, ctx());
    const id = (started as { value: { id: string } }).value.id;
    expect(await dispatch(handlers, 'sweep:cancel', { id }, ctx())).toEqual({ ok: true, value: { cancelled: true } });
    const state = await waitFinished(id);
    expect(state.status).toBe('cancelled');
  });

  it('runs walk-forward and Monte Carlo (same seed, same numbers)', async () => {
    const wf = await dispatch(handlers, 'walkforward:run', { sweep, train: 120, test: 60 }, ctx());
    expect(wf.ok).toBe(true);
    expect((wf as { value: { windows: unknown[] } }).value.windows).toHaveLength(3);
    const spec = { strategy: 'sma-cross', symbols: ['S0000'], params: { fast: 4, slow: 20 } };
    const a = await dispatch(handlers, 'montecarlo:run', { spec, paths: 300, method: 'returns', seed: 5 }, ctx());
    const b = await dispatch(handlers, 'montecarlo:run', { spec, paths: 300, method: 'returns', seed: 5 }, ctx());
    expect(a.ok).toBe(true);
    expect(a).toEqual(b);
    expect(await dispatch(handlers, 'montecarlo:run', { paths: 10 }, ctx())).toMatchObject({
      ok: false,
      error: { code: 'invalid-input' },
    });
  });

  it("runs Monte Carlo off the host's thread: the event loop keeps turning during a 100,000-path run", async () => {
    const all = createHandlers(services);
    const spec = { strategy: 'sma-cross', symbols: ['S0000'], params: { fast: 4, slow: 20 } };
    const run = await dispatch(all, 'backtest:run', { spec }, ctx());
    const runId = (run as { value: { runId: string } }).value.runId;
    // On the host's thread this run blocks it for a second or more; on a worker, not at all.
    let last = Date.now();
    let worst = 0;
    const tick = setInterval(() => {
      const now = Date.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 5);
    try {
      const r = await dispatch(all, 'montecarlo:run', { runId, paths: 100_000, method: 'returns', seed: 2 }, ctx());
      expect(r.ok).toBe(true);
      expect((r as { value: { paths: number } }).value.paths).toBe(100_000);
      // A block right before the reply shows at the next tick: let one come.
      await new Promise((res) => setTimeout(res, 30));
    } finally {
      clearInterval(tick);
    }
    expect(worst).toBeLessThan(250);
  });
});
