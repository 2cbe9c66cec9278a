import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../model/time';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { trainAndRegister } from './service';
import { modelSpecSchema, parseModelSpec } from './spec';
import { seedPlanted } from './test-store';
import { connection } from '../store/internal';

let dir: string;
let store: Store;
let symbols: string[];
let time: Float64Array;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-model-universe-'));
  store = openStore(join(dir, 'u.db'));
  const panel = await seedPlanted(store);
  symbols = [...panel.symbols];
  time = panel.time;
  const id = (s: string) =>
    (connection(store).prepare('SELECT id FROM instruments WHERE symbol = ?').get(s) as { id: number }).id;
  const ins = connection(store).prepare(
    'INSERT INTO universes (name, instrument_id, valid_from, valid_to, known_at) VALUES (?, ?, ?, ?, ?)',
  );
  // FIRST4: four names, members throughout. LATE: the same four plus a fifth that joins (publicly) on day 200.
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

const spec = (extra: object) =>
  modelSpecSchema.parse({
    start: formatDate(time[0]),
    end: formatDate(time[329]),
    features: [
      { name: 'return', window: 5 },
      { name: 'rsi', period: 14 },
    ],
    label: { kind: 'forward-return', horizon: 5 },
    model: { kind: 'gbdt', trees: 10, depth: 3, learningRate: 0.1, seed: 1, minLeaf: 20 },
    walkForward: { train: 150, test: 60, embargo: 5, anchored: false },
    ...extra,
  });

describe('named PIT universes in model specs', () => {
  it('trains and scores only members as known each day (per-instrument features, so a fixed universe equals its symbols list)', async () => {
    const byUniverse = await trainAndRegister(store, spec({ universe: 'FIRST4' }));
    const bySymbols = await trainAndRegister(store, spec({ symbols: symbols.slice(0, 4) }));
    expect(byUniverse.windows.map((w) => w.metrics)).toEqual(bySymbols.windows.map((w) => w.metrics));
    expect(byUniverse.metrics).toEqual(bySymbols.metrics);
    const late = await trainAndRegister(store, spec({ universe: 'LATE' }));
    const all = await trainAndRegister(store, spec({}));
    // The fifth name adds rows only from day 200 on: more than four names, far fewer than all eight.
    expect(late.metrics.n).toBeGreaterThan(byUniverse.metrics.n);
    expect(late.metrics.n - byUniverse.metrics.n).toBeLessThan((byUniverse.metrics.n / 4) * 0.8);
    expect(all.metrics.n).toBe(2 * byUniverse.metrics.n);
  });

  it('refuses an unknown universe by name', async () => {
    expect(parseModelSpec({ ...spec({}), universe: 'NOPE' }).ok).toBe(true);
    await expect(trainAndRegister(store, spec({ universe: 'NOPE' }))).rejects.toThrow(/universe "NOPE" has no members/);
  });
});
