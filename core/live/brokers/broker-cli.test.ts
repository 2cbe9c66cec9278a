import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/sqlite-bar-store';
import { smallDefaultDb } from '../testing-dataset';
import { FakeAlpaca } from './fake-alpaca';
import { FakeKis } from './fake-kis';
import { connection } from '../../store/internal';

const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'bin', 'quantdesk.js');
let env: Awaited<ReturnType<typeof smallDefaultDb>>;
const KEYS = { APCA_API_KEY_ID: 'test-key', APCA_API_SECRET_KEY: 'test-secret' };

beforeAll(async () => {
  env = await smallDefaultDb('qd-broker-');
  const build = spawnSync(process.execPath, ['scripts/build.mjs', 'cli'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(build.stderr);
}, 120_000);
afterAll(() => env?.cleanup());

/** Runs the CLI asynchronously (the fake server lives in this process, so the test must not block). */
function cli(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

const count = (db: string, sql: string) => {
  const s = openStore(db, { readonly: true });
  try {
    return connection(s).prepare(sql).pluck().get() as number;
  } finally {
    s.close();
  }
};

describe('quantdesk broker', () => {
  it('positions --json is exactly [{symbol,qty,avgCost,last,unrealized}], from Alpaca and KIS test servers', async () => {
    const a = new FakeAlpaca();
    const k = new FakeKis();
    await a.start();
    await k.start();
    try {
      a.setPosition('AAPL', 10, 150, 155);
      const r = await cli(['broker', 'positions', '--broker', 'alpaca', '--base-url', a.url, '--json'], KEYS);
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([{ symbol: 'AAPL', qty: 10, avgCost: 150, last: 155, unrealized: 50 }]);
      k.setHolding('005930', 3, 70_000, 71_000);
      const kr = await cli(['broker', 'positions', '--broker', 'kis', '--base-url', k.url, '--json'], {
        KIS_APP_KEY: 'kis-key',
        KIS_APP_SECRET: 'kis-secret',
        KIS_ACCOUNT: '50000000-01',
      });
      expect(kr.status, kr.stderr).toBe(0);
      expect(JSON.parse(kr.stdout)).toEqual([
        { symbol: '005930', qty: 3, avgCost: 70_000, last: 71_000, unrealized: 3_000 },
      ]);
      const acct = await cli(['broker', 'account', '--broker', 'alpaca', '--base-url', a.url], KEYS);
      expect(acct.stdout).toMatch(/^alpaca PAPER account PA0000FAKE \(USD\)/);
    } finally {
      await a.stop();
      await k.stop();
    }
  });

  it('missing keys and an unarmed live session are refused with a clear message, and keys are never printed', async () => {
    const r = await cli(['broker', 'account', '--broker', 'alpaca'], { APCA_API_KEY_ID: '', APCA_API_SECRET_KEY: '' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/APCA_API_KEY_ID and APCA_API_SECRET_KEY/);
    const spec = env.write('armed.json', {
      strategy: 'sma-cross',
      symbols: env.symbols.slice(0, 2),
      params: { fast: 3, slow: 8 },
    });
    const live = await cli(
      [
        'live',
        'run',
        '--spec',
        spec,
        '--db',
        env.db,
        '--feed',
        'replay',
        '--broker',
        'alpaca',
        '--live',
        '--base-url',
        'http://127.0.0.1:9',
      ],
      { ...KEYS, APCA_API_SECRET_KEY: 'sekrit-value-123' },
    );
    expect(live.status).toBe(2);
    expect(live.stderr).toMatch(/REAL orders: add --arm-live/);
    expect(live.stdout + live.stderr).not.toContain('sekrit-value-123');
  });
});

describe('kill -9 mid-session with Alpaca, then restart', () => {
  it('resyncs from the broker and the journal without re-sending any order', async () => {
    const fake = new FakeAlpaca();
    fake.autoFillPrice = 100;
    await fake.start();
    try {
      const specJson = {
        strategy: 'sma-cross',
        symbols: env.symbols.slice(0, 4),
        params: { fast: 3, slow: 8 },
        sizing: 'equal-weight',
      };
      const spec = env.write('alpaca-crash.json', specJson);
      const args = [
        'live',
        'run',
        '--spec',
        spec,
        '--db',
        env.db,
        '--feed',
        'replay',
        '--from',
        '2021-01-01',
        '--session',
        'ac',
        '--broker',
        'alpaca',
        '--base-url',
        fake.url,
      ];
      const child = spawn(process.execPath, [bin, ...args, '--speed', '100'], {
        env: { ...process.env, ...KEYS },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, sig) => r(sig)));
      for (let i = 0; i < 600 && fake.orders.size < 6; i++) await new Promise((r) => setTimeout(r, 25));
      child.kill('SIGKILL');
      expect(await exited, stderr).toBe('SIGKILL');
      expect(stderr).toMatch(/PAPER alpaca account PA0000FAKE/);
      const before = new Set([...fake.orders.values()].map((o) => o.client_order_id));
      expect(before.size).toBeGreaterThanOrEqual(6);

      const again = await cli([...args, '--speed', '0'], KEYS);
      expect(again.status, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/reconciled: journal matches the broker/);
      // Every POST made a distinct order (no client id was sent twice), and none sent before the crash was sent again.
      expect(fake.posts).toBe(fake.orders.size);
      const cids = [...fake.orders.values()].map((o) => o.client_order_id);
      expect(new Set(cids).size).toBe(cids.length);
      expect(fake.orders.size).toBeGreaterThan(before.size);
      // The journal routed each session order once: each is at the broker, or says it never reached it.
      const sessionOrders = count(env.db, "SELECT count(*) FROM orders WHERE session = 'ac' AND status <> 'rejected'");
      const routed = count(env.db, "SELECT count(*) FROM broker_orders WHERE session = 'ac'");
      const unsent = count(
        env.db,
        "SELECT count(*) FROM broker_orders WHERE session = 'ac' AND broker_order_id IS NULL",
      );
      expect(routed).toBe(sessionOrders);
      expect(routed - unsent).toBe(fake.orders.size);
      expect(count(env.db, "SELECT count(*) FROM alerts WHERE session = 'ac' AND kind = 'reconcile-mismatch'")).toBe(0);
      // The keys are nowhere in the journal (the database and its WAL).
      for (const f of [env.db, `${env.db}-wal`])
        if (existsSync(f)) expect(readFileSync(f).includes('test-secret')).toBe(false);
    } finally {
      await fake.stop();
    }
  }, 60_000);
});
