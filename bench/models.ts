import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFeatures, type FeatureDef } from '../core/features/defs';
import { clearMatrixMemory, featureMatrix, featureMatrixAsync } from '../core/features/matrix';
import type { FeatureSource } from '../core/features/batch';
import { businessDays, DEFAULT_MARKET, generateMarket } from '../core/dataset/synthetic';
import { parseDate } from '../core/model/time';
import { FeatureStream } from '../core/features/stream';
import { barsAt } from '../core/features/test-panel';
import { formatDate } from '../core/model/time';
import { trainGbdt } from '../core/models/gbdt';
import { plantedMarket } from '../core/models/planted';
import { trainWalkForwardOnPool } from '../core/models/pool-train';
import { modelSpecSchema } from '../core/models/spec';
import { gatherRows, planWalkForward, trainWalkForward } from '../core/models/train';
import { createGbdtExplainer } from '../core/models/fast-treeshap';
import { explainGbdt } from '../core/models/treeshap';
import { predictRow } from '../core/models/gbdt';
import { trainGbdtColumnwise } from '../core/models/gbdt-columnwise';
import { createThreadPool } from '../core/pool/thread-pool';
import { inFreshProcess, measure, printTable, timingOf, type BenchTable, type Timing } from './harness';

/** 20 features: named ones, indicators and Alpha158 expressions. */
const FEATURES: FeatureDef[] = [
  { name: 'return', window: 1 },
  { name: 'return', window: 5 },
  { name: 'return', window: 20 },
  { name: 'volatility', window: 20 },
  { name: 'volatility', window: 60 },
  { name: 'ma-ratio', window: 10 },
  { name: 'ma-ratio', window: 50 },
  { name: 'volume-ratio', window: 20 },
  { name: 'rsi', period: 14 },
  { name: 'atr', period: 14 },
  { name: 'macd', output: 'histogram' },
  { name: 'KMID' },
  { name: 'KLEN' },
  { name: 'ROC10' },
  { name: 'STD20' },
  { name: 'BETA20' },
  { name: 'RSV20' },
  { name: 'CORR20' },
  { name: 'CNTD20' },
  { name: 'cs-rank', feature: { name: 'return', window: 5 } },
];

/**
 * `npm run bench -- models`: the feature matrix for 20 features × 500 symbols × 11 years (~2,870 business
 * days, the default dataset's shape) cold, from the in-process cache and from the disk cache; GBDT training
 * (200 trees, depth 6) on ~1.3 M rows, and 10-window walk-forward single-threaded vs on every worker; live
 * inference per bar per symbol (streaming features + prediction + TreeSHAP). `QD_BENCH_MODELS_SCALE=0.1` runs
 * a tenth of the rows for a quick look; the tables say which scale ran. `QD_BENCH_MODELS_PARTS=matrix,train,walk-forward,live`
 * runs only the parts named (default: all four).
 */
export async function run(): Promise<BenchTable[]> {
  const scale = Number(process.env.QD_BENCH_MODELS_SCALE ?? '1');
  const nInst = Math.max(20, Math.round(500 * scale));
  const nDays = businessDays(DEFAULT_MARKET.start, DEFAULT_MARKET.end).length;
  const src = withDefaultListings(plantedMarket(nInst, nDays, 1, true));
  const features = resolveFeatures(FEATURES);
  const dir = mkdtempSync(join(tmpdir(), 'qd-bench-models-'));
  const tables: BenchTable[] = [];
  const parts = new Set((process.env.QD_BENCH_MODELS_PARTS ?? 'matrix,train,walk-forward,live').split(','));
  try {
    if (parts.has('matrix')) {
      const cold = await measure(() => featureMatrix(src, features, { noCache: true }), { runs: 3, warmup: 1 });
      // Two caches of the same matrix: whole (mapped, what Node processes write) and compact (read with readv,
      // what the desktop app's Electron processes write and read).
      const compactDir = mkdtempSync(join(dir, 'compact-'));
      const built = featureMatrix(src, features, { cacheDir: dir });
      clearMatrixMemory();
      featureMatrix(src, features, { cacheDir: compactDir, map: false });
      const memory = await measure(() => featureMatrix(src, features, { cacheDir: dir }), { runs: 10, warmup: 1 });
      const cacheFile = (d: string) =>
        join(
          d,
          readdirSync(d).find((f) => f.startsWith('feat-'))!,
        );
      const n = nInst * nDays;
      const wholeBytes = 16 + features.length * n * 8;
      const mappedBytes = statSync(cacheFile(dir)).size;
      const compactBytes = statSync(cacheFile(compactDir)).size;
      // The previous file (version 1: every column whole) and the previous read, verbatim, same matrix, same run.
      const v1 = join(dir, 'v1.bin');
      const head = Buffer.alloc(16);
      head.write('QDFEAT1\n', 0, 'latin1');
      head.writeUInt32LE(features.length, 8);
      head.writeUInt32LE(n, 12);
      writeFileSync(
        v1,
        Buffer.concat([head, ...built.columns.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))]),
      );
      // Interleaved (one of each per round), so a load that changes during the run weighs on every row alike.
      const [diskMap, diskMapPass, diskReadPass, diskAsync, diskSync, previous] = await interleaved(
        [
          () => {
            clearMatrixMemory();
            return featureMatrix(src, features, { cacheDir: dir });
          },
          () => {
            clearMatrixMemory();
            return everyValue(featureMatrix(src, features, { cacheDir: dir }).columns);
          },
          () => {
            clearMatrixMemory();
            return everyValue(featureMatrix(src, features, { cacheDir: compactDir, map: false }).columns);
          },
          async () => {
            clearMatrixMemory();
            return featureMatrixAsync(src, features, { cacheDir: compactDir, map: false });
          },
          () => {
            clearMatrixMemory();
            return featureMatrix(src, features, { cacheDir: compactDir, map: false });
          },
          () => readV1Columns(v1, features.length, n),
        ],
        15,
        2,
      );
      const fresh = (mode: FreshMode) =>
        freshReads(mode === 'map' || mode === 'map+pass' ? dir : compactDir, nInst, nDays, mode, 5);
      const freshMap = fresh('map');
      const freshMapPass = fresh('map+pass');
      const freshReadPass = fresh('sync+pass');
      const freshAsync = fresh('async');
      const freshSync = fresh('sync');
      const whole = await measure(
        () => {
          const buf = readFileSync(v1);
          return Array.from(
            { length: features.length },
            (_, j) => new Float64Array(buf.buffer, buf.byteOffset + 16 + j * n * 8, n),
          );
        },
        { runs: 5, warmup: 1 },
      );
      const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
      const size = `${features.length} features × ${nInst} symbols × ${nDays} days, ${(100 * listedShare(src)).toFixed(1)} % of slots listed`;
      tables.push(
        printTable(`Feature matrix (${size})`, [
          { name: 'cold: evaluate every expression', ...cold, baseline: true, note: 'target < 2 s at scale 1' },
          { name: 'cached in process', ...memory },
          {
            name: 'cached on disk, first read in a fresh process: featureMatrix, mapped (Node)',
            ...freshMap,
            note: `target < 50 ms; whole file ${mb(mappedBytes)}; pages new to this process`,
          },
          {
            name: '  the same, then every value read once (the consumer faults the mapped pages in)',
            ...freshMapPass,
          },
          {
            name: '  read instead (compact file, readv, as Electron must), then every value read once',
            ...freshReadPass,
          },
          {
            name: 'cached on disk, first read in a fresh process: featureMatrixAsync, read (Electron)',
            ...freshAsync,
            note: `compact file ${mb(compactBytes)}`,
          },
          { name: 'cached on disk, first read in a fresh process: featureMatrix, read (Electron)', ...freshSync },
          {
            name: 'cached on disk: featureMatrix, mapped (Node)',
            ...diskMap,
            note: 'long-lived process: the rows below reuse pages freed by the previous read',
          },
          { name: '  the same, then every value read once', ...diskMapPass },
          { name: '  read instead (compact, readv), then every value read once', ...diskReadPass },
          { name: 'cached on disk: featureMatrixAsync, read (compact file, concurrent readv)', ...diskAsync },
          { name: 'cached on disk: featureMatrix, read (compact file, readv on one thread)', ...diskSync },
          {
            name: 'previous read: v1 file, column by column readSync (same run)',
            ...previous,
            note: `file ${mb(wholeBytes)}`,
          },
          { name: 'v1 file, one whole-file readFileSync (the read before that)', ...whole },
        ]),
      );
      rmSync(v1);
    }

    const m = featureMatrix(src, features, { noCache: true });
    const t = src.panel.time;
    const spec = modelSpecSchema.parse({
      start: formatDate(t[0]),
      end: formatDate(t[nDays - 1]),
      features: FEATURES,
      model: { kind: 'gbdt', trees: 200, depth: 6, learningRate: 0.05, seed: 1, bins: 63, minLeaf: 100 },
      walkForward: { train: 1500, test: 126, embargo: 5, anchored: false },
    });
    const plan = planWalkForward(src, spec);
    const all = gatherRows(src, m, plan.labels, 0, nDays - 1 - 5);
    const params = { ...spec.model, objective: 'regression' as const };
    if (parts.has('train')) {
      // Same run, same rows, same trees: the previous column-wise learner (one pass over a node's rows per feature)
      // as the one-thread baseline, on a few trees; then the full 200-tree fit of the current learner.
      const few = { ...params, trees: 10 };
      const columnwise = await measure(() => trainGbdtColumnwise(all.x, all.y, few as never), { runs: 1, warmup: 0 });
      const rowwise = await measure(() => trainGbdt(all.x, all.y, few as never), { runs: 1, warmup: 0 });
      const full = await measure(() => trainGbdt(all.x, all.y, params as never), { runs: 1, warmup: 0 });
      tables.push(
        printTable(`GBDT training (${all.y.length.toLocaleString('en-US')} rows × ${features.length} features)`, [
          {
            name: '10 trees, depth 6, column-wise learner, one thread',
            ...columnwise,
            baseline: true,
            note: 'one run',
          },
          { name: '10 trees, depth 6, row-wise + histogram subtraction', ...rowwise, note: 'one run' },
          { name: '200 trees, depth 6, one thread', ...full, note: 'one run' },
        ]),
      );
    }
    if (parts.has('walk-forward')) {
      const wf10 = modelSpecSchema.parse({
        ...spec,
        walkForward: { train: nDays - 10 * 126, test: 126, embargo: 5, anchored: false },
        model: { ...spec.model, trees: 50 },
      });
      const single = await measure(() => trainWalkForward(src, m, wf10), { runs: 1, warmup: 0 });
      const workers = Math.max(1, availableParallelism());
      const pool = createThreadPool({ workers, dbPath: null });
      let pooled;
      try {
        pooled = await measure(() => trainWalkForwardOnPool(pool, src, m, wf10), { runs: 1, warmup: 0 });
      } finally {
        await pool.close();
      }
      tables.push(
        printTable(`GBDT walk-forward (${features.length} features × ${nInst} symbols × ${nDays} days)`, [
          { name: 'walk-forward, 10 windows × 50 trees, one thread', ...single, baseline: true, note: 'one run' },
          { name: `walk-forward, 10 windows × 50 trees, pool of ${workers}`, ...pooled, note: 'one run; same models' },
        ]),
      );
    }
    if (!parts.has('live')) return tables;

    // Live: one symbol, bar by bar, the model trained above (200 trees, depth 6).
    const model = trainGbdt(
      all.x.map((c) => c.subarray(0, Math.min(c.length, 200_000))),
      all.y.subarray(0, Math.min(all.y.length, 200_000)),
      params as never,
    );
    const one = plantedMarket(1, nDays, 2, true);
    const stream = new FeatureStream(
      features.map((f) => f.expr),
      1,
    );
    const x = new Float64Array(features.length);
    const explainer = createGbdtExplainer(model);
    const phi = new Float64Array(features.length);
    const perBar = [[], [], [], [], []] as number[][];
    const bars = Array.from({ length: nDays }, (_, i) => barsAt(one.panel, i));
    const rows = Array.from({ length: nDays }, () => new Float64Array(features.length));
    // CPU time of the live loop beside the wall-clock quantiles: on a loaded machine the wall p99 measures the scheduler.
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < nDays; i++) {
      const t0 = performance.now();
      const v = stream.next(bars[i]);
      for (let j = 0; j < x.length; j++) x[j] = v[j][0];
      const t1 = performance.now();
      predictRow(model, x);
      const t2 = performance.now();
      explainer.explain(x, phi);
      const t3 = performance.now();
      perBar[0].push(t3 - t0);
      perBar[1].push(t1 - t0);
      perBar[2].push(t2 - t1);
      perBar[3].push(t3 - t2);
      rows[i].set(x);
    }
    const cpu = process.cpuUsage(cpu0);
    const cpuPerBar = (cpu.user + cpu.system) / 1000 / nDays;
    // The baseline in its own loop, on the same rows: its allocations (an array per call) stay out of the live timings.
    for (let i = 0; i < nDays; i++) {
      const t3 = performance.now();
      explainGbdt(model, rows[i]);
      perBar[4].push(performance.now() - t3);
    }
    const row = (name: string, k: number, baseline = false) => {
      const steady = perBar[k].slice(100).sort((a, b) => a - b);
      const q = (p: number) => steady[Math.min(steady.length - 1, Math.floor(p * steady.length))];
      return {
        name,
        median: q(0.5),
        p10: q(0.1),
        p90: q(0.9),
        runs: steady.length,
        baseline,
        note: `p99 ${q(0.99).toFixed(3)} ms`,
      };
    };
    tables.push(
      printTable(
        'Live inference per bar per symbol (20 streaming features + 200-tree depth-6 GBDT + TreeSHAP; target p99 < 1 ms)',
        [
          row('explain, Algorithm 2 (recursive TreeSHAP)', 4, true),
          {
            ...row('features + predict + explain', 0),
            note: `${row('', 0).note}; CPU of the live loop ${cpuPerBar.toFixed(3)} ms/bar`,
          },
          row('streaming features', 1),
          row('predict', 2),
          row('explain (prepared quadrature TreeSHAP, live path)', 3),
        ],
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return tables;
}

/**
 * The planted market on the default dataset's calendar and listings: business days 2015–2025, and instrument s
 * trades only between the listing and delisting of the default dataset's instrument s (IPOs after the start,
 * delistings), so the panel has the default dataset's empty slots.
 */
function withDefaultListings(src: FeatureSource): FeatureSource {
  const p = src.panel;
  const days = businessDays(DEFAULT_MARKET.start, DEFAULT_MARKET.end);
  const rows = generateMarket().instruments.trim().split('\n').slice(1);
  const listedOn = new Float64Array(p.nInst);
  const delistedOn = new Float64Array(p.nInst);
  for (let s = 0; s < p.nInst; s++) {
    const [, , , , listed, delisted] = rows[s % rows.length].split(',');
    listedOn[s] = parseDate(listed)!;
    delistedOn[s] = delisted ? parseDate(delisted)! : Number.NaN;
    for (let t = 0; t < p.nDays; t++) {
      if (days[t] >= listedOn[s] && !(days[t] >= delistedOn[s])) continue;
      for (const c of [p.open, p.high, p.low, p.close, p.volume]) c[s * p.nDays + t] = Number.NaN;
    }
  }
  return {
    ...src,
    panel: { ...p, time: days, listedOn, delistedOn, fingerprint: `${p.fingerprint}-default-listings` },
  };
}

/** How a fresh process reads the cache: mapped or read (sync or async), and whether it then reads every value. */
export type FreshMode = 'map' | 'map+pass' | 'sync' | 'sync+pass' | 'async';

/** Reads every value of `columns` once (a sum), as a consumer would: what a mapping defers lands here. */
function everyValue(columns: readonly Float64Array[]): number {
  let sum = 0;
  for (const c of columns) for (let i = 0; i < c.length; i++) if (c[i] === c[i]) sum += c[i];
  return sum;
}

/**
 * The first disk-cache read in a fresh process (what `quantdesk models train` or a new worker pays): the process
 * builds the same source, then times one `featureMatrix` (or `featureMatrixAsync`) from `dir`, and with `+pass`
 * one read of every value after it. In a long-lived process the allocator hands back pages an earlier matrix
 * already touched; here every page is new to the process.
 */
export async function firstDiskRead(dir: string, nInst: number, nDays: number, mode: FreshMode): Promise<number> {
  const src = withDefaultListings(plantedMarket(nInst, nDays, 1, true));
  const features = resolveFeatures(FEATURES);
  const map = mode === 'map' || mode === 'map+pass';
  const t0 = performance.now();
  const m =
    mode === 'async'
      ? await featureMatrixAsync(src, features, { cacheDir: dir, map })
      : featureMatrix(src, features, { cacheDir: dir, map });
  if (mode.endsWith('+pass')) everyValue(m.columns);
  const ms = performance.now() - t0;
  // The file must have been mapped (one buffer for every column) or read (one each), as the row says.
  if ((m.columns[0].buffer === m.columns[1].buffer) !== map) throw new Error(`firstDiskRead ${mode}: wrong path`);
  return ms;
}

/** `runs` fresh processes' first reads (see {@link firstDiskRead}). */
function freshReads(dir: string, nInst: number, nDays: number, mode: FreshMode, runs: number): Timing {
  return timingOf(
    Array.from({ length: runs }, () =>
      inFreshProcess<number>(module.filename, 'firstDiskRead', [dir, nInst, nDays, mode]),
    ),
  );
}

function listedShare(src: FeatureSource): number {
  let n = 0;
  for (const v of src.panel.close) if (v === v) n++;
  return n / src.panel.close.length;
}

/** The read before version 2, verbatim: each column readSync'd whole into its own uninitialised array. */
function readV1Columns(file: string, nCols: number, size: number): Float64Array[] {
  const fd = openSync(file, 'r');
  try {
    const columns: Float64Array[] = [];
    for (let j = 0; j < nCols; j++) {
      const bytes = Buffer.allocUnsafeSlow(size * 8);
      let got = 0;
      while (got < bytes.length) {
        const k = readSync(fd, bytes, got, bytes.length - got, 16 + j * size * 8 + got);
        if (k === 0) throw new Error(`${file}: truncated`);
        got += k;
      }
      columns.push(new Float64Array(bytes.buffer, bytes.byteOffset, size));
    }
    return columns;
  } finally {
    closeSync(fd);
  }
}

/** Times each of `fns` once per round, `runs` rounds after `warmup`; the medians and deciles of each, in ms. */
async function interleaved(fns: readonly (() => unknown)[], runs: number, warmup: number) {
  const times = fns.map(() => [] as number[]);
  for (let r = 0; r < warmup + runs; r++)
    for (let f = 0; f < fns.length; f++) {
      const t0 = performance.now();
      await fns[f]();
      if (r >= warmup) times[f].push(performance.now() - t0);
    }
  return times.map(timingOf);
}
