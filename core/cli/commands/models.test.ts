import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../../model/time';
import { tanhRegressor } from '../../models/onnx-encode';
import { plantedMarket } from '../../models/planted';
import { importCsv } from '../../store/import';
import { openStore } from '../../store/sqlite-bar-store';
import { bufferIO } from '../io';
import { main } from '../main';

let dir: string;
let db: string;

/** A store holding the planted market (20 names × 420 days) and a fundamental per name. */
async function seed(path: string): Promise<void> {
  const { panel } = plantedMarket(20, 420, 77, true);
  const s = openStore(path);
  const ins = [
    'symbol,name,sector,currency,listed_on,delisted_on',
    ...panel.symbols.map((x) => `${x},${x},Tech,USD,,`),
  ].join('\n');
  const bars: string[] = ['symbol,date,open,high,low,close,volume'];
  const fund: string[] = ['symbol,field,period_end,value,known_at'];
  for (let i = 0; i < panel.nInst; i++) {
    for (let t = 0; t < panel.nDays; t++) {
      const k = i * panel.nDays + t;
      bars.push(
        `${panel.symbols[i]},${formatDate(panel.time[t])},${panel.open[k]},${panel.high[k]},${panel.low[k]},${panel.close[k]},${Math.round(panel.volume[k])}`,
      );
    }
    for (let t = 30; t < panel.nDays; t += 90)
      fund.push(
        `${panel.symbols[i]},book_value_per_share,${formatDate(panel.time[t - 30])},${10 + i + t / 100},${formatDate(panel.time[t])}`,
      );
  }
  for (const [kind, content] of [
    ['instruments', ins],
    ['bars', bars.join('\n')],
    ['fundamentals', fund.join('\n')],
  ] as const) {
    const r = await importCsv(s, kind, { fileName: `${kind}.csv`, content: `${content}\n` });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  }
  s.close();
}

async function cli(args: string[]) {
  const io = bufferIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const SPEC = {
  universe: 'all',
  start: '2020-01-01',
  end: '2021-02-20',
  features: [
    { name: 'expr', expr: 'Log($volume)', label: 'logvol' },
    { name: 'return', window: 5 },
    { name: 'rsi', period: 14 },
    { name: 'pbr' },
  ],
  label: { kind: 'forward-return', horizon: 5 },
  model: { kind: 'gbdt', trees: 30, depth: 3, learningRate: 0.1, seed: 1, minLeaf: 30 },
  walkForward: { train: 200, test: 60, embargo: 5, anchored: false },
};

function specFile(name: string, spec: unknown): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(spec, null, 2));
  return f;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-models-'));
  db = join(dir, 'q.db');
  await seed(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('quantdesk features', () => {
  it('lists every feature with its parameters', async () => {
    const r = await cli(['features', 'list', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { name: string; params: Record<string, unknown> }[];
    expect(list.length).toBeGreaterThan(170);
    expect(list.find((f) => f.name === 'volatility')!.params).toEqual({ window: 20 });
    expect(list.find((f) => f.name === 'pbr')).toBeDefined();
  });

  it("exports a spec's feature matrix to Parquet that DuckDB reads back", async () => {
    const out = join(dir, 'parquet');
    const r = await cli(['features', 'export', '--spec', specFile('f.json', SPEC), '--db', db, '--out', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.out) as { file: string; rows: number; features: number };
    expect(existsSync(res.file)).toBe(true);
    expect(res.features).toBe(4);
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const rows = (
      await con.runAndReadAll(
        `SELECT count(*)::INTEGER AS n, count(DISTINCT symbol)::INTEGER AS s, min(date)::VARCHAR AS d0 FROM '${res.file}'`,
      )
    ).getRowObjects();
    expect(rows[0]).toEqual({ n: res.rows, s: 20, d0: '2020-01-01' });
    const cols = (await con.runAndReadAll(`DESCRIBE SELECT * FROM '${res.file}'`))
      .getRowObjects()
      .map((c) => c.column_name);
    expect(cols).toEqual(['symbol', 'date', 'logvol', 'return(window=5)', 'rsi(period=14)', 'pbr']);
    con.closeSync();
    inst.closeSync();
  });

  it('names the file, line and field of a bad feature', async () => {
    const r = await cli([
      'features',
      'export',
      '--spec',
      specFile('bad.json', { ...SPEC, features: [{ name: 'return', window: -3 }] }),
      '--db',
      db,
      '--out',
      dir,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.json:\d+: features\.0\.window/);
  });
});

describe('quantdesk models', () => {
  let modelId = '';
  it('trains walk-forward and prints the contract JSON; retraining gives the same id and metrics', async () => {
    const f = specFile('m.json', SPEC);
    const r = await cli(['models', 'train', '--spec', f, '--db', db, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(['modelId', 'windows', 'metrics']);
    expect(out.windows.length).toBe(Math.ceil((417 - 200 - 4) / 60));
    expect(Object.keys(out.windows[0])).toEqual(['trainStart', 'trainEnd', 'testStart', 'testEnd', 'metrics']);
    expect(out.metrics).toMatchObject({
      ic: expect.any(Number),
      icir: expect.any(Number),
      rankIc: expect.any(Number),
      rankIcir: expect.any(Number),
      hitRate: expect.any(Number),
      rmse: expect.any(Number),
    });
    expect(out.metrics.rankIc).toBeGreaterThan(0.1); // the planted relation is found out of sample
    modelId = out.modelId;
    const again = JSON.parse((await cli(['models', 'train', '--spec', f, '--db', db, '--json'])).out);
    expect(again).toEqual(out);
    const onPool = JSON.parse(
      (await cli(['models', 'train', '--spec', f, '--db', db, '--workers', '2', '--json'])).out,
    );
    expect(onPool).toEqual(out);
    const list = JSON.parse((await cli(['models', 'list', '--db', db, '--json'])).out);
    expect(list).toHaveLength(1);
    const show = JSON.parse((await cli(['models', 'show', modelId, '--db', db, '--json'])).out);
    expect(list[0].champion).toBe(false);
    const promoted = await cli(['models', 'promote', modelId, '--db', db, '--note', 'beats the baseline', '--json']);
    expect(JSON.parse(promoted.out)).toMatchObject({ modelId, action: 'promote', note: 'beats the baseline' });
    expect(JSON.parse((await cli(['models', 'list', '--db', db, '--json'])).out)[0].champion).toBe(true);
    expect((await cli(['models', 'promote', 'm-none', '--db', db])).code).toBe(2);
    expect(JSON.parse((await cli(['models', 'show', modelId, '--db', db, '--json'])).out).events).toHaveLength(1);
    expect(show.lineage).toMatchObject({
      dataFingerprint: expect.any(String),
      featureSetHash: expect.any(String),
      codeVersion: expect.any(String),
      features: ['logvol', 'return(window=5)', 'rsi(period=14)', 'pbr'],
    });
  });

  it('explains a prediction exactly: base + contributions = prediction = what predict prints', async () => {
    const date = '2020-12-01';
    const r = await cli(['models', 'explain', modelId, '--db', db, '--symbol', 'P003', '--date', date, '--json']);
    expect(r.err).toBe('');
    const e = JSON.parse(r.out) as {
      prediction: number;
      base: number;
      contributions: { feature: string; value: number; contribution: number }[];
    };
    expect(Object.keys(e)).toEqual(['prediction', 'base', 'contributions']);
    expect(Object.keys(e.contributions[0])).toEqual(['feature', 'value', 'contribution']);
    expect(Math.abs(e.base + e.contributions.reduce((s, c) => s + c.contribution, 0) - e.prediction)).toBeLessThan(
      1e-9,
    );
    const p = JSON.parse((await cli(['models', 'predict', modelId, '--db', db, '--date', date, '--json'])).out) as {
      symbol: string;
      prediction: number;
    }[];
    expect(p).toHaveLength(20);
    expect(p.find((x) => x.symbol === 'P003')!.prediction).toBe(e.prediction);
    const bad = await cli([
      'models',
      'explain',
      modelId,
      '--db',
      db,
      '--symbol',
      'P003',
      '--date',
      '2020-02-01',
      '--json',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/no out-of-sample model covers 2020-02-01/);
  });

  it('backtests the model-signal strategy on out-of-sample predictions only', async () => {
    const f = specFile('bt.json', {
      strategy: 'model-signal',
      params: { modelId, topK: 4, nDrop: 1, rebalance: 'weekly' },
      universe: 'all',
      start: '2020-01-01',
      end: '2021-02-20',
      capital: 100_000,
    });
    const r = await cli(['backtest', '--spec', f, '--db', db, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { trades: { entryTime: string; symbol: string }[] };
    expect(out.trades.length).toBeGreaterThan(10);
    // The first test window starts after 200 training days: nothing can be traded before it.
    const firstTest = JSON.parse((await cli(['models', 'show', modelId, '--db', db, '--json'])).out).windows[0]
      .testStart as string;
    expect(out.trades.every((t) => t.entryTime > firstTest)).toBe(true);
    const unknown = await cli([
      'backtest',
      '--spec',
      specFile('bt2.json', { strategy: 'model-signal', params: { modelId: 'm-nope' }, universe: 'all' }),
      '--db',
      db,
      '--json',
    ]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toMatch(/no model "m-nope"/);
  });

  it('imports an ONNX model with a manifest, scores it out of sample, predicts and explains it', async () => {
    const onnx = join(dir, 'm.onnx');
    writeFileSync(onnx, tanhRegressor([0.01, 0.5], 0));
    const manifest = specFile('manifest.json', {
      name: 'tanh',
      features: [
        { name: 'expr', expr: 'Log($volume)', label: 'logvol' },
        { name: 'return', window: 5 },
      ],
      label: { kind: 'forward-return', horizon: 5 },
      trainStart: '2020-01-01',
      trainEnd: '2020-06-30',
      source: 'hand-encoded',
    });
    const r = await cli(['models', 'import', '--onnx', onnx, '--manifest', manifest, '--db', db, '--json']);
    expect(r.err).toBe('');
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(['modelId', 'windows', 'metrics']);
    expect(out.windows[0]).toMatchObject({ trainStart: '2020-01-01', trainEnd: '2020-06-30', testStart: '2020-07-06' });
    const p = JSON.parse(
      (await cli(['models', 'predict', out.modelId, '--db', db, '--date', '2020-09-01', '--symbol', 'P001', '--json']))
        .out,
    );
    const e = JSON.parse(
      (await cli(['models', 'explain', out.modelId, '--db', db, '--date', '2020-09-01', '--symbol', 'P001', '--json']))
        .out,
    );
    expect(e.prediction).toBeCloseTo(p[0].prediction, 6);
    const [lv, r5] = ['logvol', 'return(window=5)'].map(
      (f) => e.contributions.find((c: { feature: string }) => c.feature === f).value,
    );
    expect(e.prediction).toBeCloseTo(Math.tanh(0.01 * lv + 0.5 * r5), 6);
    expect(
      Math.abs(
        e.base +
          e.contributions.reduce((a: number, c: { contribution: number }) => a + c.contribution, 0) -
          e.prediction,
      ),
    ).toBeLessThan(1e-9);
    const inSample = await cli([
      'models',
      'explain',
      out.modelId,
      '--db',
      db,
      '--date',
      '2020-05-01',
      '--symbol',
      'P001',
      '--json',
    ]);
    expect(inSample.code).toBe(2);
    const badManifest = await cli([
      'models',
      'import',
      '--onnx',
      onnx,
      '--manifest',
      specFile('bm.json', {
        features: [],
        label: { kind: 'forward-return', horizon: 5 },
        trainStart: '2020-01-01',
        trainEnd: '2020-06-30',
      }),
      '--db',
      db,
    ]);
    expect(badManifest.code).toBe(2);
    expect(badManifest.err).toMatch(/bm\.json:\d+: features/);
  });
});
