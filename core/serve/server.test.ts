import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { METHODS, type Channel } from '../contract';
import { createThreadPool } from '../pool/thread-pool';
import { buildWorkerEntry } from '../pool/test-support';
import { importCsv } from '../store/import';
import { loadFixture } from '../store/test-helpers';
import { CSP } from './static';
import { MAX_CONNECTIONS, startServer, type RunningServer } from './server';
import { TestClient } from './test-client';
import { MAX_FRAME_BYTES } from './ws-host';
import { connection } from '../store/internal';

let dir: string;
let server: RunningServer;
let wsUrl: string;

function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-serve-'));
  const stat = join(dir, 'static');
  mkdirSync(join(stat, 'assets'), { recursive: true });
  writeFileSync(join(stat, 'index.html'), '<!doctype html><title>QuantDesk</title><div id="root"></div>');
  writeFileSync(join(stat, 'assets', 'app-1234.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  const workerEntry = await buildWorkerEntry();
  const dbPath = join(dir, 'qd.db');
  server = await startServer({
    dbPath,
    port: 0,
    staticDir: stat,
    createPool: () => createThreadPool({ workers: 2, dbPath, workerEntry }),
  });
  wsUrl = `ws://127.0.0.1:${server.port}/ws?token=${server.token}`;
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP', () => {
  it('prints a loopback URL with a 64-hex-char token', () => {
    expect(server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/\\?token=[0-9a-f]{64}$`));
  });

  it('refuses requests without the token or with a wrong one, with security headers', async () => {
    for (const path of ['/', '/assets/app-1234.js', `/?token=${'0'.repeat(64)}`, '/?token=']) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect(r.body).not.toContain('QuantDesk</title>');
      expect(r.headers['content-security-policy']).toBe(CSP);
    }
  });

  it('serves the page with the token, sets a strict HttpOnly cookie, and accepts the cookie afterwards', async () => {
    const r = await get(`/?token=${server.token}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>QuantDesk</title>');
    expect(r.headers['content-security-policy']).toBe(CSP);
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toContain(`=${server.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const pair = cookie.split(';')[0];
    const asset = await get('/assets/app-1234.js', { cookie: pair });
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('console.log(1)');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const wrongCookie = await get('/assets/app-1234.js', { cookie: pair.replace(/=.*/, '=nope') });
    expect(wrongCookie.status).toBe(401);
  });

  it('falls back to index.html for routes, 404s missing files, and never escapes the static folder', async () => {
    const t = `token=${server.token}`;
    expect((await get(`/backtest?${t}`)).body).toContain('<title>QuantDesk</title>');
    expect((await get(`/assets/missing.js?${t}`)).status).toBe(404);
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await get(`${p}?${t}`);
      expect(r.body, p).not.toContain('do not serve');
    }
  });
});

describe('WebSocket authentication', () => {
  it('refuses an upgrade without the token, with a wrong token, or on another path', async () => {
    const base = `ws://127.0.0.1:${server.port}`;
    await expect(TestClient.connect(`${base}/ws`)).rejects.toMatchObject({ status: 401 });
    await expect(TestClient.connect(`${base}/ws?token=${'a'.repeat(64)}`)).rejects.toMatchObject({ status: 401 });
    await expect(TestClient.connect(`${base}/other?token=${server.token}`)).rejects.toMatchObject({ status: 404 });
  });

  it('accepts the cookie and refuses a foreign Origin', async () => {
    const base = `ws://127.0.0.1:${server.port}/ws`;
    const c = await TestClient.connect(base, { cookie: `quantdesk_token_${server.port}=${server.token}` });
    expect((await c.call('app:info')).ok).toBe(true);
    await c.close();
    await expect(TestClient.connect(wsUrl, { origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
  });

  it("requires an Origin on upgrades, equal to the page's own", async () => {
    await expect(TestClient.connect(wsUrl, { origin: '' })).rejects.toMatchObject({ status: 403 });
    await expect(TestClient.connect(wsUrl, { origin: `http://localhost:${server.port + 1}` })).rejects.toMatchObject({
      status: 403,
    });
    const c = await TestClient.connect(`ws://localhost:${server.port}/ws?token=${server.token}`);
    expect((await c.call('app:info')).ok).toBe(true);
    await c.close();
  });
});

describe('Host allow-list (DNS rebinding)', () => {
  it('refuses HTTP and upgrades whose Host is not loopback or the bound host, even with the token and a matching Origin', async () => {
    const evil = `evil.example:${server.port}`;
    expect((await get(`/?token=${server.token}`, { host: evil })).status).toBe(403);
    expect((await get(`/?token=${server.token}`, { host: `127.0.0.1:${server.port + 1}` })).status).toBe(403);
    await expect(TestClient.connect(wsUrl, { host: evil, origin: `http://${evil}` })).rejects.toMatchObject({
      status: 403,
    });
    for (const host of [
      `127.0.0.1:${server.port}`,
      `localhost:${server.port}`,
      `LOCALHOST:${server.port}`,
      `[::1]:${server.port}`,
    ]) {
      expect((await get(`/?token=${server.token}`, { host })).status, host).toBe(200);
    }
  });
});

describe('bounds', () => {
  it('closes a socket sending a frame over the hard limit without buffering it, and keeps serving others', async () => {
    const c = await TestClient.connect(wsUrl);
    const closed = new Promise<number>((r) => c.socket.once('close', (code) => r(code)));
    c.socket.send('x'.repeat(2 * MAX_FRAME_BYTES + 1));
    expect(await closed).toBe(1009);
    const d = await TestClient.connect(wsUrl);
    expect((await d.call('app:info')).ok).toBe(true);
    await d.close();
  });

  it(`refuses upgrades beyond ${MAX_CONNECTIONS} connections with 503, and accepts again once one closes`, async () => {
    const open: TestClient[] = [];
    try {
      // Earlier tests' sockets may still be closing: fill up to the cap, whatever is left of it.
      for (;;) {
        const c = await TestClient.connect(wsUrl).catch((e: { status?: number }) => e);
        if (!(c instanceof TestClient)) {
          expect(c.status).toBe(503);
          break;
        }
        open.push(c);
        expect(open.length).toBeLessThanOrEqual(MAX_CONNECTIONS);
      }
      await open.pop()!.close();
      await new Promise((r) => setTimeout(r, 50));
      open.push(await TestClient.connect(wsUrl));
    } finally {
      await Promise.all(open.map((c) => c.close()));
    }
  });

  it('disconnects a client that stops reading instead of buffering its replies', async () => {
    const c = await TestClient.connect(wsUrl);
    const closed = new Promise<void>((r) => c.socket.once('close', () => r()));
    // Stop reading: the kernel buffers fill, then the host's send buffer grows past its bound.
    (c.socket as unknown as { _socket: import('node:net').Socket })._socket.pause();
    const frame = JSON.stringify({ id: 0, method: 'strategies:list' });
    let sent = 0;
    const t0 = Date.now();
    let done = false;
    void closed.then(() => (done = true));
    while (!done && Date.now() - t0 < 20_000) {
      for (let i = 0; i < 50; i++) c.socket.send(frame.replace('"id":0', `"id":${++sent}`));
      await new Promise((r) => setTimeout(r, 5));
    }
    await closed;
    expect(done).toBe(true);
    const d = await TestClient.connect(wsUrl);
    expect((await d.call('app:info')).ok).toBe(true);
    await d.close();
  });
});

/** Inputs the schema rejects, tried in order: the first one rejected is sent. */
const INVALID_CANDIDATES: unknown[] = [12345, 'not-an-object', [1, 2, 3], { __unknownField: true }, null, {}];

const D = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
const PARITY = { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'], capital: 10_000 };
/** Values later samples use (a run id made by an earlier call). Methods run in METHODS order. */
const made: { runId?: string; startedId?: string } = {};
type Sample = { input: unknown | (() => unknown); check: (value: unknown) => void };
const list = (v: unknown) => {
  expect(Array.isArray(v)).toBe(true);
  return v as Record<string, unknown>[];
};

/**
 * A valid input for each method and what its success must satisfy against the real store (seeded
 * with the store fixture and GOOG's bars). A method missing here shows as a todo below; add it.
 */
const SUCCESS: { [K in Channel]?: Sample } = {
  'app:info': {
    input: undefined,
    check: (v) => {
      const info = v as { host: string; dbPath: string; instruments: number; bars: number; schemaVersion: number };
      expect(info.host).toBe('serve');
      expect(info.dbPath).toBe(join(dir, 'qd.db'));
      expect(info.instruments).toBe(5); // the fixture's four symbols (ZZZ arrives with its bars) and GOOG
      expect(info.bars).toBe(connection(server.services.store).prepare('SELECT count(*) n FROM bars').pluck().get());
      expect(info.schemaVersion).toBe(server.services.store.schemaVersion);
    },
  },
  'app:dataset-status': {
    input: {},
    check: (v) => expect(v).toEqual(server.services.app.dataset),
  },
  'data:instruments': {
    input: undefined,
    check: (v) => expect(list(v).map((i) => i.symbol)).toEqual(['AAA', 'BBB', 'CCC', 'GOOG', 'ZZZ']),
  },
  'data:bars': {
    input: { symbol: 'AAA' },
    check: (v) => {
      const b = v as { symbol: string; time: Float64Array; close: Float64Array };
      expect(b.symbol).toBe('AAA');
      expect(b.time).toBeInstanceOf(Float64Array);
      expect(Array.from(b.time)).toEqual(['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08'].map(D));
      expect(Array.from(b.close)).toEqual([10, 11, 6, 6.2, 6.3]);
    },
  },
  'data:import': {
    input: {
      kind: 'instruments',
      fileName: 'more.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on\nDDD,Delta,Tech,USD,2020-01-01,\n',
    },
    check: (v) => expect(v).toMatchObject({ kind: 'instruments', rows: 1, changed: 1 }),
  },
  'data:asof': {
    input: { symbol: 'AAA', field: 'eps', asOf: D('2020-05-02') },
    // Q1 2020 EPS was first published 2020-04-30 as 1.5 and restated to 1.6 only on 2020-06-01.
    check: (v) => expect(v).toMatchObject({ symbol: 'AAA', value: 1.5, periodEnd: D('2020-03-31') }),
  },
  'data:revisions': {
    input: { symbol: 'AAA', field: 'eps' },
    check: (v) => expect(list(v)).toHaveLength(4),
  },
  'data:universe': {
    input: { asOf: D('2020-03-01') },
    check: (v) => {
      expect(v).toContain('AAA');
      expect(v).toContain('BBB');
      expect(v).not.toContain('CCC'); // listed 2021
    },
  },
  'strategies:list': {
    input: undefined,
    check: (v) => expect(list(v).map((s) => s.name)).toContain('sma-cross'),
  },
  'backtest:run': {
    input: { spec: PARITY },
    check: (v) => {
      const r = v as { runId?: string; id?: string; metrics: { finalEquity: number } };
      expect(r.metrics.finalEquity).toBeGreaterThan(0);
      made.runId = r.runId ?? r.id;
      expect(typeof made.runId).toBe('string');
    },
  },
  'backtest:start': {
    input: { spec: PARITY, save: false },
    check: (v) => {
      expect(typeof (v as { runId: string }).runId).toBe('string');
      made.startedId = (v as { runId: string }).runId;
    },
  },
  'backtest:cancel': {
    input: () => ({ runId: made.startedId }),
    // The quick run may have finished already: either answer is a success, and says which.
    check: (v) => expect(typeof (v as { cancelled: unknown }).cancelled).toBe('boolean'),
  },
  'runs:list': {
    input: {},
    check: (v) => expect(list(v).length).toBeGreaterThanOrEqual(1),
  },
  'runs:get': {
    input: () => ({ id: made.runId }),
    check: (v) => expect(JSON.stringify(v)).toContain(made.runId!),
  },
  'runs:export': {
    input: () => ({ id: made.runId, format: 'csv' }),
    check: (v) => {
      expect(typeof v).toBe('string');
      expect((v as string).split('\n').length).toBeGreaterThan(1);
    },
  },
  'indicators:list': {
    input: undefined,
    check: (v) => expect(list(v).map((i) => i.name)).toContain('rsi'),
  },
  'indicators:compute': {
    input: { name: 'sma', symbol: 'AAA', params: { period: 2 } },
    check: (v) => {
      const s = v as { time: Float64Array; outputs: { value: Float64Array } };
      // NaN on the first bar (warm-up) crossed the WebSocket as NaN, not null; (10 + 11) / 2 on the second.
      expect(s.outputs.value).toBeInstanceOf(Float64Array);
      expect(Array.from(s.outputs.value)).toEqual([Number.NaN, 10.5, 8.5, 6.1, 6.25]);
      expect(s.time[0]).toBe(D('2020-01-02'));
    },
  },
  'sweep:list': { input: undefined, check: (v) => expect(Array.isArray(v)).toBe(true) },
  'montecarlo:run': {
    input: () => ({ runId: made.runId, paths: 50, seed: 7 }),
    check: (v) => {
      const mc = v as { paths: number; seed: number; capital: number; probabilityOfRuin: number };
      expect(mc).toMatchObject({ paths: 50, seed: 7, capital: 10_000 });
      expect(mc.probabilityOfRuin).toBeGreaterThanOrEqual(0);
      expect(mc.probabilityOfRuin).toBeLessThanOrEqual(1);
    },
  },
  'live:stop': { input: undefined, check: (v) => expect(v).toMatchObject({ running: false }) },
  'alerts:ack': { input: { id: 'no-such-alert' }, check: (v) => expect(v).toEqual({ acknowledged: false }) },
  'live:status': { input: undefined, check: (v) => expect(v).toMatchObject({ running: false }) },
  'live:history': {
    input: undefined,
    check: (v) => {
      const h = v as { session: string | null; equity: { time: number[]; value: number[] }; prices: unknown[] };
      expect(h.equity.time).toHaveLength(h.equity.value.length);
      expect(Array.isArray(h.prices)).toBe(true);
    },
  },
  'positions:list': { input: undefined, check: (v) => expect(v).toEqual([]) },
  'orders:list': { input: undefined, check: (v) => expect(v).toEqual([]) },
  'alerts:list': { input: {}, check: (v) => expect(Array.isArray(v)).toBe(true) },
  'signals:list': { input: { limit: 10, symbol: 'GOOG' }, check: (v) => expect(v).toEqual([]) },
  'risk:get': { input: undefined, check: (v) => expect(v).toHaveProperty('symbols') },
  'risk:set': { input: { maxDailyLoss: 500 }, check: (v) => expect(v).toMatchObject({ maxDailyLoss: 500 }) },
  'killswitch:trip': {
    input: { reason: 'serve test' },
    check: (v) => expect(v).toMatchObject({ tripped: true, reason: 'serve test' }),
  },
  'killswitch:rearm': { input: undefined, check: (v) => expect(v).toMatchObject({ tripped: false }) },
  'outbox:status': {
    input: undefined,
    check: (v) => expect(v).toMatchObject({ pending: expect.any(Number), dead: 0, deadLetters: [] }),
  },
  'live:sessions': { input: undefined, check: (v) => expect(Array.isArray(v)).toBe(true) },
  'outbox:retry': { input: {}, check: (v) => expect(v).toEqual({ requeued: 0 }) },
  'runs:label': {
    input: () => ({ id: made.runId, name: 'baseline', tags: ['serve'] }),
    check: (v) => expect(v).toMatchObject({ id: made.runId, name: 'baseline', tags: ['serve'] }),
  },
};

describe('every contract method over the WebSocket', () => {
  let c: TestClient;
  beforeAll(async () => {
    const store = server.services.store;
    await loadFixture(store);
    await importCsv(store, 'instruments', {
      fileName: 'i.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on\nGOOG,Alphabet,Tech,USD,,\n',
    });
    const goog = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
    await importCsv(store, 'bars', {
      fileName: 'b.csv',
      content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
    });
    c = await TestClient.connect(wsUrl);
  });
  afterAll(() => c.close());

  const channels = Object.keys(METHODS) as Channel[];

  it.each(channels)('%s rejects input its schema rejects, with invalid-input naming the method', async (ch) => {
    const schema = METHODS[ch].input as z.ZodType;
    const bad = INVALID_CANDIDATES.find((x) => !schema.safeParse(x).success);
    expect(bad, `the schema of ${ch} accepts every candidate: tighten it`).not.toBeUndefined();
    const r = await c.call(ch, bad);
    expect(r.ok).toBe(false);
    expect(r.error?.code).toBe('invalid-input');
    expect(r.error?.message).toContain(ch);
  });

  it.each(channels.filter((ch) => SUCCESS[ch]))('%s succeeds against the real store', async (ch) => {
    const s = SUCCESS[ch]!;
    const r = await c.call(ch, typeof s.input === 'function' ? (s.input as () => unknown)() : s.input);
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    s.check(r.value);
  });

  it('runs a live replay session: live:start, orders:submit, orders:cancel, live:stop', async () => {
    const started = await c.call('live:start', { spec: PARITY, feed: 'replay', session: 'serve-test' });
    expect(started.error).toBeUndefined();
    expect(started.value).toMatchObject({ running: true, session: 'serve-test', symbols: ['GOOG'] });
    const order = await c.call('orders:submit', { symbol: 'GOOG', side: 'buy', qty: 1, type: 'limit', price: 0.5 });
    expect(order.error).toBeUndefined();
    const o = order.value as { id: string; status: string };
    expect(typeof o.id).toBe('string');
    const cancelled = await c.call('orders:cancel', { id: o.id });
    // A buy limit far below the market rests (status new) until cancelled; a second cancel finds nothing.
    expect(o).toMatchObject({ status: 'new', symbol: 'GOOG', limitPrice: 0.5, filledQty: 0 });
    expect(cancelled.value).toEqual({ cancelled: true });
    expect((await c.call('orders:cancel', { id: o.id })).value).toEqual({ cancelled: false });
    const stopped = await c.call('live:stop');
    expect(stopped.value).toMatchObject({ running: false });
  });

  it('runs a sweep on the pool: sweep:start, the finished event, sweep:get, sweep:cancel, walkforward:run', async () => {
    const sweep = {
      base: { strategy: 'sma-cross', symbols: ['GOOG'], capital: 10_000 },
      grid: { fast: [5, 10], slow: [20, 40] },
      top: 2,
    };
    c.send({ id: 'sub-sweep', type: 'subscribe', topic: 'sweep:finished' });
    await c.reply('sub-sweep');
    const started = await c.call('sweep:start', { sweep });
    expect(started.error).toBeUndefined();
    const id = (started.value as { id: string }).id;
    const finished = await c.event((e) => e.topic === 'sweep:finished' && (e.payload as { id: string }).id === id);
    expect(finished.payload).toMatchObject({ id, status: 'done', error: null });
    const got = await c.call('sweep:get', { id });
    expect(got.value).toMatchObject({ id, status: 'done' });
    expect(JSON.stringify(got.value)).toContain('"fast"');
    // The surface crossed the WebSocket as typed columns: every combination, in the grid's order.
    const surface = (got.value as { result: { surface: { keys: string[]; params: unknown[]; objective: unknown } } })
      .result.surface;
    expect(surface.keys).toEqual(['fast', 'slow']);
    expect(surface.objective).toBeInstanceOf(Float64Array);
    expect(surface.params[0]).toBeInstanceOf(Float64Array);
    expect(Array.from(surface.params[0] as Float64Array)).toEqual([5, 5, 10, 10]);
    expect((await c.call('sweep:cancel', { id })).value).toEqual({ cancelled: false });
    const wf = await c.call('walkforward:run', { sweep, train: 500, test: 250 });
    expect(wf.error).toBeUndefined();
    const view = wf.value as {
      train: number;
      test: number;
      anchored: boolean;
      windows: unknown[];
      oosEquity: { time: number[]; value: number[] };
    };
    expect(view).toMatchObject({ train: 500, test: 250, anchored: false });
    // 2,148 bars: rolling 500-bar training windows each followed by a 250-bar test window, the last one shorter.
    expect(view.windows.length).toBe(Math.ceil((2148 - 500) / 250));
    expect(view.oosEquity.time.length).toBe(view.oosEquity.value.length);
  });

  it('uploads a file in 512 KiB chunks (each frame under 1 MiB) and imports it on commit: data:upload-begin, -chunk, -commit, -cancel', async () => {
    const rows = Array.from(
      { length: 30_000 },
      (_, i) =>
        `UPL,${new Date(Date.UTC(1990, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},10.25,11.5,9.75,10.5,${1000 + i}`,
    );
    const bytes = Buffer.from(`symbol,date,open,high,low,close,volume\n${rows.join('\n')}\n`);
    const begun = await c.call('data:upload-begin', { kind: 'bars', fileName: 'upl.csv', size: bytes.length });
    expect(begun.error).toBeUndefined();
    const { uploadId, chunkBytes } = begun.value as { uploadId: string; chunkBytes: number };
    expect(chunkBytes).toBe(512 * 1024);
    let seq = 0;
    for (let at = 0; at < bytes.length; at += chunkBytes) {
      const params = { uploadId, seq: seq++, data: bytes.subarray(at, at + chunkBytes).toString('base64') };
      expect(JSON.stringify({ id: 1e9, method: 'data:upload-chunk', params }).length).toBeLessThan(1024 * 1024);
      const r = await c.call('data:upload-chunk', params);
      expect(r.error).toBeUndefined();
    }
    expect(seq).toBe(3);
    const done = await c.call('data:upload-commit', { uploadId });
    expect(done.error).toBeUndefined();
    expect(done.value).toMatchObject({ kind: 'bars', source: 'upl.csv', rows: 30_000 });
    expect(
      connection(server.services.store)
        .prepare("SELECT count(*) FROM bars b JOIN instruments i ON i.id = b.instrument_id WHERE i.symbol = 'UPL'")
        .pluck()
        .get(),
    ).toBe(30_000);
    expect((await c.call('data:upload-cancel', { uploadId })).value).toEqual({ cancelled: false });
    expect(server.services.uploads.openCount).toBe(0);
  });

  /** Methods whose success path is a scenario above rather than a SUCCESS sample. */
  const IN_SCENARIOS = new Set<string>([
    'live:start',
    'orders:submit',
    'orders:cancel',
    'sweep:start',
    'sweep:get',
    'sweep:cancel',
    'walkforward:run',
    'data:upload-begin',
    'data:upload-chunk',
    'data:upload-commit',
    'data:upload-cancel',
    'runs:delete',
  ]);
  it('carries a run as typed columns over the WebSocket: Float64Array equity with ms times, NaN kept', async () => {
    const run = await c.call('backtest:run', { spec: PARITY, save: false });
    const v = run.value as {
      equity: { time: unknown; value: unknown; drawdown: Float64Array };
      trades: { entryTime: unknown }[];
    };
    expect(v.equity.time).toBeInstanceOf(Float64Array);
    expect(v.equity.value).toBeInstanceOf(Float64Array);
    expect(v.equity.drawdown).toBeInstanceOf(Float64Array);
    expect(Number.isInteger((v.equity.time as Float64Array)[0])).toBe(true);
    expect(typeof v.trades[0]?.entryTime).toBe('number');
  });

  it('deletes a run with its payload and label: runs:delete, then runs:get finds nothing', async () => {
    const run = await c.call('backtest:run', { spec: PARITY });
    const id = (run.value as { runId: string }).runId;
    expect((await c.call('runs:label', { id, note: 'to delete' })).ok).toBe(true);
    expect((await c.call('runs:delete', { id })).value).toEqual({ deleted: true });
    expect((await c.call('runs:get', { id })).error?.code).toBe('not-found');
    expect((await c.call('runs:delete', { id })).error?.code).toBe('not-found');
  });

  /** Calls a method and answers its value; a failure fails the test with the method and the error. */
  async function ok<T>(ch: string, input?: unknown): Promise<T> {
    const r = await c.call(ch, input);
    expect(r.error, `${ch}: ${JSON.stringify(r.error)}`).toBeUndefined();
    expect(r.ok).toBe(true);
    return r.value as T;
  }

  it('resumes and flattens a live session: live:resume, positions:flatten', async () => {
    const spec = { ...PARITY, params: { fast: 5, slow: 20 } };
    expect(await ok('live:start', { spec, feed: 'replay', session: 'serve-resume', speed: 2 })).toMatchObject({
      running: true,
    });
    await ok('live:stop');
    const resumed = await ok<{ running: boolean; session: string }>('live:resume', { session: 'serve-resume' });
    expect(resumed).toMatchObject({ running: true, session: 'serve-resume' });
    const flat = await ok<unknown[]>('positions:flatten', { reason: 'serve test' });
    expect(Array.isArray(flat)).toBe(true);
    expect(await ok('live:stop')).toMatchObject({ running: false });
    expect((await c.call('live:resume', { session: 'no-such-session' })).error?.code).toBe('not-found');
  });

  it('stores a user strategy: strategies:compile, -typecheck, -save, -source', async () => {
    const source = `import { defineStrategy } from 'quantdesk/sdk';\nexport default defineStrategy({ name: 'serve-mine', params: { n: { type: 'integer', default: 2 } }, init: () => ({}), onBar: () => null });\n`;
    expect(await ok('strategies:compile', { source })).toEqual({
      ok: true,
      problems: [],
      name: 'serve-mine',
      kind: 'single',
    });
    const tc = await ok<{ timedOut: boolean; diagnostics: { line: number }[] }>('strategies:typecheck', {
      source: `${source}const x: number = 'text';\n`,
    });
    expect(tc.timedOut).toBe(false);
    expect(tc.diagnostics.map((d) => d.line)).toContain(3);
    expect(await ok('strategies:save', { source })).toEqual({ name: 'serve-mine', version: 1, added: true });
    expect(await ok('strategies:source', { name: 'serve-mine' })).toMatchObject({
      name: 'serve-mine',
      version: 1,
      source,
    });
  });

  it('reads broker accounts from a local Alpaca: broker:list, -account, -positions, -orders, -status, -connect, -disconnect', async () => {
    const { FakeAlpaca } = await import('../live/brokers/fake-alpaca');
    const fake = new FakeAlpaca('serve-key', 'serve-secret');
    const baseUrl = await fake.start();
    const saved = { id: process.env.APCA_API_KEY_ID, secret: process.env.APCA_API_SECRET_KEY };
    try {
      const before = await ok<{ name: string; configured: boolean }[]>('broker:list');
      expect(before.map((b) => b.name)).toEqual(expect.arrayContaining(['paper', 'alpaca', 'kis']));
      process.env.APCA_API_KEY_ID = 'serve-key';
      process.env.APCA_API_SECRET_KEY = 'serve-secret';
      const listed = await ok<{ name: string; configured: boolean }[]>('broker:list');
      expect(listed.find((b) => b.name === 'alpaca')?.configured).toBe(true);
      // The keys never come back in an answer.
      expect(JSON.stringify(listed)).not.toContain('serve-secret');
      const target = { broker: 'alpaca', baseUrl };
      const account = await ok<{ cash: number }>('broker:account', target);
      expect(account.cash).toBe(100_000);
      expect(await ok('broker:positions', target)).toEqual([]);
      expect(await ok('broker:orders', target)).toEqual([]);
      expect(await ok('broker:status')).toMatchObject({ connected: false, broker: 'paper' });
      // Routing needs a running session; with one, the paper route connects and disconnects.
      expect((await c.call('broker:connect', { broker: 'paper' })).error?.code).toBe('unavailable');
      await ok('live:start', { spec: PARITY, feed: 'replay', session: 'serve-broker', speed: 1 });
      expect(await ok('broker:connect', { broker: 'paper' })).toMatchObject({ broker: 'paper' });
      expect(await ok('broker:disconnect')).toMatchObject({ connected: false });
      await ok('live:stop');
    } finally {
      if (saved.id === undefined) delete process.env.APCA_API_KEY_ID;
      else process.env.APCA_API_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.APCA_API_SECRET_KEY;
      else process.env.APCA_API_SECRET_KEY = saved.secret;
      await fake.stop();
    }
  });

  it('trains and explains a model: models:spec-schema, -train, -list, -get, -explain, -duel, -cancel', async () => {
    const schema = await ok<{ schema: { type?: string; properties?: Record<string, unknown> } }>('models:spec-schema');
    expect(Object.keys(schema.schema.properties ?? {})).toEqual(expect.arrayContaining(['features', 'model']));
    const spec = {
      universe: 'all',
      start: '2005-01-01',
      end: '2008-12-31',
      features: [
        { name: 'return', window: 5 },
        { name: 'volatility', window: 20 },
      ],
      model: { kind: 'gbdt', trees: 8, depth: 2, learningRate: 0.1, seed: 1, minLeaf: 10 },
      walkForward: { train: 300, test: 100, embargo: 5, anchored: false },
    };
    const trained = await ok<{ modelId: string; windows: unknown[]; metrics: Record<string, unknown> }>(
      'models:train',
      { spec },
    );
    expect(trained.windows.length).toBeGreaterThan(0);
    expect(trained.metrics).toHaveProperty('rankIc');
    expect((await ok<{ id: string }[]>('models:list')).map((m) => m.id)).toContain(trained.modelId);
    expect(await ok('models:get', { id: trained.modelId })).toMatchObject({ id: trained.modelId });
    const e = await ok<{ prediction: number; base: number; contributions: { contribution: number }[] }>(
      'models:explain',
      { id: trained.modelId, symbol: 'GOOG', date: '2008-06-02' },
    );
    expect(e.contributions).toHaveLength(2);
    expect(Math.abs(e.base + e.contributions.reduce((a, x) => a + x.contribution, 0) - e.prediction)).toBeLessThan(
      1e-9,
    );
    // No live session runs a challenger, and no training runs to cancel.
    expect(await ok('models:duel')).toEqual({ duel: null });
    expect(await ok('models:cancel')).toEqual({ cancelled: false });
  });

  it('runs a scheduled job and lists its run and report: platform:jobs, -job-run, -job-runs, -reports, -health, -findings, -api-keys', async () => {
    const { addJob } = await import('../scheduler/jobs');
    const out = join(dir, 'reports');
    const added = addJob(server.services.store, {
      name: 'serve-report',
      cron: '0 8 * * 1-5',
      timezone: 'UTC',
      command: ['report', 'daily', '--out', out, '--date', '2020-01-08'],
    });
    expect(added.ok).toBe(true);
    expect((await ok<{ name: string }[]>('platform:jobs')).map((j) => j.name)).toContain('serve-report');
    const run = await ok<{ status: string; rowsChanged: number; error: string | null }>('platform:job-run', {
      job: 'serve-report',
    });
    expect(run).toMatchObject({ status: 'ok', rowsChanged: 1, error: null });
    const runs = await ok<{ job: string; status: string }[]>('platform:job-runs', { job: 'serve-report' });
    expect(runs[0]).toMatchObject({ job: 'serve-report', status: 'ok' });
    expect((await ok<unknown[]>('platform:reports')).length).toBeGreaterThanOrEqual(1);
    expect(await ok('platform:health')).toBeTypeOf('object');
    expect(Array.isArray(await ok('platform:findings', { limit: 10 }))).toBe(true);
    const keys = await ok<{ connector: string; set: boolean }[]>('platform:api-keys');
    expect(keys.map((k) => k.connector)).toEqual(['alphavantage', 'dart']);
    expect((await c.call('platform:job-run', { job: 'no-such-job' })).error?.code).toBe('not-found');
  });

  it('runs books from the desk: desk:book-start, -book, -order-check, -order-submit, -order-replace, -order-cancel, limits, flatten, kill, rearm, stop, resume, remove', async () => {
    const overview0 = await ok<{ books: unknown[] }>('desk:overview');
    expect(Array.isArray(overview0.books)).toBe(true);
    // A manual book on a slow replay: it keeps running while the ticket works on it.
    const started = await ok<{ books: { name: string; status: string }[] }>('desk:book-start', {
      name: 'serve-manual',
      strategy: 'manual',
      symbols: ['GOOG'],
      speed: 2,
      capital: 50_000,
    });
    expect(started.books.find((b) => b.name === 'serve-manual')?.status).toBe('running');
    const order = { book: 'serve-manual', symbol: 'GOOG', side: 'buy', qty: 1, type: 'limit', price: 0.5 };
    const check = await ok<{ checks: { ok: boolean }[]; positionAfter: number }>('desk:order-check', order);
    expect(check.checks.length).toBeGreaterThan(0);
    expect(check.positionAfter).toBe(1);
    const placed = await ok<{ id: string; status: string }>('desk:order-submit', order);
    expect(placed.status).toBe('new');
    const replaced = await ok<{ id: string; limitPrice: number }>('desk:order-replace', {
      book: 'serve-manual',
      id: placed.id,
      price: 0.25,
    });
    expect(replaced.limitPrice).toBe(0.25);
    expect(await ok('desk:order-cancel', { book: 'serve-manual', id: replaced.id })).toEqual({ cancelled: true });
    const detail = await ok<{ orders: { id: string; status: string }[] }>('desk:book', { book: 'serve-manual' });
    expect(detail.orders.find((o) => o.id === replaced.id)?.status).toBe('cancelled');
    expect(
      await ok('desk:book-limits-set', { book: 'serve-manual', risk: { symbols: { '*': { maxPosition: 10 } } } }),
    ).toMatchObject({ symbols: { '*': { maxPosition: 10 } } });
    expect(await ok('desk:limits-set', { maxGrossExposure: 1_000_000 })).toMatchObject({
      maxGrossExposure: 1_000_000,
    });
    const flat = await ok<{ books: { book: string }[] }>('desk:flatten', { book: 'serve-manual', reason: 'test' });
    expect(flat.books.map((b) => b.book)).toEqual(['serve-manual']);
    const killed = await ok<{ killSwitch: { tripped: boolean } }>('desk:kill', { reason: 'serve test' });
    expect(killed.killSwitch.tripped).toBe(true);
    expect((await ok<{ killSwitch: { tripped: boolean } }>('desk:rearm')).killSwitch.tripped).toBe(false);
    expect(await ok('desk:alert-ack', { book: 'serve-manual', id: 'no-such-alert' })).toEqual({
      acknowledged: false,
    });
    const stopped = await ok<{ books: { name: string; status: string }[] }>('desk:book-stop', { book: 'serve-manual' });
    expect(stopped.books.find((b) => b.name === 'serve-manual')?.status).toBe('stopped');
    const resumed = await ok<{ books: { name: string; status: string }[] }>('desk:book-resume', {
      book: 'serve-manual',
      speed: 2,
    });
    expect(resumed.books.find((b) => b.name === 'serve-manual')?.status).toBe('running');
    await ok('desk:book-stop', { book: 'serve-manual' });
    const removed = await ok<{ books: { name: string }[] }>('desk:book-remove', { book: 'serve-manual' });
    expect(removed.books.map((b) => b.name)).not.toContain('serve-manual');
  });

  it('keeps user alerts, watchlists, screens and workspaces: user-alerts:*, alerts:*, watchlists:*, screener:*, workspaces:*', async () => {
    const rule = await ok<{ id: string; status: string }>('user-alerts:save', {
      name: 'GOOG above 1',
      symbol: 'GOOG',
      condition: { op: 'above', left: { kind: 'price' }, right: 1 },
    });
    expect(rule.status).toBe('active');
    expect((await ok<{ id: string }[]>('user-alerts:list')).map((r) => r.id)).toContain(rule.id);
    expect(await ok('user-alerts:pause', { id: rule.id, paused: true })).toMatchObject({ status: 'paused' });
    expect(await ok('user-alerts:history', { id: rule.id })).toEqual([]);
    expect(Array.isArray(await ok('alerts:query', { limit: 10 }))).toBe(true);
    const facets = await ok<{ books: string[]; kinds: string[] }>('alerts:facets');
    expect(Array.isArray(facets.books) && Array.isArray(facets.kinds)).toBe(true);
    expect(await ok('alerts:ack-all', { book: 'no-such-book' })).toEqual({ acknowledged: 0 });
    expect(await ok('user-alerts:delete', { id: rule.id })).toEqual({ deleted: true });
    expect(await ok('user-alerts:delete', { id: rule.id })).toEqual({ deleted: false });

    const w = await ok<{ id: string; symbols: string[] }>('watchlists:save', {
      name: 'Serve',
      symbols: ['GOOG', 'AAA'],
      columns: [{ kind: 'last' }],
    });
    expect(w.symbols).toEqual(['GOOG', 'AAA']);
    expect((await ok<{ id: string }[]>('watchlists:list')).map((x) => x.id)).toContain(w.id);
    const table = await ok<{ labels: string[]; values: (number | null)[][] }>('watchlists:table', { id: w.id });
    expect(table.labels).toEqual(['Last']);
    expect(table.values[1][0]).toBe(6.3); // AAA's last stored close
    expect(await ok('watchlists:delete', { id: w.id })).toEqual({ deleted: true });

    const screen = { asOf: D('2020-01-08'), columns: [{ kind: 'last' }], filters: [{ column: 0, op: '>', value: 6 }] };
    const found = await ok<{ symbols: string[] }>('screener:run', screen);
    expect(found.symbols).toContain('AAA');
    const saved = await ok<{ id: string; name: string }>('screener:save', { name: 'Serve screen', screen });
    expect((await ok<{ name: string }[]>('screener:list')).map((x) => x.name)).toContain('Serve screen');
    expect(await ok('screener:delete', { id: saved.id })).toEqual({ deleted: true });

    const layout = { split: 'row', ratio: 0.5, a: { view: 'chart' }, b: { view: 'desk' } };
    expect(await ok('workspaces:save', { name: 'serve-wall', layout })).toMatchObject({ name: 'serve-wall', layout });
    expect((await ok<{ name: string }[]>('workspaces:list')).map((x) => x.name)).toContain('serve-wall');
    expect(await ok('workspaces:delete', { name: 'serve-wall' })).toEqual({ deleted: true });
  });

  /** Methods that only the desktop app can perform: `quantdesk serve` answers `unavailable` and says what to do instead. */
  const DESKTOP_ONLY: Partial<Record<Channel, { input: unknown; says: RegExp }>> = {
    'broker:credentials-set': { input: { broker: 'alpaca', values: { APCA_API_KEY_ID: 'k' } }, says: /environment/ },
    'platform:api-key-set': { input: { connector: 'dart', value: 'k' }, says: /DART_API_KEY/ },
    'app:open-view': { input: { view: 'desk' }, says: /#view=desk/ },
  };
  it.each(Object.keys(DESKTOP_ONLY))("%s is the desktop app's: serve answers unavailable and why", async (ch) => {
    const d = DESKTOP_ONLY[ch as Channel]!;
    const r = await c.call(ch, d.input);
    expect(r.error?.code).toBe('unavailable');
    expect(r.error?.message).toMatch(d.says);
  });

  /** Methods whose success path is too heavy for this shared server, tested over the WebSocket in their own file. */
  const ELSEWHERE: Partial<Record<Channel, string>> = { 'data:init-default': 'server-dataset.test.ts' };
  it.each(Object.entries(ELSEWHERE))('%s succeeds over the WebSocket in %s', (ch, file) => {
    expect(readFileSync(join(__dirname, file), 'utf8')).toContain(`'${ch}'`);
  });

  for (const ch of [
    'live:resume',
    'positions:flatten',
    'strategies:compile',
    'strategies:typecheck',
    'strategies:save',
    'strategies:source',
    'broker:list',
    'broker:account',
    'broker:positions',
    'broker:orders',
    'broker:status',
    'broker:connect',
    'broker:disconnect',
    'models:spec-schema',
    'models:train',
    'models:list',
    'models:get',
    'models:explain',
    'models:duel',
    'models:cancel',
    'platform:jobs',
    'platform:job-run',
    'platform:job-runs',
    'platform:reports',
    'platform:health',
    'platform:findings',
    'platform:api-keys',
    'desk:overview',
    'desk:book-start',
    'desk:book',
    'desk:order-check',
    'desk:order-submit',
    'desk:order-replace',
    'desk:order-cancel',
    'desk:book-limits-set',
    'desk:limits-set',
    'desk:flatten',
    'desk:kill',
    'desk:rearm',
    'desk:alert-ack',
    'desk:book-stop',
    'desk:book-resume',
    'desk:book-remove',
    'user-alerts:save',
    'user-alerts:list',
    'user-alerts:pause',
    'user-alerts:history',
    'user-alerts:delete',
    'alerts:query',
    'alerts:facets',
    'alerts:ack-all',
    'watchlists:save',
    'watchlists:list',
    'watchlists:table',
    'watchlists:delete',
    'screener:run',
    'screener:save',
    'screener:list',
    'screener:delete',
    'workspaces:save',
    'workspaces:list',
    'workspaces:delete',
  ])
    IN_SCENARIOS.add(ch);
  for (const ch of Object.keys(DESKTOP_ONLY)) IN_SCENARIOS.add(ch);
  for (const ch of Object.keys(ELSEWHERE)) IN_SCENARIOS.add(ch);

  const missing = channels.filter((ch) => !SUCCESS[ch] && !IN_SCENARIOS.has(ch));
  for (const ch of missing) it.todo(`${ch}: success path sample missing in core/serve/server.test.ts`);
});

describe('malformed frames', () => {
  let c: TestClient;
  beforeAll(async () => {
    c = await TestClient.connect(wsUrl);
  });
  afterAll(() => c.close());

  it('answers malformed JSON, non-objects, missing ids, binary and unknown types with errors, and keeps serving', async () => {
    const bad = await c.sendRaw('{"id": 1, "method": ');
    expect(bad).toMatchObject({ id: null, ok: false, error: { code: 'invalid-input' } });
    expect(bad.error?.message).toMatch(/Malformed JSON/);
    expect((await c.sendRaw('[1,2]')).error?.message).toMatch(/JSON object/);
    expect((await c.sendRaw('"x"')).error?.code).toBe('invalid-input');
    expect((await c.sendRaw('{"method":"app:info"}')).error?.message).toMatch(/needs an id/);
    expect((await c.sendRaw('{"id":{"x":1},"method":"app:info"}')).error?.message).toMatch(/id must be/);
    expect((await c.sendRaw(Buffer.from([1, 2, 3]), true)).error?.message).toMatch(/Binary/);
    c.send({ id: 77, type: 'teleport' });
    expect((await c.reply(77)).error?.message).toMatch(/Unknown frame type/);
    const unknown = await c.call('nope:nothing', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(unknown.error?.message).toContain('Unknown method');
    expect((await c.call('app:info')).ok).toBe(true);
  });

  it('answers an oversized frame with an error and keeps the connection', async () => {
    const big = `{"id":5,"method":"app:info","params":"${'x'.repeat(MAX_FRAME_BYTES + 10)}"}`;
    const r = await c.sendRaw(big);
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(r.error?.message).toMatch(/too large/);
    expect((await c.call('app:info')).ok).toBe(true);
  });
});

describe('events', () => {
  it('reach subscribers only, and stop after unsubscribe', async () => {
    const a = await TestClient.connect(wsUrl);
    const b = await TestClient.connect(wsUrl);
    a.send({ id: 'sub', type: 'subscribe', topic: 'app:ready' });
    expect(await a.reply('sub')).toMatchObject({ ok: true });
    server.services.emit('app:ready', { at: 42 });
    // Frames on one socket arrive in order: an event sent before this reply would be recorded by now.
    await a.call('app:info');
    await b.call('app:info');
    expect(a.events).toEqual([{ type: 'event', topic: 'app:ready', payload: { at: 42 } }]);
    expect(b.events).toEqual([]);
    a.send({ id: 'unsub', type: 'unsubscribe', topic: 'app:ready' });
    await a.reply('unsub');
    server.services.emit('app:ready', { at: 43 });
    await a.call('app:info');
    expect(a.events).toHaveLength(1);
    a.send({ id: 'bad', type: 'subscribe', topic: 'no:such-topic' });
    expect(await a.reply('bad')).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    await a.close();
    await b.close();
  });
});
