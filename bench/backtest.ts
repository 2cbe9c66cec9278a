/**
 * W1: `sma-cross` over 100,000 bars with the full trade list and metrics, in process, against the npm
 * package grademark on the same bars and rules (baseline, same run); and a whole
 * `bin/quantdesk.js backtest` process reading the store, against a bare `node` start, with the split of
 * a 100,000 one-minute-bar run into start, read, run, write and print (issue 14: ≤ 100 ms whole).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFrame } from 'data-forge';
import { analyze, backtest as grademarkBacktest, computeEquityCurve } from 'grademark';
import { runBacktest } from '../core/backtest/engine';
import { outputJsonBytes, toColumns } from '../core/backtest/json';
import { saveBacktestRun } from '../core/backtest/registry';
import { panelForSpec, runOptionsFor } from '../core/backtest/run';
import { parseSpec } from '../core/backtest/spec';
import { runBacktestGuarded } from '../core/sdk/guard';
import type { Panel } from '../core/data/panel-types';
import { importCsv } from '../core/store/import';
import { getRunPayloadRaw, listRunRows } from '../core/store/run-registry';
import { openStore } from '../core/store/sqlite-bar-store';
import { PatternStream } from '../core/indicators/patterns';
import { getStrategy } from '../core/strategies';
import { measure, printTable, type BenchTable, type Timing } from './harness';
import { multiSymbol } from './multi-symbol';

// The multi-symbol table runs each case in a fresh process that requires this bundle for it.
export { multiSymbolCase } from './multi-symbol';

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
    // An older build refuses a store whose schema is newer than its own: the before row gets its own store, made
    // by that build's `import` from the same rows.
    const before = process.env.QUANTDESK_BENCH_BEFORE;
    const beforeDb = join(dir, 'before.db');
    if (before) {
      writeFileSync(join(dir, 'm-i.csv'), 'symbol,name,sector,currency,listed_on,delisted_on\nMIN,,,USD,,\n');
      writeFileSync(join(dir, 'm.csv'), mlines.join('\n') + '\n');
      for (const [kind, file] of [
        ['instruments', 'm-i.csv'],
        ['bars', 'm.csv'],
      ])
        execFileSync(process.execPath, [before, 'import', kind, join(dir, file), '--db', beforeDb], {
          stdio: 'ignore',
        });
    }
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
    const minSpec = spec('MIN');
    const minArgs = ['backtest', '--spec', minSpec, '--db', db, '--json'];
    // A bin/quantdesk.js of an earlier build (its own out/cli beside it), for a before/after row in the same run.
    const noCa = { ...process.env };
    delete noCa.NODE_EXTRA_CA_CERTS;
    const floor = printFloor(db, dir, bin, minArgs, minSpec);
    const configs: ProcessConfig[] = [
      { name: 'node -e 0 (process start)', args: ['-e', '0'], baseline: true },
      ...(process.env.NODE_EXTRA_CA_CERTS
        ? [
            {
              name: 'node -e 0 without NODE_EXTRA_CA_CERTS',
              args: ['-e', '0'],
              env: noCa,
              note: 'this machine sets it: Node 20 parses the CA file before any script runs (see the note in bin/quantdesk.js)',
            },
          ]
        : []),
      {
        name: 'backtest GOOG, 2,148 bars, --no-save',
        args: [bin, 'backtest', '--spec', spec('GOOG'), '--db', db, '--json', '--no-save'],
      },
      {
        name: `backtest SYN, ${N.toLocaleString('en-US')} daily bars, --no-save`,
        args: [bin, 'backtest', '--spec', spec('SYN'), '--db', db, '--json', '--no-save'],
        note: 'prints 100k equity points',
      },
      ...(before
        ? [
            {
              name: `before (${before}): MIN, saved`,
              args: [before, 'backtest', '--spec', minSpec, '--db', beforeDb, '--json'],
              note: 'QUANTDESK_BENCH_BEFORE (its own store, imported by that build)',
            },
          ]
        : []),
      {
        name: `backtest MIN, ${N.toLocaleString('en-US')} one-minute bars, saved to the registry`,
        args: [bin, ...minArgs],
        timings: true,
        note: 'issue 14 target ≤ 100 ms (backtesting.py ≈ 1,040 ms)',
      },
      ...(process.env.NODE_EXTRA_CA_CERTS
        ? [{ name: 'the same MIN run without NODE_EXTRA_CA_CERTS', args: [bin, ...minArgs], env: noCa }]
        : []),
      {
        name: "floor: a process that only prints the MIN run's --json",
        args: floor.args,
        note: `the same ${(floor.bytes / 1e6).toFixed(1)} MB through the CLI's print code; no store, engine or registry`,
      },
      ...(process.env.NODE_EXTRA_CA_CERTS
        ? [{ name: 'the same floor without NODE_EXTRA_CA_CERTS', args: floor.args, env: noCa }]
        : []),
    ];
    const measured = interleaved(configs, 9, dir);
    // The saved runs' registry rows by stored format (read after the runs: opening migrates the before store).
    const stored = storedPayloads(db);
    const storedBefore = before ? storedPayloads(beforeDb) : '';
    for (const m of measured) {
      const rows = m.config.timings ? stored : m.config.args.includes(beforeDb) ? storedBefore : '';
      if (rows !== '') m.config = { ...m.config, note: `${m.config.note ?? ''}; registry rows: ${rows}` };
    }
    const load = os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
    const whole = printTable(
      `W1 whole \`quantdesk backtest --json\` processes from the store (panel cache warm; runs interleaved; load average ${load})`,
      measured.map(({ config, timing }) => ({
        name: config.name,
        baseline: config.baseline,
        ...timing,
        note: config.note,
      })),
    );
    const cpu = printTable(
      'W1 the same processes, CPU time to the exit event (user + system, every thread; median of the same runs)',
      measured.map(({ config, cpu: timing }) => ({ name: config.name, baseline: config.baseline, ...timing })),
    );
    const timed = measured.find((m) => m.config.timings)!;
    return [whole, cpu, processSplit(timed.walls, timed.marks), await split(db, minSpec)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The arguments of the floor process (out/bench/print-floor.js): the MIN run's columns, computed here from the
 * store and written to two files, printed by the CLI's own `outputJsonBytes` in a process that does nothing
 * else. Before it is timed, its bytes must equal a real `backtest --json` process's, so the floor prints
 * exactly what the whole process prints (the runId taken from that process).
 */
function printFloor(
  db: string,
  dir: string,
  bin: string,
  minArgs: readonly string[],
  specFile: string,
): {
  args: string[];
  bytes: number;
} {
  const real = execFileSync(process.execPath, [bin, ...minArgs, '--no-save'], { maxBuffer: 1 << 28 });
  const runId = (JSON.parse(real.toString('utf8')) as { runId: string }).runId;
  const parsed = parseSpec(JSON.parse(readFileSync(specFile, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const store = openStore(db);
  let cols;
  try {
    const panel = panelForSpec(store, parsed.spec);
    cols = toColumns(runBacktestGuarded(parsed.spec, panel, runOptionsFor(store, parsed.spec, panel)), runId);
  } finally {
    store.close();
  }
  const colsFile = join(dir, 'floor-columns.json');
  const equityFile = join(dir, 'floor-equity.bin');
  const { time, value } = cols.equity;
  writeFileSync(
    colsFile,
    JSON.stringify({
      runId,
      spec: cols.spec,
      metrics: cols.metrics,
      trades: cols.trades,
      openPositions: cols.openPositions,
    }),
  );
  const eq = new Float64Array(time.length * 2);
  eq.set(time);
  eq.set(value, time.length);
  writeFileSync(equityFile, new Uint8Array(eq.buffer));
  const args = [join(ROOT, 'out/bench/print-floor.js'), colsFile, equityFile];
  const printed = execFileSync(process.execPath, args, { maxBuffer: 1 << 28 });
  if (!printed.equals(real))
    throw new Error(`the floor printed ${printed.length} bytes, not the ${real.length} that backtest --json printed`);
  return { args, bytes: printed.length };
}

/** Median size of the stored payload of the backtest runs in `db`, per format version: `v3 217 KB (20 runs)`. */
function storedPayloads(db: string): string {
  const store = openStore(db);
  try {
    const by = new Map<string, number[]>();
    for (const row of listRunRows(store, { kind: 'backtest', limit: 10_000 })) {
      const raw = getRunPayloadRaw(store, row.id);
      if (raw === undefined) continue;
      const v = typeof raw === 'string' ? 'v1' : `v${raw.readUInt16LE(4)}`;
      by.set(v, [...(by.get(v) ?? []), raw.length]);
    }
    return [...by]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([v, sizes]) =>
          `${v} ${Math.round(timingOf(sizes).median / 1024).toLocaleString('en-US')} KB (${sizes.length} runs)`,
      )
      .join(', ');
  } finally {
    store.close();
  }
}

interface ProcessConfig {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly baseline?: boolean;
  readonly note?: string;
  /** Run with QUANTDESK_TIMINGS=1 and keep each run's phase marks. */
  readonly timings?: boolean;
}

interface Marks {
  readonly wall: Record<string, number>;
  readonly cpu: Record<string, number>;
}

function timingOf(samples: readonly number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => {
    const pos = (s.length - 1) * p;
    const lo = Math.floor(pos);
    return s[lo] + (s[Math.ceil(pos)] - s[lo]) * (pos - lo);
  };
  return { median: q(0.5), p10: q(0.1), p90: q(0.9), runs: s.length };
}

/**
 * Each config `runs` times (after one untimed run each), round-robin, so a change in the machine's load
 * falls on every row alike: wall time from spawn to exit as the parent sees it.
 */
function interleaved(configs: readonly ProcessConfig[], runs: number, dir: string) {
  // Each child reports its own CPU time (user + system, every thread) at its exit event: on a shared machine
  // the wall time swings with the load, the CPU time much less.
  const preload = join(dir, 'cpu-report.js');
  writeFileSync(
    preload,
    "process.once('exit', () => { const u = process.cpuUsage(); process.stderr.write('\\nqd-bench-cpu ' + (u.user + u.system) / 1000 + '\\n'); });\n",
  );
  const walls = configs.map(() => [] as number[]);
  const cpus = configs.map(() => [] as number[]);
  const marks = configs.map(() => [] as Marks[]);
  for (let r = -1; r < runs; r++) {
    configs.forEach((c, k) => {
      const env = { ...(c.env ?? process.env), ...(c.timings ? { QUANTDESK_TIMINGS: '1' } : {}) };
      const t0 = performance.now();
      const p = spawnSync(process.execPath, ['-r', preload, ...c.args], { encoding: 'utf8', maxBuffer: 1 << 28, env });
      const t = performance.now() - t0;
      if (p.status !== 0) throw new Error(`${c.name}: exit ${p.status}: ${p.stderr}`);
      if (r < 0) return;
      walls[k].push(t);
      const cpu = /^qd-bench-cpu (\S+)$/m.exec(p.stderr);
      if (cpu) cpus[k].push(Number(cpu[1]));
      const m = /^quantdesk timings: (.*)$/m.exec(p.stderr);
      if (c.timings && m) marks[k].push(JSON.parse(m[1]) as Marks);
    });
  }
  return configs.map((config, k) => ({
    config,
    timing: timingOf(walls[k]),
    cpu: timingOf(cpus[k]),
    walls: walls[k],
    marks: marks[k],
  }));
}

/** What each phase of the real process took: medians of the gaps between its QUANTDESK_TIMINGS marks. */
function processSplit(walls: readonly number[], marks: readonly Marks[]): BenchTable {
  const phases: [string, string, string][] = [
    ['node', '', 'start: Node itself, to the end of its bootstrap'],
    ['dispatcher', 'node', 'bin/quantdesk.js, the code cache, the dispatcher bundle'],
    ['loaded', 'dispatcher', 'load the backtest command (its bundle, better-sqlite3, module top-levels)'],
    ['open', 'loaded', 'read the spec, open the store (pragmas, schema version)'],
    ['read', 'open', 'read: strategy, names, the panel from its disk cache'],
    ['run', 'read', 'run: the engine, cold (sma-cross 10/30, trades + metrics)'],
    ['save', 'run', 'write: the run into the registry (one transaction)'],
    ['print', 'save', 'print: the --json bytes from the columns'],
    ['write', 'print', 'write them to stdout'],
    ['close', 'write', 'close the store (WAL checkpoint)'],
    ['exit', 'close', "to Node's exit event"],
  ];
  const gap = (to: string, from: string, kind: 'wall' | 'cpu') =>
    marks.map((m) => m[kind][to] - (from === '' ? 0 : m[kind][from]));
  const teardown = marks.map((m, i) => walls[i] - m.wall.exit);
  const cpuMedian = (xs: number[]) => timingOf(xs).median.toFixed(1);
  return printTable(
    `W1 split of the whole \`backtest --json\` process on ${N.toLocaleString('en-US')} one-minute bars (QUANTDESK_TIMINGS marks; cold, as a user runs it)`,
    [
      { name: 'whole process (spawn to exit, as above)', baseline: true, ...timingOf(walls) },
      ...phases.map(([to, from, name]) => ({
        name,
        ...timingOf(gap(to, from, 'wall')),
        note: `CPU ${cpuMedian(gap(to, from, 'cpu'))} ms (all threads)`,
      })),
      { name: 'exit: teardown after the exit event, and spawn', ...timingOf(teardown) },
    ],
  );
}

/**
 * The parts of a `quantdesk backtest --json` run on 100,000 one-minute bars, in process, each timed alone and
 * warm (after warm-up runs): what each costs once compiled, against the cold process split above.
 */
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
    const print = await measure(() => (bytes = outputJsonBytes(cols, '\n').length), { runs: 15, warmup: 2 });
    return printTable(
      `W1 parts of one \`backtest --json\` on ${N.toLocaleString('en-US')} one-minute bars, warm, in process`,
      [
        { name: 'read: open the store, the panel from its disk cache', baseline: true, ...read },
        {
          name: 'run: the engine (sma-cross 10/30, trades + metrics)',
          ...runT,
          note: `${result.trades.length} trades`,
        },
        { name: 'write: the run into the registry (typed-array blob, one transaction)', ...write },
        { name: 'print: the --json bytes from the columns', ...print, note: `${(bytes / 1e6).toFixed(1)} MB` },
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
  // QD_BENCH_BACKTEST_PARTS=process,… runs only the named parts (in-process, multi-symbol, patterns, process).
  const parts = new Set((process.env.QD_BENCH_BACKTEST_PARTS ?? 'in-process,multi-symbol,patterns,process').split(','));
  const tables: BenchTable[] = [];
  if (parts.has('in-process')) tables.push(await inProcess());
  if (parts.has('multi-symbol')) tables.push(await multiSymbol());
  if (parts.has('patterns')) tables.push(await patterns());
  if (parts.has('process')) tables.push(...(await processRuns()));
  return tables;
}

if (require.main === module) void run();
