import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatch } from '../core/api/registry';
import { startServer } from '../core/serve/server';
import { TestClient } from '../core/serve/test-client';
import { decodeFrame, encodeFrame } from '../core/model/wire';
import { measure, printTable, type BenchTable } from './harness';
import { latencyUnderLoad, rssUnderFloods } from './serve-load';

const CALLS = 1000;

function columns(n: number) {
  const cols: Record<string, Float64Array> = {};
  for (const k of ['time', 'open', 'high', 'low', 'close', 'volume']) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = i < 20 && k === 'close' ? Number.NaN : 100 + Math.sin(i) * 10 + i * 1e-3;
    cols[k] = a;
  }
  return cols;
}

/**
 * The cost of the transport: `app:info` called 1,000 times directly through `dispatch` (the baseline:
 * validation + handler, no transport), over the WebSocket one at a time, and pipelined; then the wire
 * codec for bar columns (base64 typed arrays) against plain JSON number arrays (which lose NaN).
 */
export async function run(): Promise<BenchTable[]> {
  const dir = mkdtempSync(join(tmpdir(), 'qd-bench-serve-'));
  const server = await startServer({ dbPath: join(dir, 'b.db'), staticDir: join(dir, 'none') });
  const client = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
  const ctx = { signal: new AbortController().signal };
  try {
    const direct = await measure(async () => {
      for (let i = 0; i < CALLS; i++) await dispatch(server.handlers, 'app:info', undefined, ctx);
    });
    const sequential = await measure(async () => {
      for (let i = 0; i < CALLS; i++) await client.call('app:info');
    });
    const pipelined = await measure(async () => {
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < CALLS; i++) all.push(client.call('app:info'));
      await Promise.all(all);
    });
    const calls = printTable(`${CALLS} app:info calls`, [
      { name: 'dispatch in-process', baseline: true, ...direct },
      {
        name: 'WebSocket, one at a time',
        ...sequential,
        note: `${((sequential.median / CALLS) * 1000).toFixed(0)} µs per round trip`,
      },
      { name: 'WebSocket, pipelined', ...pipelined },
    ]);

    const rows = [];
    for (const n of [2_520, 100_000]) {
      const cols = columns(n);
      const plain = Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Array.from(v)]));
      const json = await measure(() => JSON.parse(JSON.stringify({ id: 1, ok: true, value: plain })), { runs: 10 });
      const wire = await measure(() => decodeFrame(encodeFrame({ id: 1, ok: true, value: cols })), { runs: 10 });
      const size = (s: string) => `${(s.length / 1024).toFixed(0)} KiB`;
      rows.push(
        {
          name: `${n} bars × 6, plain JSON arrays (NaN → null)`,
          baseline: n === 100_000,
          ...json,
          note: size(JSON.stringify(plain)),
        },
        { name: `${n} bars × 6, typed-array wire codec`, ...wire, note: size(encodeFrame(cols)) },
      );
    }
    const codec = printTable('bar columns: encode + decode', rows);

    // A host no client can freeze: the served CLI in its own process, probed while others load it.
    const root = join(__dirname, '..');
    const load = printTable(
      'app:info round trip (ms) on `quantdesk serve`, idle and while heavy calls run',
      await latencyUnderLoad(root, dir),
    );
    const rss = await rssUnderFloods(root, dir);
    const base = rss[0].mb;
    console.log(
      [
        '\n### host RSS under frame and connection floods (`quantdesk serve` process)\n',
        '| case | RSS MB | ratio | note |',
        '|---|---:|---:|---|',
        ...rss.map((r) => `| ${r.name} | ${r.mb.toFixed(0)} | ${(r.mb / base).toFixed(2)} | ${r.note} |`),
      ].join('\n'),
    );
    return [calls, codec, load, { title: 'host RSS under floods', rows: [] }];
  } finally {
    await client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
