import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestRedis } from '../../pool/redis-test-server';

// Kubernetes (and systemd, and docker stop) send SIGTERM and wait a grace period before SIGKILL:
// a node must stop within seconds, whatever state its Redis is in. Real processes, real signals.
const root = join(__dirname, '..', '..', '..');
let dir: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { cwd: root, stdio: 'ignore' });
  dir = mkdtempSync(join(tmpdir(), 'qd-signals-'));
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]): { child: ChildProcess; output: () => string; waitFor: (re: RegExp) => Promise<void> } {
  const child = spawn(process.execPath, [join(root, 'bin/quantdesk.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const waiters: [RegExp, () => void][] = [];
  const onData = (b: Buffer) => {
    out += b.toString();
    for (const [re, r] of waiters) if (re.test(out)) r();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return {
    child,
    output: () => out,
    waitFor: (re) => new Promise<void>((r) => (re.test(out) ? r() : waiters.push([re, r]))),
  };
}

/** Sends SIGTERM and resolves with the exit code and the milliseconds it took (rejects after 10 s). */
function terminate(child: ChildProcess): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('still running 10 s after SIGTERM')), 10_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - t0 });
    });
    child.kill('SIGTERM');
  });
}

describe('SIGTERM', () => {
  it('stops `quantdesk worker` within a few seconds after its Redis went away', async () => {
    const redis = await startTestRedis();
    const w = start(['worker', '--redis', redis.url]);
    await w.waitFor(/listening on/);
    await redis.stop();
    await w.waitFor(/redis: .*retrying/);
    const { code, ms } = await terminate(w.child);
    expect(code, w.output()).toBe(0);
    expect(ms).toBeLessThan(5_000);
    // One line per outage, not a stack trace per reconnect attempt.
    expect(w.output()).not.toMatch(/Unhandled error event/);
  }, 20_000);

  it('stops `quantdesk worker` that never reached its Redis', async () => {
    const w = start(['worker', '--redis', `redis://127.0.0.1:${await freePort()}`]);
    await w.waitFor(/redis: .*retrying/);
    const { code, ms } = await terminate(w.child);
    expect(code, w.output()).toBe(0);
    expect(ms).toBeLessThan(5_000);
  }, 20_000);

  it('stops `quantdesk serve` within a few seconds', async () => {
    const s = start(['serve', '--db', join(dir, 's.db'), '--static', join(dir, 'none')]);
    await s.waitFor(/serving at/);
    const { code, ms } = await terminate(s.child);
    expect(code, s.output()).toBe(0);
    expect(ms).toBeLessThan(5_000);
    expect(s.output()).toMatch(/shutting down/);
  }, 20_000);
});
