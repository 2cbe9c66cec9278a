/**
 * User strategies (issue 13): the whole `quantdesk backtest --json` process of a user-written `.ts`
 * sma-cross (compiled by esbuild, run in the sandbox) against the built-in `sma-cross` (baseline, same
 * run, same 100,000 bars). Target: within 1.5× of the built-in. Also in process: the engine alone with
 * the sandboxed strategy vs the built-in.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBacktest } from '../core/backtest/engine';
import { parseSpec } from '../core/backtest/spec';
import type { Panel } from '../core/data/panel-types';
import { runBacktestGuarded } from '../core/sdk/guard';
import { loadSandboxedStrategy, sourceHash } from '../core/sdk/sandbox';
import { importCsv } from '../core/store/import';
import { openStore } from '../core/store/sqlite-bar-store';
import { smaCross } from '../core/strategies/ma-cross';
import { measure, printTable, type BenchTable } from './harness';

const ROOT = join(__dirname, '..');
const N = 100_000;
const DAY = 86_400_000;
const T0 = Date.UTC(1700, 0, 1);
const USER_FILE = join(ROOT, 'core/sdk/testdata/my-sma.ts');

/** The same seeded random walk as bench/backtest.ts. */
function bars(n: number) {
  let seed = 42;
  const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const o = new Float64Array(n);
  const h = new Float64Array(n);
  const l = new Float64Array(n);
  const c = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    o[i] = Math.round(p * (1 + (rnd() - 0.5) * 0.004) * 100) / 100;
    c[i] = Math.round(o[i] * (1 + (rnd() - 0.5) * 0.03) * 100) / 100;
    h[i] = Math.round(Math.max(o[i], c[i]) * (1 + rnd() * 0.01) * 100) / 100;
    l[i] = Math.round(Math.min(o[i], c[i]) * (1 - rnd() * 0.01) * 100) / 100;
    p = Math.max(5, c[i]);
  }
  return { o, h, l, c };
}

async function inProcess(): Promise<BenchTable> {
  const b = bars(N);
  const panel: Panel = {
    symbols: ['SYN'],
    sectors: [''],
    time: Float64Array.from({ length: N }, (_, i) => T0 + i * DAY),
    nInst: 1,
    nDays: N,
    open: b.o,
    high: b.h,
    low: b.l,
    close: b.c,
    volume: new Float64Array(N).fill(1000),
    listedOn: new Float64Array([Number.NaN]),
    delistedOn: new Float64Array([Number.NaN]),
    adjustment: 'raw',
    fingerprint: 'bench',
  };
  const parsed = parseSpec({ strategy: 'x', params: { fast: 10, slow: 30 }, symbols: ['SYN'], capital: 10_000 });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const source = readFileSync(USER_FILE, 'utf8');
  const user = loadSandboxedStrategy({ name: 'my-sma', file: USER_FILE, source, hash: sourceHash(source) });
  let a = 0;
  let u = 0;
  const builtin = await measure(() => (a = runBacktest(parsed.spec, panel, { strategy: smaCross }).trades.length), {
    runs: 30,
    warmup: 5,
  });
  const sandboxed = await measure(
    () => (u = runBacktestGuarded(parsed.spec, panel, { strategy: user }).trades.length),
    { runs: 30, warmup: 5 },
  );
  return printTable(`user .ts sma-cross 10/30 vs the built-in, ${N.toLocaleString('en-US')} bars, engine in process`, [
    { name: 'built-in sma-cross', baseline: true, ...builtin, note: `${a} trades` },
    {
      name: 'user my-sma.ts (sandbox, time-limited steps)',
      ...sandboxed,
      note: `${u} trades${u === a ? ', same count' : ', DIFFERENT'}`,
    },
  ]);
}

async function processRuns(): Promise<BenchTable> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'cli'], { cwd: ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'qd-bench-user-'));
  try {
    const db = join(dir, 'bench.db');
    const store = openStore(db);
    await importCsv(store, 'instruments', {
      fileName: 'i.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on\nSYN,,,USD,,\n',
    });
    const b = bars(N);
    const lines = ['symbol,date,open,high,low,close,volume'];
    for (let i = 0; i < N; i++)
      lines.push(
        `SYN,${new Date(T0 + i * DAY).toISOString().slice(0, 10)},${b.o[i]},${b.h[i]},${b.l[i]},${b.c[i]},1000`,
      );
    await importCsv(store, 'bars', { fileName: 's.csv', content: lines.join('\n') + '\n' });
    store.close();
    copyFileSync(USER_FILE, join(dir, 'my-sma.ts'));
    const spec = (name: string, strategy: string) => {
      const f = join(dir, `${name}.json`);
      writeFileSync(f, JSON.stringify({ strategy, params: { fast: 10, slow: 30 }, symbols: ['SYN'], capital: 10_000 }));
      return f;
    };
    const bin = join(ROOT, 'bin/quantdesk.js');
    const outputs: Record<string, string> = {};
    const run = (key: string, args: string[]) => () => {
      const p = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (p.status !== 0) throw new Error(p.stderr);
      outputs[key] = p.stdout;
    };
    const builtin = await measure(
      run('b', [bin, 'backtest', '--spec', spec('builtin', 'sma-cross'), '--db', db, '--json', '--no-save']),
      { runs: 10, warmup: 1 },
    );
    const user = await measure(
      run('u', [bin, 'backtest', '--spec', spec('user', './my-sma.ts'), '--db', db, '--json', '--no-save']),
      { runs: 10, warmup: 1 },
    );
    const same = JSON.stringify(JSON.parse(outputs.b).trades) === JSON.stringify(JSON.parse(outputs.u).trades);
    return printTable(
      `whole \`quantdesk backtest --json\` process, ${N.toLocaleString('en-US')} bars: user .ts vs built-in`,
      [
        { name: 'built-in sma-cross', baseline: true, ...builtin },
        {
          name: 'user my-sma.ts (esbuild + sandbox)',
          ...user,
          note: `target ratio < 1.5; trades ${same ? 'identical' : 'DIFFER'}`,
        },
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchTable[]> {
  return [await inProcess(), await processRuns()];
}

if (require.main === module) void run();
