import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBullPool } from './bull-pool';
import type { PoolJob } from './protocol';
import { startTestRedis, type TestRedis } from './redis-test-server';
import { CancelledError, type PoolProgress } from './types';

const root = join(__dirname, '..', '..');
let redis: TestRedis;
const children: ChildProcess[] = [];

/** Starts a real `bin/quantdesk.js worker` process and resolves once it listens. */
function startWorker(url: string, queue: string, extra: string[] = []): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/quantdesk.js'), 'worker', '--redis', url, '--queue', queue, '--lock-ms', '1500', ...extra],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let log = '';
    child.stderr!.on('data', (b: Buffer) => {
      log += b.toString();
      if (log.includes('listening on')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${log}`)));
  });
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { cwd: root, stdio: 'inherit' });
  redis = await startTestRedis();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await redis?.stop();
});

const spin = (value: number, ms: number): PoolJob => ({ kind: 'diag:spin', data: { value, ms } });

describe('BullMQ cluster pool with real quantdesk worker processes', () => {
  it('completes a sweep with every result exactly once when a worker is SIGKILLed mid-sweep', async () => {
    const queue = 'q-kill';
    const [a] = await Promise.all([startWorker(redis.url, queue), startWorker(redis.url, queue)]);
    const pool = createBullPool({ url: redis.url, queue, size: 2, maxBatch: 4 });
    try {
      expect(await pool.workers()).toBeGreaterThanOrEqual(2);
      const jobs = Array.from({ length: 160 }, (_, i) => spin(i, 20));
      const seen: PoolProgress[] = [];
      let killedAt = -1;
      const out = await pool.run<{ square: number; worker: string }>(jobs, {
        onProgress: (p) => {
          seen.push(p);
          if (killedAt < 0 && p.completed >= 40) {
            killedAt = p.completed;
            a.kill('SIGKILL');
          }
        },
      });
      expect(killedAt).toBeGreaterThan(0);
      expect(out).toHaveLength(160);
      out.forEach((o, i) => expect(o.ok && o.value.square).toBe(i * i));
      // Both processes worked before the kill.
      expect(new Set(out.map((o) => (o.ok ? o.value.worker.split(':')[0] : ''))).size).toBe(2);
      // Counted once each: progress rises strictly and ends exactly at the total.
      for (let k = 1; k < seen.length; k++) expect(seen[k].completed).toBeGreaterThan(seen[k - 1].completed);
      expect(seen.at(-1)!.completed).toBe(160);
    } finally {
      await pool.close();
    }
  });

  it('runs one consumer thread per --concurrency on a node', async () => {
    const queue = 'q-conc';
    await startWorker(redis.url, queue, ['--concurrency', '2']);
    const pool = createBullPool({ url: redis.url, queue, size: 2, maxBatch: 2 });
    try {
      const out = await pool.run<{ square: number; worker: string }>(Array.from({ length: 40 }, (_, i) => spin(i, 15)));
      out.forEach((o, i) => expect(o.ok && o.value.square).toBe(i * i));
      // One process, two consumers (workerId 0 and 1).
      const where = new Set(out.map((o) => (o.ok ? o.value.worker : '')));
      expect(new Set([...where].map((w) => w.split(':')[0])).size).toBe(1);
      expect(where.size).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('reports a job that kills its node twice as failed, and cancels a run promptly', async () => {
    const queue = 'q-crash';
    await Promise.all([startWorker(redis.url, queue), startWorker(redis.url, queue), startWorker(redis.url, queue)]);
    const pool = createBullPool({ url: redis.url, queue, size: 3, maxBatch: 1 });
    try {
      const out = await pool.run([
        spin(2, 0),
        { kind: 'diag:crash', data: {} },
        { kind: 'diag:throw', data: { message: 'bad' } },
      ]);
      expect(out[0]).toMatchObject({ ok: true, value: { square: 4 } });
      expect(out[1]).toMatchObject({
        ok: false,
        error: { code: 'internal', message: expect.stringMatching(/stalled/) },
      });
      expect(out[2]).toEqual({ ok: false, error: { code: 'internal', message: 'bad' } });

      const ac = new AbortController();
      const started = Date.now();
      const running = pool.run(
        Array.from({ length: 200 }, (_, i) => spin(i, 50)),
        { signal: ac.signal, onProgress: (p) => p.completed >= 2 && ac.abort() },
      );
      await expect(running).rejects.toBeInstanceOf(CancelledError);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await pool.close();
    }
  });
});
