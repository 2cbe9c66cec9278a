import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDate } from '../model/time';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { loadPanel } from '../data/panel';
import { LiveModelSignal } from './live';
import { outOfSamplePredictions } from './predictions';
import { explainAt, predictAt, trainAndRegister } from './service';
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

  it('predicts and explains (CLI, Models view, backtest, live) a member only while it is one, as known each day', async () => {
    // A cross-sectional feature too: it ranks among the members of the day.
    const late = (
      await trainAndRegister(
        store,
        spec({
          universe: 'LATE',
          features: [
            { name: 'return', window: 5 },
            { name: 'rsi', period: 14 },
            { name: 'cs-rank', feature: { name: 'return', window: 5 } },
          ],
        }),
      )
    ).modelId;
    const before = formatDate(time[180]);
    const after = formatDate(time[250]);
    // `models predict` (every symbol): the members of the day only.
    expect(predictAt(store, late, before).map((p) => p.symbol)).toEqual(symbols.slice(0, 4));
    expect(predictAt(store, late, after).map((p) => p.symbol)).toEqual(symbols.slice(0, 5));
    // `models predict --symbol` / `models explain` (CLI and Models view) of a non-member: refused, naming symbol, date, universe.
    const refusal = (sym: string, date: string) =>
      new RegExp(`^${sym}: not in the model's universe "LATE" on ${date} \\(not a member as known that day\\)$`);
    expect(() => predictAt(store, late, before, symbols[4])).toThrow(refusal(symbols[4], before));
    expect(() => explainAt(store, late, symbols[4], before)).toThrow(refusal(symbols[4], before));
    expect(() => explainAt(store, late, symbols[6], after)).toThrow(refusal(symbols[6], after));
    const [joined] = predictAt(store, late, after, symbols[4]);
    const e = explainAt(store, late, symbols[4], after);
    expect(e.base + e.contributions.reduce((a, c) => a + c.contribution, 0)).toBeCloseTo(joined.prediction, 9);

    // Backtests: the out-of-sample predictions cover the members of each day only.
    const panel = loadPanel(store, { adjustment: 'pit' });
    const oos = outOfSamplePredictions(store, late, panel);
    const at = (sym: string, t: number) => oos.at(sym, panel.time[t]);
    expect(at(symbols[0], 180)).toBe(predictAt(store, late, before, symbols[0])[0].prediction);
    expect(at(symbols[4], 180)).toBeNaN();
    expect(at(symbols[4], 199)).toBeNaN();
    expect(at(symbols[4], 250)).toBe(joined.prediction);
    expect(at(symbols[6], 250)).toBeNaN();

    // Live: the streaming model over all eight names predicts (and explains) the members of each step only.
    const live = new LiveModelSignal(store, { modelId: late, mode: 'threshold' }, symbols, time[170]);
    const seen = new Map<number, string[]>();
    for (let t = 170; t <= 250; t++) {
      const i = (s: number) => s * panel.nDays + t;
      live.observe(
        symbols.map((symbol, s) => ({
          symbol,
          time: time[t],
          open: panel.open[i(s)],
          high: panel.high[i(s)],
          low: panel.low[i(s)],
          close: panel.close[i(s)],
          volume: panel.volume[i(s)],
        })),
      );
      seen.set(
        t,
        symbols.filter((sym) => Number.isFinite(live.prediction(sym))),
      );
    }
    expect(seen.get(180)).toEqual(symbols.slice(0, 4));
    expect(seen.get(199)).toEqual(symbols.slice(0, 4));
    expect(seen.get(200)).toEqual(symbols.slice(0, 5));
    expect(seen.get(250)).toEqual(symbols.slice(0, 5));
    expect(live.prediction(symbols[4])).toBeCloseTo(joined.prediction, 9);
    expect(live.explain(symbols[6], time[250])).toBeUndefined();
    expect(live.explain(symbols[4], time[250])?.prediction).toBeCloseTo(joined.prediction, 9);
  });

  it('refuses an unknown universe by name', async () => {
    expect(parseModelSpec({ ...spec({}), universe: 'NOPE' }).ok).toBe(true);
    await expect(trainAndRegister(store, spec({ universe: 'NOPE' }))).rejects.toThrow(/universe "NOPE" has no members/);
  });
});
