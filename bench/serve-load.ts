import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createSyntheticStore } from '../core/optimize/synthetic-market';
import { TestClient } from '../core/serve/test-client';
import type { BenchRow } from './harness';

/** The host as users run it: `quantdesk serve` in its own process, so its RSS is its own. */
export interface ServedHost {
  readonly child: ChildProcess;
  readonly port: number;
  readonly token: string;
  readonly wsUrl: string;
  stop(): Promise<void>;
}

/** Starts `node bin/quantdesk.js serve --db DB` and waits for its URL line. */
export async function startServedHost(root: string, db: string): Promise<ServedHost> {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/quantdesk.js'), 'serve', '--db', db, '--static', join(root, 'out', 'renderer')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.resume();
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /serving at (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`quantdesk serve exited ${code}`)));
  });
  const u = new URL(url);
  const token = u.searchParams.get('token')!;
  return {
    child,
    port: Number(u.port),
    token,
    wsUrl: `ws://127.0.0.1:${u.port}/ws?token=${token}`,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

/** The host's resident set size in MB (Linux /proc). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function pct(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * q))];
}

/** Calls `app:info` one after another until `until` settles (or for `ms` when idle); returns a row of latency percentiles. */
async function probe(
  client: TestClient,
  name: string,
  until: Promise<unknown> | number,
  baseline = false,
): Promise<BenchRow> {
  const times: number[] = [];
  let done = false;
  if (typeof until === 'number') setTimeout(() => (done = true), until);
  else void until.finally(() => (done = true));
  while (!done) {
    const t0 = performance.now();
    await client.call('app:info');
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  times.sort((a, b) => a - b);
  const p99 = pct(times, 0.99);
  return {
    name,
    baseline,
    median: pct(times, 0.5),
    p10: pct(times, 0.1),
    p90: pct(times, 0.9),
    runs: times.length,
    note: `p99 ${p99.toFixed(1)} ms, max ${times.at(-1)!.toFixed(1)} ms (target p99 < 50 ms)`,
  };
}

/**
 * `app:info` latency on a served host, idle (the baseline) and while heavy calls run from other
 * clients: Monte Carlo of a million paths, backtests over a 300-name universe, and a sweep.
 */
export async function latencyUnderLoad(root: string, dir: string): Promise<BenchRow[]> {
  const db = join(dir, 'load.db');
  createSyntheticStore(db, { symbols: 300, days: 1500, seed: 7 }).close();
  const host = await startServedHost(root, db);
  const probeClient = await TestClient.connect(host.wsUrl);
  const heavy = await TestClient.connect(host.wsUrl);
  try {
    const idle = await probe(probeClient, 'app:info, idle host', 3000, true);
    const spec = {
      strategy: 'sma-cross',
      symbols: ['S0000', 'S0001'],
      params: { fast: 5, slow: 40 },
      start: '2019-01-01',
    };
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 3; i++)
      calls.push(heavy.call('montecarlo:run', { spec, paths: 1_000_000, method: 'returns', seed: i + 1 }));
    for (let i = 0; i < 3; i++)
      calls.push(
        heavy.call('backtest:run', {
          spec: { strategy: 'sma-cross', universe: 'all', params: { fast: 5 + i, slow: 50 } },
          save: false,
        }),
      );
    const sweep = {
      base: { strategy: 'sma-cross', symbols: ['S0000', 'S0001', 'S0002'] },
      grid: { fast: { from: 2, to: 40, step: 1 }, slow: { from: 41, to: 120, step: 2 } },
      engine: 'exact',
    };
    calls.push(heavy.call('sweep:start', { sweep }));
    const t0 = performance.now();
    const all = Promise.all(calls);
    const loaded = await probe(
      probeClient,
      'app:info while 3 × montecarlo:run (1e6 paths × 450 bars), 3 × backtest:run (universe all: 300 names × 1,500 days) and a 1,560-run sweep run',
      all,
    );
    const replies = (await all) as { ok?: boolean }[];
    const failed = replies.filter((r) => !r.ok).length;
    return [
      idle,
      {
        ...loaded,
        note: `${loaded.note}; heavy calls took ${((performance.now() - t0) / 1000).toFixed(1)} s${failed ? `, ${failed} failed` : ''}`,
      },
    ];
  } finally {
    await probeClient.close();
    await heavy.close();
    await host.stop();
  }
}

/** Host RSS (MB) idle, after a flood of 60 MB frames, and after 3,000 connection attempts. */
export async function rssUnderFloods(root: string, dir: string): Promise<{ name: string; mb: number; note: string }[]> {
  const db = join(dir, 'flood.db');
  createSyntheticStore(db, { symbols: 2, days: 100, seed: 1 }).close();
  const host = await startServedHost(root, db);
  const pid = host.child.pid!;
  const rows: { name: string; mb: number; note: string }[] = [];
  try {
    const check = await TestClient.connect(host.wsUrl);
    await check.call('app:info');
    await check.close();
    rows.push({ name: 'idle host (baseline)', mb: rssMb(pid), note: '' });

    const frame = Buffer.alloc(60 * 1024 * 1024, 0x61);
    let closed = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const c = await TestClient.connect(host.wsUrl);
        await new Promise<void>((r) => {
          c.socket.once('close', () => r());
          c.socket.once('error', () => r());
          c.socket.send(frame, { binary: false }, () => undefined);
        });
        closed++;
        peak = Math.max(peak, rssMb(pid));
      }),
    );
    rows.push({
      name: '10 × 60 MB frames at once',
      mb: rssMb(pid),
      note: `${closed}/10 sockets closed by the host (1009); peak seen ${peak.toFixed(0)} MB`,
    });

    const sockets: WebSocket[] = [];
    let accepted = 0;
    let refused = 0;
    let dropped = 0;
    await Promise.all(
      Array.from(
        { length: 3000 },
        () =>
          new Promise<void>((r) => {
            const s = new WebSocket(host.wsUrl, { headers: { origin: `http://127.0.0.1:${host.port}` } });
            sockets.push(s);
            s.once('open', () => (accepted++, r()));
            s.once('unexpected-response', () => (refused++, r()));
            s.once('error', () => (dropped++, r()));
          }),
      ),
    );
    rows.push({
      name: '3,000 WebSocket connections attempted, held open',
      mb: rssMb(pid),
      note: `${accepted} accepted, ${refused} refused (503), ${dropped} dropped at the socket limit`,
    });
    for (const s of sockets) s.terminate();
    const after = await TestClient.connect(host.wsUrl);
    const ok = (await after.call('app:info')).ok;
    await after.close();
    rows.push({ name: 'after the floods', mb: rssMb(pid), note: `host still answers: ${ok}` });
    return rows;
  } finally {
    await host.stop();
  }
}
