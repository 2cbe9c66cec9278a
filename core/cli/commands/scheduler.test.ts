import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../connectors/test-server';
import { openStore } from '../../store/sqlite-bar-store';
import { tempDir } from '../../store/test-helpers';
import { connection } from '../../store/internal';

const root = join(__dirname, '..', '..', '..');
const bin = join(root, 'bin', 'quantdesk.js');
const q = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
/** Async: the loopback server lives in this process, so a blocking spawnSync would starve it. */
function qa(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    c.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const CSV = 'Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,1000\n2024-01-03,10.5,12,10,11,1200\n';

async function until<T>(what: string, f: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the real quantdesk binary: fetch, jobs and a scheduler killed with -9', () => {
  const d = tempDir('qd-sched-');
  let hang = true;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs'), 'cli'], { cwd: root });
    // AAA answers at once; BBB hangs while `hang` is set, so a fetch of both is caught mid-way.
    server = await startTestServer((url) => {
      if (url.searchParams.get('s') === 'bbb.us' && hang) return { hang: true };
      return {
        body: CSV.replace(/10\.5,1000/, url.searchParams.get('s') === 'bbb.us' ? '10.5,2000' : '10.5,1000'),
        type: 'text/csv',
      };
    });
  });
  afterAll(async () => {
    await server.close();
    d.cleanup();
  });

  it('fetch prints what changed, then nothing the second time; bad flags exit 2', async () => {
    const db = join(d.dir, 'f.db');
    const args = ['fetch', 'stooq', '--db', db, '--base-url', server.base, '--symbols', 'AAA.US', '--rate-ms', '0'];
    const r1 = await qa(args);
    expect([r1.status, r1.stderr]).toEqual([0, '']);
    expect(r1.stdout).toMatch(/^stooq: 3 rows changed \(bars 2 rows, 3 changed; 1 requests/);
    const r2 = await qa([...args, '--json']);
    expect(JSON.parse(r2.stdout)).toMatchObject({ source: 'stooq', changed: 0, requests: 1 });
    expect(q('fetch', 'yahoo', '--db', db).status).toBe(2);
    const noKey = await qa(['fetch', 'alphavantage', '--db', db, '--symbols', 'IBM'], {
      ...process.env,
      ALPHAVANTAGE_API_KEY: '',
    });
    expect([noKey.status, noKey.stderr]).toEqual([
      2,
      'quantdesk fetch: alphavantage: set ALPHAVANTAGE_API_KEY in the environment\n',
    ]);
  });

  it('a scheduled fetch killed with -9 stores nothing, and the next scheduler retries it to completion', async () => {
    const db = join(d.dir, 's.db');
    const add = q(
      'jobs',
      'add',
      'prices',
      '--cron',
      '0 18 * * 1-5',
      '--tz',
      'America/New_York',
      '--db',
      db,
      '--',
      'fetch',
      'stooq',
      '--base-url',
      server.base,
      '--symbols',
      'AAA.US,BBB.US',
      '--rate-ms',
      '0',
      '--retries',
      '0',
      '--timeout-ms',
      '60000',
    );
    expect([add.status, add.stderr]).toEqual([0, '']);
    expect(
      q('jobs', 'add', 'x', '--cron', '0 8 * * *', '--tz', 'Asia/Seoul', '--db', db, '--', 'backtest').status,
    ).toBe(2);
    // The app was closed for a week: the job's missed slots make one catch-up run at start.
    const s = openStore(db);
    connection(s)
      .prepare('UPDATE jobs SET created_at = ?')
      .run(Date.now() - 7 * 86_400_000);
    s.close();
    const spawnScheduler = (): ChildProcess =>
      spawn(process.execPath, [bin, 'scheduler', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    const first = spawnScheduler();
    const reqs = () => server.requests.filter((u) => u.searchParams.get('s') === 'bbb.us').length;
    await until('the fetch to reach BBB', () => (reqs() >= 1 ? true : undefined));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const mid = openStore(db);
    expect(connection(mid).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(0); // AAA was downloaded but not imported
    expect(connection(mid).prepare('SELECT status, pid FROM job_runs').get()).toEqual({
      status: 'running',
      pid: first.pid,
    });
    mid.close();
    hang = false;
    const second = spawnScheduler();
    let out = '';
    second.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    await until('the retry to finish', () => (/prices ok/.test(out) ? true : undefined));
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    const hist = JSON.parse(q('jobs', 'history', 'prices', '--db', db, '--json').stdout) as {
      status: string;
      attempt: number;
      trigger: string;
      rowsChanged: number | null;
      error: string | null;
    }[];
    expect(hist.map((h) => [h.status, h.attempt, h.trigger, h.rowsChanged])).toEqual([
      ['ok', 2, 'retry', 6],
      ['abandoned', 1, 'catch-up', null],
    ]);
    expect(hist[1].error).toMatch(/killed or crashed/);
    const end = openStore(db);
    expect(connection(end).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(4);
    end.close();
    const list = q('jobs', 'list', '--db', db);
    expect(list.stdout).toMatch(/^prices {2}"0 18 \* \* 1-5" America\/New_York {2}next \S+ {2}last ok {2}fetch stooq/);
  }, 60_000);
});
