import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../../store/import';
import { openStore } from '../../store/sqlite-bar-store';
import { bufferIO } from '../io';
import { main } from '../main';

// `quantdesk montecarlo` and `quantdesk live replay` with a user strategy file (core/sdk/testdata/my-sma.ts,
// the built-in sma-cross written on the SDK): the same results as the built-in.
const ROOT = join(__dirname, '../../..');
const GOOG = readFileSync(join(ROOT, 'core/backtest/testdata/GOOG.csv'), 'utf8');
let dir: string;
let db: string;

async function cli(args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}
const spec = (name: string, strategy: string) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify({ strategy, params: { fast: 10, slow: 30 }, symbols: ['GOOG'] }));
  return f;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-user-paths-'));
  db = join(dir, 't.db');
  const s = openStore(db);
  await importCsv(s, 'instruments', {
    fileName: 'i.csv',
    content: 'symbol,name,sector,currency,listed_on,delisted_on\nGOOG,Alphabet,Tech,USD,,\n',
  });
  const bars = GOOG.trim()
    .split('\n')
    .slice(1)
    .map((l) => `GOOG,${l}`)
    .join('\n');
  await importCsv(s, 'bars', { fileName: 'b.csv', content: `symbol,date,open,high,low,close,volume\n${bars}\n` });
  s.close();
  copyFileSync(join(ROOT, 'core/sdk/testdata/my-sma.ts'), join(dir, 'my-sma.ts'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a user strategy file through montecarlo and live replay', () => {
  it("montecarlo of a stored user-strategy run equals the built-in run's, for both methods", async () => {
    const runs: string[] = [];
    for (const [f, s] of [
      ['u.json', './my-sma.ts'],
      ['b.json', 'sma-cross'],
    ]) {
      const r = await cli(['backtest', '--spec', spec(f, s), '--db', db, '--json']);
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(r.out) as { runId: string; trades: unknown[] };
      expect(j.trades.length).toBeGreaterThan(5);
      runs.push(j.runId);
    }
    expect(runs[0]).not.toBe(runs[1]);
    for (const method of ['trades', 'returns']) {
      const [u, b] = await Promise.all(
        runs.map((id) =>
          cli(['montecarlo', '--run', id, '--db', db, '--paths', '300', '--seed', '7', '--method', method, '--json']),
        ),
      );
      expect(u.code, u.err).toBe(0);
      expect(b.code, b.err).toBe(0);
      const ju = JSON.parse(u.out);
      expect(ju.paths).toBe(300);
      expect(ju.finalEquity.p50).toEqual(expect.any(Number));
      expect(ju).toEqual(JSON.parse(b.out));
    }
  }, 60_000);

  it("live replay of the file gives the built-in's signals, fills and positions", async () => {
    const u = await cli(['live', 'replay', '--spec', spec('lu.json', './my-sma.ts'), '--db', db, '--json']);
    const b = await cli(['live', 'replay', '--spec', spec('lb.json', 'sma-cross'), '--db', db, '--json']);
    expect(u.code, u.err).toBe(0);
    expect(b.code, b.err).toBe(0);
    const ju = JSON.parse(u.out) as { signals: { reason: string }[]; fills: unknown[]; positions: unknown[] };
    const jb = JSON.parse(b.out) as typeof ju;
    expect(ju.fills.length).toBeGreaterThan(5);
    // order ids carry the session's id (a hash of the spec): everything else about each fill is the same
    const ids = (f: unknown[]) =>
      f.map((x) => ({ ...(x as object), orderId: String((x as { orderId: string }).orderId).replace(/^[^:]*:/, '') }));
    expect(ids(ju.fills)).toEqual(ids(jb.fills));
    expect(ju.positions).toEqual(jb.positions);
    // the reason may name the strategy; everything else about each signal is the same
    const strip = (s: { reason: string }[]) => s.map(({ reason: _r, ...rest }) => rest);
    expect(strip(ju.signals)).toEqual(strip(jb.signals));
    expect(ju.signals.length).toBe(jb.signals.length);
  }, 60_000);
});
