import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIO } from '../io';
import { main } from '../main';
import { runServe } from './serve';

const root = join(__dirname, '..', '..', '..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-serve-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantdesk serve', () => {
  it('exits 2 with usage when --db is missing or --port is not a port', async () => {
    const io = bufferIO();
    expect(await main(['serve'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--db/);
    const io2 = bufferIO();
    expect(await main(['serve', '--db', join(dir, 'a.db'), '--port', '70000'], io2)).toBe(2);
    expect(io2.stderr()).toMatch(/--port/);
  });

  it('exits 1 naming the address when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as AddressInfo).port;
    const io = bufferIO();
    expect(await runServe(['--db', join(dir, 'p.db'), '--port', String(port)], io, new AbortController().signal)).toBe(
      1,
    );
    expect(io.stderr()).toContain(`127.0.0.1:${port}`);
    expect(io.stderr()).toMatch(/EADDRINUSE/);
    expect(io.stdout()).toBe('');
    await new Promise((r) => blocker.close(r));
  });

  it('prints exactly one URL line on stdout, serves the token, and stops cleanly when signalled', async () => {
    const io = bufferIO();
    const ac = new AbortController();
    const running = runServe(['--db', join(dir, 'b.db'), '--static', join(dir, 'none')], io, ac.signal);
    while (!io.stdout().includes('\n')) await new Promise((r) => setImmediate(r));
    const line = io.stdout();
    expect(line).toMatch(/^QuantDesk serving at http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}\n$/);
    const url = line.replace('QuantDesk serving at ', '').trim();
    expect((await fetch(url)).status).toBe(503); // the renderer is not built in that folder; the token was accepted
    expect((await fetch(url.replace(/token=.*/, 'token=x'))).status).toBe(401);
    ac.abort();
    expect(await running).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('runs as the real binary and exits 0 on SIGTERM', async () => {
    execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { cwd: root, stdio: 'pipe' });
    const child = spawn(
      process.execPath,
      [join(root, 'bin/quantdesk.js'), 'serve', '--db', join(dir, 'c.db'), '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /QuantDesk serving at (\S+)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve exited early with ${code}`)));
    });
    const info = await fetch(url.replace('/?', '/anything?'));
    expect([200, 503]).toContain(info.status);
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(1);
  });
});
