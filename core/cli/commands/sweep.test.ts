import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSyntheticStore } from '../../optimize/synthetic-market';
import { startTestRedis, type TestRedis } from '../../pool/redis-test-server';
import { bufferIO } from '../io';
import { main } from '../main';

const root = join(__dirname, '..', '..', '..');
let dir: string;
let db: string;
let specFile: string;
const children: ChildProcess[] = [];

const sweepFile = {
  base: {
    strategy: 'sma-cross',
    symbols: ['S0000', 'S0001'],
    commission: { rate: 0.0005 },
    start: '2015-02-02',
    end: '2016-01-29',
  },
  grid: { fast: { from: 3, to: 15, step: 4 }, slow: [20, 40] },
  constraints: ['fast < slow'],
  objective: 'sharpe',
  top: 3,
};

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), 'cli'], { cwd: root, stdio: 'inherit' });
  dir = mkdtempSync(join(tmpdir(), 'qd-sweep-cli-'));
  db = join(dir, 'm.db');
  createSyntheticStore(db, { symbols: 2, days: 300, seed: 11 }).close();
  specFile = join(dir, 'sweep.json');
  writeFileSync(specFile, JSON.stringify(sweepFile, null, 2));
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('quantdesk sweep', () => {
  let threaded: { runs: number; results: { params: Record<string, number>; metrics: Record<string, number> }[] };

  it('refuses more workers than cores with a clear error, exit 2', async () => {
    const r = await cli(['sweep', '--spec', specFile, '--db', db, '--workers', '100000', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--workers: at most \d+ on this machine \(its cores\), got 100000/);
  });

  it('prints exactly the documented JSON, results sorted by the objective', async () => {
    const r = await cli(['sweep', '--spec', specFile, '--db', db, '--workers', '2', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    threaded = JSON.parse(r.stdout);
    expect(Object.keys(threaded).sort()).toEqual(
      ['best', 'elapsedMs', 'failed', 'fingerprint', 'id', 'kernel', 'objective', 'results', 'runs', 'workers'].sort(),
    );
    // Stored in the registry under its id.
    const { openStore } = await import('../../store/sqlite-bar-store');
    const { loadSweep } = await import('../../optimize/sweep-registry');
    const s = openStore(db);
    try {
      expect(loadSweep(s, (threaded as unknown as { id: string }).id)?.results).toEqual(threaded.results);
      // The registry also keeps every combination's objective (the app's heatmap); the CLI's JSON stays as it was.
      expect(loadSweep(s, (threaded as unknown as { id: string }).id)?.surface?.objective).toHaveLength(8);
    } finally {
      s.close();
    }
    // `runs show` on the sweep id prints its stored output.
    const shown = await cli(['runs', 'show', (threaded as unknown as { id: string }).id, '--db', db, '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ kind: 'sweep', sweep: { runs: 8, results: threaded.results } });
    expect(JSON.parse(shown.stdout).sweep.surface).toBeUndefined();
    // fast 3,7,11,15 × slow 20,40, all fast < slow: 8 runs, top 3 kept.
    expect(threaded.runs).toBe(8);
    expect(threaded.results).toHaveLength(3);
    const sharpe = threaded.results.map((x) => x.metrics.sharpe);
    expect([...sharpe].sort((a, b) => b - a)).toEqual(sharpe);
  });

  it('the real binary gives the same results as the in-process command', () => {
    const out = execFileSync(
      process.execPath,
      [join(root, 'bin/quantdesk.js'), 'sweep', '--spec', specFile, '--db', db, '--workers', '1', '--json'],
      { encoding: 'utf8' },
    );
    const spawned = JSON.parse(out);
    expect(spawned.results).toEqual(threaded.results);
    expect(spawned.workers).toBe(1);
  });

  it('names the file and line of a JSON error, and the field of an invalid value (exit 2)', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{\n  "base": {},\n  "grid": {"fast": [1,2]},,\n}');
    const r = await cli(['sweep', '--spec', bad, '--db', db, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: invalid JSON`));
    writeFileSync(bad, JSON.stringify({ ...sweepFile, grid: { fast: { from: 5, to: 1, step: 1 } } }));
    const r2 = await cli(['sweep', '--spec', bad, '--db', db]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/bad\.json: grid\.fast: .*"to" is below "from"/);
    writeFileSync(bad, JSON.stringify({ ...sweepFile, base: { ...sweepFile.base, fill: 'tomorrow' } }));
    const r3 = await cli(['sweep', '--spec', bad, '--db', db]);
    expect(r3.code).toBe(2);
    expect(r3.stderr).toMatch(/bad\.json: base\.fill: /);
    expect((await cli(['sweep', '--db', db])).code).toBe(2);
  });

  it('runs on a cluster node that has no store: the panel travels through Redis, results equal the threaded run', async () => {
    const redis: TestRedis = await startTestRedis();
    try {
      const node = spawn(
        process.execPath,
        [join(root, 'bin/quantdesk.js'), 'worker', '--redis', redis.url, '--queue', 'cli-q'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      children.push(node);
      let log = '';
      await new Promise<void>((resolve, reject) => {
        node.stderr!.on('data', (b: Buffer) => {
          log += b.toString();
          if (log.includes('listening on')) resolve();
        });
        node.once('exit', (c) => reject(new Error(`worker exited ${c}: ${log}`)));
      });
      const r = await cli([
        'sweep',
        '--spec',
        specFile,
        '--db',
        db,
        '--cluster',
        redis.url,
        '--queue',
        'cli-q',
        '--json',
      ]);
      expect(r.code).toBe(0);
      const clustered = JSON.parse(r.stdout);
      expect(clustered.results).toEqual(threaded.results);
      expect(clustered.runs).toBe(8);
      expect(log).toMatch(/fetched panel .* from Redis/);
      node.kill('SIGTERM');
    } finally {
      await redis.stop();
    }
  });
});

describe('quantdesk walkforward', () => {
  it('prints windows with chosen params and an efficiency, and rejects a bad --train', async () => {
    const r = await cli([
      'walkforward',
      '--spec',
      specFile,
      '--db',
      db,
      '--train',
      '120',
      '--test',
      '60',
      '--workers',
      '2',
      '--json',
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    // 2015-02-02..2016-01-29 holds 260 weekdays: tests at 120, 180, 240 (the last one 20 bars).
    expect(out.windows).toHaveLength(3);
    expect(out.windows[0]).toMatchObject({ trainBars: 120, testBars: 60, params: expect.any(Object) });
    expect(out.oosEquity.value).toHaveLength(60 + 60 + 20);
    expect((await cli(['walkforward', '--spec', specFile, '--db', db, '--train', 'x', '--test', '5'])).code).toBe(2);
    const anchored = JSON.parse(
      (
        await cli([
          'walkforward',
          '--spec',
          specFile,
          '--db',
          db,
          '--train',
          '120',
          '--test',
          '60',
          '--anchored',
          '--json',
        ])
      ).stdout,
    );
    expect(anchored.windows.map((w: { trainBars: number }) => w.trainBars)).toEqual([120, 180, 240]);
    expect(out.windows[0].trainStart).toBe('2015-02-02');
  });
});

describe('quantdesk montecarlo', () => {
  it('bootstraps a stored backtest: same seed same numbers, percentiles ordered, unknown run exit 2', async () => {
    const { openStore } = await import('../../store/sqlite-bar-store');
    const { backtestFromStore } = await import('../../backtest/run');
    const { parseSpec } = await import('../../backtest/spec');
    const s = openStore(db);
    let runId: string;
    try {
      const parsed = parseSpec({ strategy: 'sma-cross', symbols: ['S0000'], params: { fast: 3, slow: 20 } });
      if (!parsed.ok) throw new Error(parsed.errors.join());
      runId = backtestFromStore(s, parsed.spec).output.runId;
    } finally {
      s.close();
    }
    const a = await cli(['montecarlo', '--run', runId, '--db', db, '--paths', '400', '--seed', '7', '--json']);
    const b = await cli(['montecarlo', '--run', runId, '--db', db, '--paths', '400', '--seed', '7', '--json']);
    const c = await cli([
      'montecarlo',
      '--run',
      runId,
      '--db',
      db,
      '--paths',
      '400',
      '--seed',
      '8',
      '--method',
      'returns',
      '--json',
    ]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const ma = JSON.parse(a.stdout);
    const mc = JSON.parse(c.stdout);
    expect(ma).toMatchObject({ method: 'trades', paths: 400, seed: 7, ruin: 0.5 });
    expect(mc.method).toBe('returns');
    expect(mc.finalEquity.p50).not.toBe(ma.finalEquity.p50);
    for (const d of [ma.finalEquity, ma.maxDrawdown])
      expect([d.p5, d.p25, d.p50, d.p75, d.p95]).toEqual(
        [d.p5, d.p25, d.p50, d.p75, d.p95].sort((x: number, y: number) => x - y),
      );
    expect(ma.probabilityOfRuin).toBeGreaterThanOrEqual(0);
    expect((await cli(['montecarlo', '--run', 'nope', '--db', db])).code).toBe(2);
    expect((await cli(['montecarlo', '--run', runId, '--db', db, '--method', 'dice'])).code).toBe(2);
  });
});

describe('quantdesk sweep cancellation', () => {
  it('stops on SIGINT with exit 1 and "cancelled" on stderr, printing nothing on stdout', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(
      big,
      JSON.stringify({
        ...sweepFile,
        engine: 'exact',
        grid: { fast: { from: 2, to: 100, step: 1 }, slow: { from: 101, to: 400, step: 1 } },
      }),
    );
    const child = spawn(
      process.execPath,
      [join(root, 'bin/quantdesk.js'), 'sweep', '--spec', big, '--db', db, '--workers', '2', '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, QUANTDESK_PROGRESS: '1' },
      },
    );
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    // SIGINT once the sweep is running (its first progress line), far from its 29,700 runs.
    await new Promise<void>((r) => child.stderr!.on('data', () => /sweep: \d+\/29700/.test(err) && r()));
    const t0 = Date.now();
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expect(err).toMatch(/cancelled/);
    expect(err).not.toMatch(/sweep: 29700\/29700/);
    expect(out).toBe('');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
