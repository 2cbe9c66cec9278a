import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../model/time';
import { connection } from '../store/internal';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { tanhRegressor } from './onnx-encode';
import { explainOnnxAt, importOnnx, parseManifest, predictOnnxAt } from './onnx-service';
import { seedPlanted } from './test-store';

let dir: string;
let store: Store;
let symbols: string[];
let time: Float64Array;
const bytes = tanhRegressor([0.8, 0.5], 0.1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-onnx-universe-'));
  store = openStore(join(dir, 'u.db'));
  const panel = await seedPlanted(store);
  symbols = [...panel.symbols];
  time = panel.time;
  const id = (s: string) =>
    (connection(store).prepare('SELECT id FROM instruments WHERE symbol = ?').get(s) as { id: number }).id;
  const ins = connection(store).prepare(
    'INSERT INTO universes (name, instrument_id, valid_from, valid_to, known_at) VALUES (?, ?, ?, ?, ?)',
  );
  // FIRST4: four names throughout. LATE: the same four plus a fifth that joins (publicly) on day 200.
  for (const s of symbols.slice(0, 4)) {
    ins.run('FIRST4', id(s), 0, null, 0);
    ins.run('LATE', id(s), 0, null, 0);
  }
  ins.run('LATE', id(symbols[4]), time[200], null, time[200]);
});

afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A manifest whose first feature is a cross-sectional rank: its value depends on whom it ranks among. */
const manifest = (extra: object) => {
  const r = parseManifest({
    features: [
      { name: 'cs-rank', feature: { name: 'return', window: 5 } },
      { name: 'return', window: 5 },
    ],
    label: { kind: 'forward-return', horizon: 5 },
    trainStart: formatDate(time[0]),
    trainEnd: formatDate(time[100]),
    ...extra,
  });
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.manifest;
};

describe('an ONNX manifest naming its universe', () => {
  it('ranks within the universe and scores only its members (a fixed universe equals its symbols list)', async () => {
    const byUniverse = await importOnnx(store, bytes, manifest({ universe: 'FIRST4' }), 0);
    const bySymbols = await importOnnx(store, bytes, manifest({ symbols: symbols.slice(0, 4) }), 0);
    const all = await importOnnx(store, bytes, manifest({}), 0);
    expect(byUniverse.metrics).toEqual(bySymbols.metrics);
    expect(all.metrics.n).toBe(2 * byUniverse.metrics.n);
    // The same bytes on another universe are another registry version.
    expect(new Set([byUniverse.modelId, bySymbols.modelId, all.modelId]).size).toBe(3);
    // Predictions: ranks among the four, not the eight.
    const date = formatDate(time[250]);
    const inUniverse = await predictOnnxAt(store, byUniverse.modelId, date);
    const inSymbols = await predictOnnxAt(store, bySymbols.modelId, date);
    const overAll = await predictOnnxAt(store, all.modelId, date);
    expect(inUniverse.map((p) => p.symbol)).toEqual(symbols.slice(0, 4));
    expect(inUniverse).toEqual(inSymbols);
    expect(overAll).toHaveLength(8);
    expect(inUniverse.map((p) => p.prediction)).not.toEqual(overAll.slice(0, 4).map((p) => p.prediction));
  });

  it('predicts and explains a member only while it is one, as known each day', async () => {
    const late = await importOnnx(store, bytes, manifest({ universe: 'LATE' }), 0);
    const before = formatDate(time[150]);
    const after = formatDate(time[250]);
    expect((await predictOnnxAt(store, late.modelId, before)).map((p) => p.symbol)).toEqual(symbols.slice(0, 4));
    expect((await predictOnnxAt(store, late.modelId, after)).map((p) => p.symbol)).toEqual(symbols.slice(0, 5));
    await expect(predictOnnxAt(store, late.modelId, before, symbols[4])).rejects.toThrow(/not in the model's universe/);
    await expect(explainOnnxAt(store, late.modelId, symbols[4], before)).rejects.toThrow(
      `${symbols[4]}: not in the model's universe "LATE" on ${before} (not a member as known that day)`,
    );
    await expect(explainOnnxAt(store, late.modelId, symbols[6], after)).rejects.toThrow(/not in the model's universe/);
    const e = await explainOnnxAt(store, late.modelId, symbols[4], after);
    expect(e.base + e.contributions.reduce((a, c) => a + c.contribution, 0)).toBeCloseTo(e.prediction, 9);
  });

  it('names the field of a bad or unknown universe', async () => {
    const bad = parseManifest({ ...manifest({}), universe: '' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join()).toMatch(/^universe: /);
    await expect(importOnnx(store, bytes, manifest({ universe: 'NOPE' }), 0)).rejects.toMatchObject({
      name: 'FeatureSpecError',
      path: 'universe',
      message: expect.stringMatching(/universe "NOPE" has no members/),
    });
  });
});
