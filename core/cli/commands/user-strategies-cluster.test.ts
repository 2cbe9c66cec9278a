import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../../pool/redis-test-server';
import { importCsv } from '../../store/import';
import { openStore } from '../../store/sqlite-bar-store';
import { bufferIO } from '../io';
import { main } from '../main';

const ROOT = join(__dirname, '../../..');
let dir: string;
let db: string;
let redis: TestRedis;
let worker: ChildProcess | null = null;

beforeAll(async () => {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'cli'], { cwd: ROOT });
  dir = mkdtempSync(join(tmpdir(), 'qd-user-cluster-'));
  db = join(dir, 't.db');
  const s = openStore(db);
  const goog = readFileSync(join(ROOT, 'core/backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
  await importCsv(s, 'instruments', {
    fileName: 'i.csv',
    content: 'symbol,name,sector,currency,listed_on,delisted_on\nGOOG,Alphabet,Tech,USD,,\n',
  });
  await importCsv(s, 'bars', {
    fileName: 'b.csv',
    content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
  });
  s.close();
  redis = await startTestRedis();
});

afterAll(async () => {
  if (worker && worker.exitCode === null) worker.kill('SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a user strategy on the BullMQ cluster', () => {
  it('the source travels by hash with each job: a node without the store or the file gives the threaded results', async () => {
    // The node runs from another folder and has no copy of the file: only the job's source can run there.
    const nodeDir = mkdtempSync(join(tmpdir(), 'qd-node-'));
    worker = spawn(
      process.execPath,
      [join(ROOT, 'bin/quantdesk.js'), 'worker', '--redis', redis.url, '--queue', 'userq'],
      { cwd: nodeDir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let log = '';
      worker!.stderr!.on('data', (b: Buffer) => {
        log += b.toString();
        if (log.includes('listening on')) resolve();
      });
      worker!.once('exit', (code) => reject(new Error(`worker exited (${code}): ${log}`)));
    });
    // Stored in the host's store by name; the node has no store (no --db) and no file: it can only run
    // the source its jobs carry.
    copyFileSync(join(ROOT, 'core/sdk/testdata/my-sma.ts'), join(dir, 'cl-sma.ts'));
    expect(await main(['strategies', 'add', join(dir, 'cl-sma.ts'), '--db', db], bufferIO())).toBe(0);
    rmSync(join(dir, 'cl-sma.ts'));
    const spec = join(dir, 'sweep.json');
    writeFileSync(
      spec,
      JSON.stringify({
        base: { strategy: 'my-sma', symbols: ['GOOG'] },
        grid: { fast: [5, 10], slow: [30] },
        objective: 'sharpe',
        top: 2,
      }),
    );
    const run = async (extra: string[]) => {
      const io = bufferIO();
      const code = await main(['sweep', '--spec', spec, '--db', db, '--json', ...extra], io);
      expect(io.stderr()).toBe('');
      expect(code).toBe(0);
      return JSON.parse(io.stdout()) as { failed: unknown[]; results: { params: unknown; metrics: unknown }[] };
    };
    const cluster = await run(['--cluster', redis.url, '--queue', 'userq']);
    const threads = await run(['--workers', '1']);
    expect(cluster.failed).toEqual([]);
    expect(cluster.results).toHaveLength(2);
    expect(cluster.results).toEqual(threads.results);
    rmSync(nodeDir, { recursive: true, force: true });
  });
});
