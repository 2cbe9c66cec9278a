import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCsv } from '../../store/import';
import { openStore } from '../../store/sqlite-bar-store';
import { bufferIO } from '../io';
import { main } from '../main';

const ROOT = join(__dirname, '../../..');
const GOOG = readFileSync(join(ROOT, 'core/backtest/testdata/GOOG.csv'), 'utf8');
let dir: string;
let db: string;

async function seed(path: string, extraBars = ''): Promise<void> {
  const s = openStore(path);
  await importCsv(s, 'instruments', {
    fileName: 'i.csv',
    content: 'symbol,name,sector,currency,listed_on,delisted_on\nGOOG,Alphabet,Tech,USD,,\n',
  });
  const bars = GOOG.trim()
    .split('\n')
    .slice(1)
    .map((l) => `GOOG,${l}`)
    .join('\n');
  const r = await importCsv(s, 'bars', {
    fileName: 'b.csv',
    content: `symbol,date,open,high,low,close,volume\n${bars}\n${extraBars}`,
  });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  s.close();
}

function specFile(name: string, spec: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(spec));
  return f;
}

async function cli(args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const PARITY = { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'], capital: 10_000 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-backtest-'));
  db = join(dir, 'q.db');
  await seed(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantdesk backtest', () => {
  it('prints exactly the documented keys and reproduces backtesting.py through the store', async () => {
    const r = await cli(['backtest', '--spec', specFile('p.json', PARITY), '--db', db, '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(['spec', 'metrics', 'trades', 'openPositions', 'equity', 'runId']);
    expect(out.trades).toHaveLength(65);
    expect(out.metrics.finalEquity).toBeCloseTo(51959.95, 2);
    expect(out.equity[0]).toEqual({ time: '2004-08-19', equity: 10_000 });
    expect(out.trades[0].entryTime).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(Object.keys(out.trades[0])).toEqual(
      expect.arrayContaining([
        'symbol',
        'side',
        'qty',
        'entryTime',
        'entryPrice',
        'exitTime',
        'exitPrice',
        'pnl',
        'commission',
        'returnPct',
        'ambiguous',
      ]),
    );
    expect(out.spec).toMatchObject({
      fill: 'next-open',
      sizing: { method: 'all-in' },
      wholeUnits: true,
      closeAtEnd: false,
    });
  });

  it('exits 2 naming the field for a bad spec, an unknown strategy or symbol', async () => {
    const bad = await cli([
      'backtest',
      '--spec',
      specFile('b1.json', { ...PARITY, capital: 'lots' }),
      '--db',
      db,
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/b1\.json: capital:/);
    expect(bad.out).toBe('');
    const typo = await cli(['backtest', '--spec', specFile('b2.json', { ...PARITY, comission: 1 }), '--db', db]);
    expect(typo.code).toBe(2);
    expect(typo.err).toMatch(/comission/);
    const strat = await cli(['backtest', '--spec', specFile('b3.json', { ...PARITY, strategy: 'nope' }), '--db', db]);
    expect(strat.code).toBe(2);
    expect(strat.err).toMatch(/strategy: unknown strategy "nope"/);
    const sym = await cli(['backtest', '--spec', specFile('b4.json', { ...PARITY, symbols: ['MSFT'] }), '--db', db]);
    expect(sym.code).toBe(2);
    expect(sym.err).toMatch(/symbols: .*MSFT/);
    const params = await cli([
      'backtest',
      '--spec',
      specFile('b5.json', { ...PARITY, params: { fast: 30, slow: 10 } }),
      '--db',
      db,
    ]);
    expect(params.code).toBe(2);
    expect(params.err).toMatch(/params\.fast/);
  });

  it('writes a self-contained HTML report and a trades CSV', async () => {
    const html = join(dir, 'r.html');
    const csv = join(dir, 't.csv');
    const r = await cli([
      'backtest',
      '--spec',
      specFile('p2.json', PARITY),
      '--db',
      db,
      '--report',
      html,
      '--trades-csv',
      csv,
    ]);
    expect(r.code).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<svg[^>]*aria-label="Equity"/);
    expect(page).toMatch(/aria-label="Drawdown"/);
    expect(page).toContain('<th>Jan</th>');
    expect(page).not.toMatch(/(src|href)=["']?https?:/);
    expect(page.match(/<tr><td>GOOG<\/td>/g)).toHaveLength(65);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(66);
    expect(lines[0]).toBe(
      'symbol,side,qty,entryTime,entryPrice,exitTime,exitPrice,pnl,commission,returnPct,ambiguous,exitReason',
    );
  });
});

describe('quantdesk runs', () => {
  it('lists, shows and re-runs a stored run identically, and reports changed data', async () => {
    const d2 = join(dir, 'runs.db');
    await seed(d2);
    const first = JSON.parse((await cli(['backtest', '--spec', specFile('r.json', PARITY), '--db', d2, '--json'])).out);
    const list = JSON.parse((await cli(['runs', 'list', '--db', d2, '--json'])).out);
    expect(list.map((x: { id: string }) => x.id)).toEqual([first.runId]);
    expect(list[0]).toMatchObject({ kind: 'backtest', strategy: 'sma-cross', engineVersion: expect.any(String) });
    expect(list[0].metrics.finalEquity).toBeCloseTo(first.metrics.finalEquity, 10);
    const show = JSON.parse((await cli(['runs', 'show', first.runId, '--db', d2, '--json'])).out);
    expect(show.spec).toEqual(first.spec);
    expect(show.result).toEqual(first);
    const again = JSON.parse((await cli(['runs', 'rerun', first.runId, '--db', d2, '--json'])).out);
    expect(again).toMatchObject({ rerunOf: first.runId, identical: true, fingerprintChanged: false });
    expect({ ...again.result, runId: '' }).toEqual({ ...first, runId: '' });
    // new data after the run: the fingerprint changes and the re-run says so
    const s = openStore(d2);
    const more = await importCsv(s, 'bars', {
      fileName: 'more.csv',
      content: 'symbol,date,open,high,low,close,volume\nGOOG,2013-03-04,805,820,800,815,1000\n',
    });
    s.close();
    expect(more.ok).toBe(true);
    const changed = await cli(['runs', 'rerun', first.runId, '--db', d2, '--json']);
    expect(JSON.parse(changed.out)).toMatchObject({ fingerprintChanged: true, identical: false });
    expect(changed.err).toMatch(/data changed/);
    expect((await cli(['runs', 'show', 'bt-nope', '--db', d2, '--json'])).code).toBe(1);
    expect((await cli(['runs', 'frobnicate', '--db', d2])).code).toBe(2);
  });

  it('runs as a real process from the built binary', () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'cli'], { cwd: ROOT });
    const p = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/quantdesk.js'), 'backtest', '--spec', specFile('bin.json', PARITY), '--db', db, '--json'],
      { encoding: 'utf8' },
    );
    expect(p.status).toBe(0);
    const out = JSON.parse(p.stdout);
    expect(out.trades).toHaveLength(65);
    expect(out.metrics.finalEquity).toBeCloseTo(51959.95, 2);
    const bad = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/quantdesk.js'),
        'backtest',
        '--spec',
        specFile('bb.json', { strategy: 'sma-cross' }),
        '--db',
        db,
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/symbols: give exactly one of "symbols" or "universe"/);
    expect(p.stderr).toBe('');
    // QUANTDESK_TIMINGS=1: the phase marks on stderr, in order, the same stdout.
    const timed = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/quantdesk.js'), 'backtest', '--spec', specFile('bin.json', PARITY), '--db', db, '--json'],
      { encoding: 'utf8', env: { ...process.env, QUANTDESK_TIMINGS: '1' } },
    );
    expect(timed.status).toBe(0);
    const strip = (t: string) => t.replace(/"runId":"[^"]*"/, '');
    expect(strip(timed.stdout)).toBe(strip(p.stdout));
    const line = /^quantdesk timings: (.*)$/m.exec(timed.stderr);
    expect(line).not.toBeNull();
    const { wall, cpu } = JSON.parse(line![1]) as { wall: Record<string, number>; cpu: Record<string, number> };
    const phases = ['node', 'bin', 'dispatcher', 'loaded', 'open', 'read', 'run', 'save', 'print', 'write', 'close'];
    expect(Object.keys(wall)).toEqual([...phases, 'done', 'exit']);
    const at = Object.values(wall);
    for (let i = 1; i < at.length; i++) expect(at[i]).toBeGreaterThanOrEqual(at[i - 1]);
    expect(Object.keys(cpu)).toEqual(Object.keys(wall));
  });
});
