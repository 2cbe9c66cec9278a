import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JOB_TABLE } from '../../core/pool/job-table';
import { LOCAL_PANELS } from '../../core/pool/panel-source';
import type { FromWorker, PoolJob, ToWorker } from '../../core/pool/protocol';
import { CancelledError } from '../../core/pool/types';
import { createWorkerHost } from '../../core/pool/worker-host';
import { parseBase } from '../../core/optimize/sweep';
import { SweepSpecSchema } from '../../core/optimize/sweep-spec';
import { backtestJob, panelRefFor } from '../../core/optimize/backtest-job';
import { runSpecOnStore } from '../../core/backtest/run';
import { createSyntheticStore } from '../../core/optimize/synthetic-market';
import type { Store } from '../../core/store/sqlite-bar-store';

/**
 * A stand-in for Electron's UtilityProcess: the real worker host runs in this process behind the
 * same events ('spawn', 'message', 'exit'); a batch holding `diag:crash` makes it "die" instead.
 */
class FakeChild extends EventEmitter {
  static forks: { entry: string; options: { serviceName?: string }; child: FakeChild }[] = [];
  readonly received: ToWorker[] = [];
  #dead = false;
  readonly #host = createWorkerHost(
    JOB_TABLE,
    (m: FromWorker) => setImmediate(() => !this.#dead && this.emit('message', m)),
    LOCAL_PANELS,
  );
  constructor() {
    super();
    setImmediate(() => this.emit('spawn'));
  }
  postMessage(m: ToWorker): void {
    if (this.#dead) throw new Error('posted to a dead process');
    this.received.push(m);
    if (m.type === 'batch' && m.jobs.some((j) => j.kind === 'diag:crash')) {
      setImmediate(() => this.kill(13));
      return;
    }
    setImmediate(() => this.#host(m));
  }
  get dead(): boolean {
    return this.#dead;
  }
  kill(code = 0): boolean {
    if (this.#dead) return false;
    this.#dead = true;
    setImmediate(() => this.emit('exit', code));
    return true;
  }
}

vi.mock('electron', () => ({
  utilityProcess: {
    fork: (entry: string, _args: string[], options: { serviceName?: string }) => {
      const child = new FakeChild();
      FakeChild.forks.push({ entry, options, child });
      return child;
    },
  },
}));

const { createUtilityPool, defaultSimWorkerEntry } = await import('./utility-pool');

let dir: string;
let store: Store;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-utility-'));
  store = createSyntheticStore(join(dir, 'u.db'), { symbols: 2, days: 200, seed: 9 });
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const spin = (value: number): PoolJob => ({ kind: 'diag:spin', data: { value } });

describe('utility-process pool', () => {
  it('forks one process per worker on the bundled entry, queues messages until spawn, and returns real results in order', async () => {
    FakeChild.forks = [];
    const pool = createUtilityPool({ dbPath: store.path, workers: 2, entry: '/app/out/workers/sim.js' });
    const sweep = SweepSpecSchema.parse({
      base: { strategy: 'sma-cross', symbols: ['S0000', 'S0001'] },
      grid: { fast: [3, 5], slow: [20] },
    });
    const base = parseBase(sweep);
    const ref = panelRefFor(store, base);
    const jobs = [spin(3), backtestJob(ref, { ...base, params: { fast: 5, slow: 20 } }), spin(4)];
    const out = await pool.run<{ square?: number; metrics?: unknown }>(jobs);
    expect(FakeChild.forks.map((f) => f.entry)).toEqual(['/app/out/workers/sim.js', '/app/out/workers/sim.js']);
    expect(FakeChild.forks[0].options.serviceName).toMatch(/QuantDesk simulation 0/);
    // The init message went first, though it was posted before the process spawned.
    for (const f of FakeChild.forks) expect(f.child.received[0]).toMatchObject({ type: 'init', dbPath: store.path });
    expect(out[0]).toMatchObject({ ok: true, value: { square: 9 } });
    expect(out[2]).toMatchObject({ ok: true, value: { square: 16 } });
    expect(out[1].ok && out[1].value.metrics).toEqual(
      runSpecOnStore(store, { ...base, params: { fast: 5, slow: 20 } }).result.metrics,
    );
    await pool.close();
  });

  it('replaces a process that dies, retries its jobs once, then reports the job as failed', async () => {
    FakeChild.forks = [];
    const pool = createUtilityPool({ dbPath: store.path, workers: 1 });
    const out = await pool.run([spin(1), { kind: 'diag:crash', data: {} }, spin(2)]);
    expect(out[0]).toMatchObject({ ok: true });
    expect(out[1]).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringMatching(/crashed twice.*code 13/) },
    });
    expect(out[2]).toMatchObject({ ok: true, value: { square: 4 } });
    // First process, its replacement after the first crash, and another after the retry crashed.
    expect(FakeChild.forks.length).toBe(3);
    await pool.close();
  });

  it('kills every process on cancel and reports CancelledError', async () => {
    FakeChild.forks = [];
    const pool = createUtilityPool({ dbPath: store.path, workers: 2 });
    const ac = new AbortController();
    let seen = 0;
    const running = pool.run(
      Array.from({ length: 50 }, (_, i) => spin(i)),
      { signal: ac.signal, onProgress: (p) => ((seen = p.completed), ac.abort()) },
    );
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(seen).toBeLessThan(50);
    expect(FakeChild.forks).toHaveLength(2);
    expect(FakeChild.forks.every((f) => f.child.dead)).toBe(true);
    await pool.close();
  });

  it('finds the bundled entry beside out/main', () => {
    expect(defaultSimWorkerEntry('/app/out/main')).toBe('/app/out/workers/sim.js');
  });
});
