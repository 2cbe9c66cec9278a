import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolJob } from './protocol';
import { createThreadPool } from './thread-pool';
import { buildWorkerEntry } from './test-support';
import { CancelledError, type PoolProgress } from './types';

let entry: string;
beforeAll(async () => {
  entry = await buildWorkerEntry();
});

const spin = (value: number, ms = 0): PoolJob => ({ kind: 'diag:spin', data: { value, ms } });

describe('thread pool', () => {
  const pools: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const p of pools) await p.close();
  });

  it('returns one outcome per job, in order, spread over the workers, with monotone progress', async () => {
    const pool = createThreadPool({ workers: 2, dbPath: null, workerEntry: entry });
    pools.push(pool);
    // Every job burns 4 ms, so one worker alone needs over a second: long enough that the second worker
    // has started and taken batches even on a loaded CI machine (with instant jobs the first worker to
    // come up could drain the queue alone, and the spread assertion was flaky).
    const jobs = Array.from({ length: 300 }, (_, i) => spin(i, 4));
    const seen: PoolProgress[] = [];
    const out = await pool.run<{ value: number; square: number; worker: string }>(jobs, {
      onProgress: (p) => seen.push(p),
    });
    expect(out).toHaveLength(300);
    out.forEach((o, i) => {
      expect(o.ok && o.value.square).toBe(i * i);
    });
    const workers = new Set(out.map((o) => (o.ok ? o.value.worker : '')));
    expect(workers.size).toBe(2);
    // Batched: fewer progress reports than jobs, completed strictly increasing, ending at the total.
    expect(seen.length).toBeLessThan(300);
    for (let k = 1; k < seen.length; k++) expect(seen[k].completed).toBeGreaterThan(seen[k - 1].completed);
    expect(seen.at(-1)).toMatchObject({ completed: 300, total: 300, failed: 0, etaMs: 0 });
  });

  it('fails a throwing job as a value and an unknown kind as invalid-input, without touching the others', async () => {
    const pool = createThreadPool({ workers: 2, dbPath: null, workerEntry: entry });
    pools.push(pool);
    const out = await pool.run([
      spin(1),
      { kind: 'diag:throw', data: { message: 'boom' } },
      { kind: 'nope', data: null },
      spin(3),
    ]);
    expect(out[0]).toMatchObject({ ok: true, value: { square: 1 } });
    expect(out[1]).toEqual({ ok: false, error: { code: 'internal', message: 'boom' } });
    expect(out[2]).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(out[3]).toMatchObject({ ok: true, value: { square: 9 } });
  });

  it('replaces a crashed worker, retries its jobs once, and fails only the job that crashes again', async () => {
    const pool = createThreadPool({ workers: 2, dbPath: null, workerEntry: entry, maxBatch: 8 });
    pools.push(pool);
    // Instant jobs: by job 21 the pool sends two batches at a time, so the crash also loses the
    // batch queued behind it, which must still run exactly once.
    const jobs = Array.from({ length: 60 }, (_, i) => (i === 21 ? { kind: 'diag:crash', data: { code: 7 } } : spin(i)));
    const out = await pool.run<{ square: number }>(jobs);
    out.forEach((o, i) => {
      if (i === 21)
        expect(o).toMatchObject({
          ok: false,
          error: { code: 'internal', message: expect.stringMatching(/crashed twice.*code 7/) },
        });
      else expect(o.ok && o.value.square).toBe(i * i);
    });
    // The pool still works after the crash.
    const again = await pool.run<{ square: number }>([spin(5)]);
    expect(again[0].ok && again[0].value.square).toBe(25);
  });

  it('cancels promptly, killing busy workers, and runs again afterwards', async () => {
    const pool = createThreadPool({ workers: 2, dbPath: null, workerEntry: entry, maxBatch: 1 });
    pools.push(pool);
    const ac = new AbortController();
    const jobs = Array.from({ length: 40 }, (_, i) => spin(i, 200));
    let completedAtAbort = -1;
    const running = pool.run(jobs, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.completed >= 2 && completedAtAbort < 0) {
          completedAtAbort = p.completed;
          ac.abort();
        }
      },
    });
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    // 40 jobs × 200 ms on 2 workers would take 4 s; the abort landed after a few.
    expect(completedAtAbort).toBeLessThan(10);
    const again = await pool.run<{ square: number }>([spin(4), spin(6)]);
    expect(again.map((o) => o.ok && o.value.square)).toEqual([16, 36]);
  });

  it('rejects at once when the signal is already aborted, and returns [] for no jobs', async () => {
    const pool = createThreadPool({ workers: 1, dbPath: null, workerEntry: entry });
    pools.push(pool);
    await expect(pool.run([spin(1)], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CancelledError);
    await expect(pool.run([])).resolves.toEqual([]);
  });

  it('fails the run with a clear error when workers cannot open the store', async () => {
    const pool = createThreadPool({ workers: 1, dbPath: '/nonexistent/dir/x.db', workerEntry: entry });
    pools.push(pool);
    await expect(pool.run([spin(1)])).rejects.toThrow(/worker 0: .*(unable to open|directory does not exist|no such)/i);
  });
});
