/**
 * W1: `sma-cross` over 100,000 bars with the full trade list and metrics, in process, against the npm
 * package grademark on the same bars and rules (baseline, same run); and a whole
 * `bin/quantdesk.js backtest` process reading the store, against a bare `node` start, with the split of
 * a 100,000 one-minute-bar run into start, read, run, write and print (issue 14: ≤ 100 ms whole).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFrame } from 'data-forge';
import { analyze, backtest as grademarkBacktest, computeEquityCurve } from 'grademark';
import { runBacktest } from '../core/backtest/engine';
import { outputJson, toColumns } from '../core/backtest/json';
import { saveBacktestRun } from '../core/backtest/registry';
import { panelForSpec, runOptionsFor } from '../core/backtest/run';
import { parseSpec } from '../core/backtest/spec';
import { runBacktestGuarded } from '../core/sdk/guard';
import type { Panel } from '../core/data/panel-types';
import { importCsv } from '../core/store/import';
import { openStore } from '../core/store/sqlite-bar-store';
import { PatternStream } from '../core/indicators/patterns';
import { getStrategy } from '../core/strategies';
import { measure, printTable, type BenchTable } from './harness';
import { multiSymbol } from './multi-symbol';

const ROOT = join(__dirname, '..');
const N = 100_000;
const DAY = 86_400_000;
const T0 = Date.UTC(1700, 0, 1);

/** A seeded random walk: deterministic bars, OHLC consistent. */
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

function panelOf(b: ReturnType<typeof bars>): Panel {
  const n = b.c.length;
  return {
    symbols: ['SYN'],
    sectors: [''],
    time: Float64Array.from({ length: n }, (_, i) => T0 + i * DAY),
    nInst: 1,
    nDays: n,
    open: b.o,
    high: b.h,
    low: b.l,
    close: b.c,
    volume: new Float64Array(n).fill(1000),
    listedOn: new Float64Array([Number.NaN]),
    delistedOn: new Float64Array([Number.NaN]),
    adjustment: 'raw',
    fingerprint: 'bench',
  };
}

function sma(x: Float64Array, p: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i];
    if (i >= p) s -= x[i - p];
    if (i >= p - 1) out[i] = s / p;
  }
  return out;
}

async function inProcess(): Promise<BenchTable> {
  const b = bars(N);
  const panel = panelOf(b);
  const parsed = parseSpec({
    strategy: 'sma-cross',
    params: { fast: 10, slow: 30 },
    symbols: ['SYN'],
    capital: 100_000,
    direction: 'long-only',
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const strategy = getStrategy('sma-cross');
  let trades = 0;
  const ours = await measure(() => (trades = runBacktest(parsed.spec, panel, { strategy }).trades.length), {
    runs: 60,
    warmup: 15,
  });

  // grademark: same bars, same rules (enter long on the fast-above-slow cross, exit on the cross below,
  // fills at the next open); indicators precomputed outside the timing.
  const f = sma(b.c, 10);
  const s = sma(b.c, 30);
  const rows = Array.from({ length: N }, (_, i) => ({
    time: new Date(T0 + i * DAY),
    open: b.o[i],
    high: b.h[i],
    low: b.l[i],
    close: b.c[i],
    volume: 1000,
    up: i > 0 && f[i - 1] < s[i - 1] && f[i] > s[i],
    down: i > 0 && f[i - 1] > s[i - 1] && f[i] < s[i],
  }));
  const df = new DataFrame(rows);
  type Row = (typeof rows)[number];
  const strategyGm = {
    entryRule: (enter: () => void, a: { bar: Row }) => a.bar.up && enter(),
    exitRule: (exit: () => void, a: { bar: Row }) => a.bar.down && exit(),
  };
  let gmTrades = 0;
  const gm = await measure(
    () => {
      const t = grademarkBacktest(strategyGm as never, df as never);
      analyze(100_000, t);
      computeEquityCurve(100_000, t);
      gmTrades = t.length;
    },
    { runs: 5, warmup: 1 },
  );
  return printTable(`W1 sma-cross 10/30, ${N.toLocaleString('en-US')} bars, trades + metrics in process`, [
    {
      name: 'grademark 0.3 (backtest + analyze + equity curve)',
      baseline: true,
      ...gm,
      note: `${gmTrades} trades (grademark evaluates no rule on the bar a fill happens)`,
    },
    { name: 'quantdesk runBacktest', ...ours, note: `${trades} trades; target < 5 ms` },
  ]);
}

async function processRuns(): Promise<BenchTable[]> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'cli'], { cwd: ROOT });
  const dir = mkdtempSync(join(tmpdir(), 'qd-bench-bt-'));
  try {
    const db = join(dir, 'bench.db');
    const store = openStore(db);
    const goog = readFileSync(join(ROOT, 'core/backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
    await importCsv(store, 'instruments', {
      fileName: 'i.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on\nGOOG,,,USD,,\nSYN,,,USD,,\n',
    });
    await importCsv(store, 'bars', {
      fileName: 'g.csv',
      content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
    });
    const b = bars(N);
    const lines = ['symbol,date,open,high,low,close,volume'];
    for (let i = 0; i < N; i++)
      lines.push(
        `SYN,${new Date(T0 + i * DAY).toISOString().slice(0, 10)},${b.o[i]},${b.h[i]},${b.l[i]},${b.c[i]},1000`,
      );
    await importCsv(store, 'bars', { fileName: 's.csv', content: lines.join('\n') + '\n' });
    // 100,000 one-minute bars (about 260 trading days of 6.5 hours), as issue 14 measures.
    await importCsv(store, 'instruments', {
      fileName: 'm.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on\nMIN,,,USD,,\n',
    });
    const mlines = ['symbol,date,open,high,low,close,volume'];
    const T0M = Date.UTC(2024, 0, 2, 14, 30);
    for (let i = 0; i < N; i++)
      mlines.push(`MIN,${new Date(T0M + i * 60_000).toISOString()},${b.o[i]},${b.h[i]},${b.l[i]},${b.c[i]},1000`);
    await importCsv(store, 'bars', { fileName: 'm.csv', content: mlines.join('\n') + '\n' });
    store.close();
    const spec = (sym: string) => {
      const f = join(dir, `${sym}.json`);
      writeFileSync(
        f,
        JSON.stringify({ strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: [sym], capital: 10_000 }),
      );
      return f;
    };
    const bin = join(ROOT, 'bin/quantdesk.js');
    const run = (args: string[]) => () => {
      const p = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
      if (p.status !== 0) throw new Error(p.stderr);
    };
    const base = await measure(run(['-e', '0']), { runs: 10, warmup: 1 });
    const googRun = await measure(run([bin, 'backtest', '--spec', spec('GOOG'), '--db', db, '--json', '--no-save']), {
      runs: 10,
      warmup: 1,
    });
    const synRun = await measure(run([bin, 'backtest', '--spec', spec('SYN'), '--db', db, '--json', '--no-save']), {
      runs: 10,
      warmup: 1,
    });
    const minSpec = spec('MIN');
    const minRun = await measure(run([bin, 'backtest', '--spec', minSpec, '--db', db, '--json']), {
      runs: 10,
      warmup: 1,
    });
    // As bin/quantdesk.js loads them: through V8's code cache (bin/code-cache.js).
    const loadScript = `require(${JSON.stringify(join(ROOT, 'bin/code-cache.js'))}).install(${JSON.stringify(join(ROOT, 'out/cli'))});
      require(${JSON.stringify(join(ROOT, 'out/cli/index.js'))}); require(${JSON.stringify(join(ROOT, 'out/cli/cmd-backtest.js'))})`;
    const load = await measure(run(['-e', loadScript]), { runs: 10, warmup: 1 });
    const whole = printTable('W1 whole `quantdesk backtest --json` process from the store (panel cache warm)', [
      { name: 'node -e 0 (process start)', baseline: true, ...base },
      { name: 'backtest GOOG, 2,148 bars', ...googRun, note: 'target < 300 ms' },
      {
        name: `backtest SYN, ${N.toLocaleString('en-US')} daily bars, --no-save`,
        ...synRun,
        note: 'prints 100k equity points',
      },
      {
        name: `backtest MIN, ${N.toLocaleString('en-US')} one-minute bars, saved to the registry`,
        ...minRun,
        note: 'issue 14 target ≤ 100 ms (backtesting.py ≈ 1,040 ms)',
      },
      { name: 'start + load the CLI and the backtest command (no run)', ...load, note: 'the start part of the split' },
    ]);
    return [whole, await split(db, minSpec)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The parts of a `quantdesk backtest --json` run on 100,000 one-minute bars, in process, each timed alone. */
async function split(db: string, specFile: string): Promise<BenchTable> {
  const parsed = parseSpec(JSON.parse(readFileSync(specFile, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const spec = parsed.spec;
  const store = openStore(db);
  try {
    let panel = panelForSpec(store, spec);
    // As a new process reads it: a fresh connection (no in-process panel), the panel from its disk cache.
    const read = await measure(
      () => {
        const s = openStore(db);
        panel = panelForSpec(s, spec);
        s.close();
      },
      { runs: 15, warmup: 2 },
    );
    let result = runBacktestGuarded(spec, panel, runOptionsFor(store, spec, panel));
    const runT = await measure(() => (result = runBacktestGuarded(spec, panel, runOptionsFor(store, spec, panel))), {
      runs: 15,
      warmup: 2,
    });
    let k = 0;
    const write = await measure(
      () =>
        saveBacktestRun(store, {
          result: toColumns(result, `bt-bench-${k++}`),
          fingerprint: 'bench',
          audit: [],
          createdAt: 1,
          finishedAt: 2,
        }),
      { runs: 15, warmup: 2 },
    );
    const cols = toColumns(result, 'bt-bench');
    let bytes = 0;
    const print = await measure(() => (bytes = outputJson(cols).length), { runs: 15, warmup: 2 });
    return printTable(
      `W1 split of one \`backtest --json\` on ${N.toLocaleString('en-US')} one-minute bars (start: see the table above)`,
      [
        { name: 'read: open the store, the panel from its disk cache', baseline: true, ...read },
        {
          name: 'run: the engine (sma-cross 10/30, trades + metrics)',
          ...runT,
          note: `${result.trades.length} trades`,
        },
        { name: 'write: the run into the registry (typed-array blob, one transaction)', ...write },
        { name: 'print: the --json text from the columns', ...print, note: `${(bytes / 1e6).toFixed(1)} MB` },
      ],
    );
  } finally {
    store.close();
  }
}

/**
 * The candlestick-pattern conditions: `candle-pattern` runs over the same 100,000 bars against `sma-cross`
 * (baseline, same run), and the bare pattern streams. Patterns are `technicalindicators`' code (a class
 * instance and `toPrecision` rounding per test), so they cost far more per bar than our typed-array loops.
 */
async function patterns(): Promise<BenchTable> {
  const b = bars(N);
  const panel = panelOf(b);
  const specOf = (strategy: string, params: Record<string, unknown>) => {
    const parsed = parseSpec({ strategy, params, symbols: ['SYN'], capital: 100_000, direction: 'long-only' });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    return { spec: parsed.spec, strategy: getStrategy(strategy) };
  };
  const sma = specOf('sma-cross', { fast: 10, slow: 30 });
  const cp = specOf('candle-pattern', { entry: 'bullish-engulfing', exit: 'bearish-engulfing', holdBars: 10 });
  const cpHammer = specOf('candle-pattern', { entry: 'hammer', exit: 'shooting-star', holdBars: 10, smaPeriod: 50 });
  let smaTrades = 0;
  let cpTrades = 0;
  let hammerTrades = 0;
  const tSma = await measure(
    () => (smaTrades = runBacktest(sma.spec, panel, { strategy: sma.strategy }).trades.length),
    { runs: 20, warmup: 5 },
  );
  const tCp = await measure(() => (cpTrades = runBacktest(cp.spec, panel, { strategy: cp.strategy }).trades.length), {
    runs: 10,
    warmup: 2,
  });
  const tHammer = await measure(
    () => (hammerTrades = runBacktest(cpHammer.spec, panel, { strategy: cpHammer.strategy }).trades.length),
    { runs: 10, warmup: 2 },
  );
  let fired = 0;
  const tStream = await measure(
    () => {
      fired = 0;
      const stream = new PatternStream('morning-star');
      const bar = { open: 0, high: 0, low: 0, close: 0 };
      for (let i = 0; i < N; i++) {
        bar.open = b.o[i];
        bar.high = b.h[i];
        bar.low = b.l[i];
        bar.close = b.c[i];
        if (stream.next(bar)) fired++;
      }
    },
    { runs: 10, warmup: 2 },
  );
  return printTable(`candlestick conditions, ${N.toLocaleString('en-US')} bars, trades + metrics in process`, [
    { name: 'sma-cross 10/30', baseline: true, ...tSma, note: `${smaTrades} trades` },
    { name: 'candle-pattern bullish-engulfing / bearish-engulfing, hold 10', ...tCp, note: `${cpTrades} trades` },
    {
      name: 'candle-pattern hammer / shooting-star, hold 10, SMA 50 filter',
      ...tHammer,
      note: `${hammerTrades} trades`,
    },
    { name: 'PatternStream morning-star alone', ...tStream, note: `${fired} fired` },
  ]);
}

/** The backtest benchmarks (W1) and the candlestick conditions. */
export async function run(): Promise<BenchTable[]> {
  return [await inProcess(), await multiSymbol(), await patterns(), ...(await processRuns())];
}

if (require.main === module) void run();
