import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPanel } from '../data/panel';
import { createThreadPool } from '../pool/thread-pool';
import { buildWorkerEntry } from '../pool/test-support';
import type { MessagePool } from '../pool/process-pool';
import type { Store } from '../store/sqlite-bar-store';
import { runSpecOnStore } from '../backtest/run';
import { panelRefFor, runSpec } from './backtest-job';
import { comboSpec, parseBase, runSweep, SweepInputError } from './sweep';
import { SweepSpecSchema } from './sweep-spec';
import { createSyntheticStore } from './synthetic-market';

let dir: string;
let store: Store;
let pool: MessagePool;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-sweep-'));
  store = createSyntheticStore(join(dir, 'm.db'), { symbols: 3, days: 400, seed: 5 });
  pool = createThreadPool({ workers: 2, dbPath: store.path, workerEntry: await buildWorkerEntry() });
});

afterAll(async () => {
  await pool?.close();
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const sweepFile = {
  base: {
    strategy: 'sma-cross',
    symbols: ['S0000', 'S0001', 'S0002'],
    commission: { rate: 0.001 },
    sizing: 'equal-weight',
  },
  grid: { fast: { from: 2, to: 20, step: 3 }, slow: [10, 25, 40, 60] },
  constraints: ['fast < slow'],
  objective: 'sharpe',
  top: 5,
};

describe('sweep on worker threads', () => {
  it('gives every sampled combination the metrics of a single `quantdesk backtest` run', async () => {
    const sweep = SweepSpecSchema.parse({ ...sweepFile, top: 1000 });
    const out = await runSweep(store, sweep, pool);
    // fast 2,5,...,20 (7 values) × slow 4 values, minus fast >= slow: 7+7+7+7 - (20>=10? fast 11,14,17,20 → 4) = 24
    expect(out.runs).toBe(24);
    expect(out.failed).toEqual([]);
    expect(out.results).toHaveLength(24);
    const base = parseBase(sweep);
    const panel = loadPanel(store, panelRefFor(store, base).query as never);
    for (const row of [out.results[0], out.results[7], out.results[23]]) {
      // What `quantdesk backtest` runs, and the panel path of cluster nodes without the store: both equal.
      expect(row.metrics).toEqual(runSpecOnStore(store, comboSpec(base, row.params)).result.metrics);
      expect(row.metrics).toEqual(runSpec(comboSpec(base, row.params), panel).metrics);
    }
    // Sorted by the objective, best first.
    for (let k = 1; k < out.results.length; k++)
      expect(out.results[k - 1].metrics.sharpe ?? -Infinity).toBeGreaterThanOrEqual(
        out.results[k].metrics.sharpe ?? -Infinity,
      );
    expect(out.best).toEqual(out.results[0]);
  });

  it("ranks any single-symbol strategy with the signal kernel under fixed-qty sizing, with the exact sweep's order and numbers", async () => {
    const file = {
      ...sweepFile,
      base: { ...sweepFile.base, strategy: 'ema-cross', sizing: { method: 'fixed-qty', qty: 10 } },
      top: 1000,
    };
    const kernel = await runSweep(store, SweepSpecSchema.parse(file), pool);
    const exact = await runSweep(store, SweepSpecSchema.parse({ ...file, engine: 'exact' }), pool);
    expect(kernel.kernel).toMatchObject({ name: 'signal', verified: 24 });
    expect(kernel.kernel!.maxRelDiff).toBeLessThan(1e-9);
    expect(exact.kernel).toBeNull();
    // The top results are the engine's re-runs: the same combinations, in the same order, with the same metrics.
    expect(kernel.results).toEqual(exact.results);
    expect(kernel.failed).toEqual([]);
  });

  it('ranks a user-written strategy (a .ts file, sandboxed on the workers) with the signal kernel, as the built-in it copies', async () => {
    // Inside vitest the workers run buildWorkerEntry's bundle: this hung for good while that bundle held
    // esbuild (its sync compile started a helper thread from the pool's own entry file).
    const file = {
      ...sweepFile,
      base: { ...sweepFile.base, strategy: 'ema-cross', sizing: { method: 'fixed-qty', qty: 10 } },
      top: 5,
    };
    const mine = join(__dirname, '..', '..', 'bench', 'testdata', 'my-ema.ts');
    const builtin = await runSweep(store, SweepSpecSchema.parse(file), pool);
    const user = await runSweep(
      store,
      SweepSpecSchema.parse({ ...file, base: { ...file.base, strategy: mine } }),
      pool,
    );
    expect(user.kernel).toMatchObject({ name: 'signal', verified: 5 });
    expect(user.kernel!.maxRelDiff).toBeLessThan(1e-9);
    expect(user.failed).toEqual([]);
    expect(user.runs).toBe(24);
    // Every combination's kernel objective, and the engine's re-runs of the top five.
    expect(user.surface?.objective).toHaveLength(24);
    expect(user.surface).toEqual(builtin.surface);
    expect(user.results).toEqual(builtin.results);
  }, 120_000);

  it('runs a seeded 3-parameter genetic search within its budget; the same seed gives the same sweep', async () => {
    const file = {
      base: { strategy: 'macd-cross', symbols: ['S0000'], sizing: 'fixed-qty' },
      grid: {
        fast: { from: 2, to: 12, step: 2 },
        slow: { from: 14, to: 40, step: 2 },
        signal: { from: 3, to: 12, step: 3 },
      },
      constraints: ['fast < slow'],
      objective: 'sharpe',
      top: 1000,
      search: { kind: 'genetic', budget: 40, seed: 9, population: 10 },
    };
    const a = await runSweep(store, SweepSpecSchema.parse(file), pool);
    expect(a.runs).toBeLessThanOrEqual(40);
    expect(a.runs).toBeGreaterThan(20);
    expect(a.surface?.keys).toEqual(['fast', 'slow', 'signal']);
    expect(new Set(a.results.map((r) => JSON.stringify(r.params))).size).toBe(a.results.length + 0);
    // Each reported result is the engine's run of that combination.
    const base = parseBase(SweepSpecSchema.parse(file));
    expect(a.results[0].metrics).toEqual(runSpecOnStore(store, comboSpec(base, a.results[0].params)).result.metrics);
    const b = await runSweep(store, SweepSpecSchema.parse(file), pool);
    expect(b.results.map((r) => r.params)).toEqual(a.results.map((r) => r.params));
  });

  it('returns equity curves for the best `curves` results only, equal to a single run of each', async () => {
    for (const engine of ['exact', 'auto'] as const) {
      const base = engine === 'auto' ? { ...sweepFile.base, sizing: { method: 'fixed-qty', qty: 10 } } : sweepFile.base;
      const sweep = SweepSpecSchema.parse({ ...sweepFile, base, engine, top: 5, curves: 2 });
      const out = await runSweep(store, sweep, pool);
      expect(out.kernel !== null).toBe(engine === 'auto');
      expect(out.results.map((r) => r.equity !== undefined)).toEqual([true, true, false, false, false]);
      const spec = parseBase(sweep);
      for (const row of out.results.slice(0, 2)) {
        const single = runSpecOnStore(store, comboSpec(spec, row.params)).result;
        expect(row.equity!.value).toEqual(Array.from(single.equity.value));
        expect(row.equity!.time).toEqual(Array.from(single.equity.time));
        expect(row.metrics).toEqual(single.metrics);
      }
    }
    // Asking for none (the default) returns metrics only.
    const plain = await runSweep(store, SweepSpecSchema.parse(sweepFile), pool);
    expect(plain.results.every((r) => r.equity === undefined)).toBe(true);
  });

  it('keeps only the top results, reports failing combinations, and names the bad field of a base spec', async () => {
    const sweep = SweepSpecSchema.parse({ ...sweepFile, constraints: [], grid: { fast: [5, 30], slow: [20] } });
    const out = await runSweep(store, sweep, pool);
    expect(out.results).toHaveLength(1);
    expect(out.failed).toEqual([
      { params: { fast: 30, slow: 20 }, error: expect.stringMatching(/fast must be < slow/) },
    ]);
    await expect(
      runSweep(store, SweepSpecSchema.parse({ ...sweepFile, base: { ...sweepFile.base, capital: -1 } }), pool),
    ).rejects.toThrow(SweepInputError);
    await expect(
      runSweep(store, SweepSpecSchema.parse({ ...sweepFile, base: { ...sweepFile.base, capital: -1 } }), pool),
    ).rejects.toThrow(/base\.capital/);
  });
});

describe('sweep surface (issue 11: the heatmap plots every result, not the top N)', () => {
  it('reports every successful combination and its objective, compactly, while results stay the top N', async () => {
    const all = await runSweep(store, SweepSpecSchema.parse({ ...sweepFile, top: 1000 }), pool);
    const out = await runSweep(store, SweepSpecSchema.parse({ ...sweepFile, constraints: [], top: 3 }), pool);
    expect(out.results).toHaveLength(3);
    const s = out.surface!;
    expect(s.keys).toEqual(['fast', 'slow']);
    // 28 combinations, 4 failing fast < slow: the surface has the 24 that ran, each with the objective a full listing gives.
    expect(out.failed).toHaveLength(4);
    expect(s.objective).toHaveLength(24);
    const byParams = new Map(all.results.map((r) => [`${r.params.fast}/${r.params.slow}`, r.metrics.sharpe]));
    s.objective.forEach((v, i) => expect(v).toBe(byParams.get(`${s.params[0][i]}/${s.params[1][i]}`) ?? null));
    expect(new Set(s.params[0].map((f, i) => `${f}/${s.params[1][i]}`)).size).toBe(24);
  });
});

describe('walk-forward on worker threads', () => {
  it('picks each window the training sweep would pick, and its out-of-sample metrics equal a single run', async () => {
    const { runWalkForward } = await import('./walkforward-run');
    const sweep = SweepSpecSchema.parse({ ...sweepFile, grid: { fast: [3, 5, 8], slow: [15, 30] } });
    const out = await runWalkForward(store, sweep, pool, { train: 150, test: 80, anchored: false });
    // 400 bars: tests start at 150, 230, 310, 390 (the last cut to 10 bars).
    expect(out.windows.map((w) => w.testBars)).toEqual([80, 80, 80, 10]);
    expect(out.runs).toBe(4 * 6 + 4);
    // Every window's strategy is warmed on the `train` bars before it (the base spec sets no warm-up).
    const base = { ...parseBase(sweep), warmup: 150 };
    const panel = loadPanel(store, panelRefFor(store, base).query as never);
    const w = out.windows[1];
    const direct = await runSweep(store, { ...sweep, base: { ...sweep.base, warmup: 150 } }, pool, {
      start: w.trainStart,
      end: w.trainEnd,
    });
    expect(w.params).toEqual(direct.best!.params);
    expect(w.inSample).toEqual(direct.best!.metrics);
    const oos = runSpecOnStore(store, { ...comboSpec(base, w.params!), start: w.testStart, end: w.testEnd }).result;
    expect(w.outOfSample).toEqual(oos.metrics);
    expect(runSpec({ ...comboSpec(base, w.params!), start: w.testStart, end: w.testEnd }, panel).metrics).toEqual(
      oos.metrics,
    );
    // The stitched curve has every test bar once, and ends at the product of the windows' growth.
    expect(out.oosEquity.value).toHaveLength(250);
    const growth = out.windows.reduce((g, x) => g * (1 + x.outOfSample!.totalReturn), 1);
    expect(out.oosTotalReturn).toBeCloseTo(growth - 1, 10);
    expect(new Set(out.oosEquity.time).size).toBe(250);
  });
});

describe('walk-forward with the sma-cross kernel', () => {
  it('chooses and reports per window exactly what the engine-only walk-forward does', async () => {
    const { runWalkForward } = await import('./walkforward-run');
    const file = {
      ...sweepFile,
      base: { ...sweepFile.base, sizing: { method: 'fixed-qty', qty: 10 } },
      grid: { fast: [3, 5, 8, 12], slow: [15, 30, 45] },
    };
    const seen: number[] = [];
    const fast = await runWalkForward(store, SweepSpecSchema.parse(file), pool, {
      train: 120,
      test: 60,
      anchored: true,
      onProgress: (p) => seen.push(p.completed),
    });
    const exact = await runWalkForward(store, SweepSpecSchema.parse({ ...file, engine: 'exact' }), pool, {
      train: 120,
      test: 60,
      anchored: true,
    });
    expect(fast.windows.length).toBeGreaterThan(3);
    expect(fast.windows).toEqual(exact.windows);
    expect(fast.oosEquity).toEqual(exact.oosEquity);
    expect(fast.runs).toBe(exact.runs);
    expect(new Set(fast.windows.map((w) => JSON.stringify(w.params))).size).toBeGreaterThan(1);
    for (let k = 1; k < seen.length; k++) expect(seen[k]).toBeGreaterThanOrEqual(seen[k - 1]);
    expect(seen.at(-1)).toBe(fast.runs);
  });
});

describe('cross-sectional sweeps on worker threads', () => {
  it('give every combination, over a date range and with a warm-up, the metrics of a single backtest', async () => {
    const sweep = SweepSpecSchema.parse({
      base: {
        strategy: 'factor-rank',
        universe: 'all',
        start: '2015-04-01',
        end: '2016-03-31',
        warmup: 40,
        params: { rank: [{ factor: 'momentum-12-1', order: 'descending' }] },
      },
      grid: { keep: [0.34, 0.67], momentumLookback: [20, 40], momentumSkip: [0, 5] },
      top: 8,
    });
    const out = await runSweep(store, sweep, pool);
    expect(out.kernel).toBeNull();
    expect(out.failed).toEqual([]);
    expect(out.results).toHaveLength(8);
    const base = parseBase(sweep);
    const distinct = new Set(out.results.map((r) => r.metrics.totalReturn));
    expect(distinct.size).toBeGreaterThan(1);
    for (const row of out.results)
      expect(row.metrics).toEqual(runSpecOnStore(store, comboSpec(base, row.params)).result.metrics);
  });
});

describe('sweep with the sma-cross kernel', () => {
  it('ranks like the exact engine and reports the engine metrics for its top results', async () => {
    const file = { ...sweepFile, base: { ...sweepFile.base, sizing: { method: 'fixed-qty', qty: 20 } }, top: 6 };
    const fast = await runSweep(store, SweepSpecSchema.parse(file), pool);
    const exact = await runSweep(store, SweepSpecSchema.parse({ ...file, engine: 'exact' }), pool);
    expect(fast.kernel).toMatchObject({ name: 'sma-cross', verified: 6 });
    expect(fast.kernel!.maxRelDiff).toBeLessThan(1e-9);
    expect(exact.kernel).toBeNull();
    expect(fast.runs).toBe(exact.runs);
    expect(fast.results).toEqual(exact.results);
  });
});
