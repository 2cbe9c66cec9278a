import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRunColumns } from '../backtest/registry';
import { backtestColumnsFromStore } from '../backtest/run';
import { parseSpec } from '../backtest/spec';
import { loadPanel } from '../data/panel';
import { formatDate } from '../model/time';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { outOfSamplePredictions } from './predictions';
import { trainAndRegister } from './service';
import { modelSpecSchema } from './spec';
import { seedPlanted } from './test-store';

let dir: string;
let store: Store;
let modelId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-trade-why-'));
  store = openStore(join(dir, 'why.db'));
  const panel = await seedPlanted(store);
  const spec = modelSpecSchema.parse({
    universe: 'all',
    start: formatDate(panel.time[0]),
    end: formatDate(panel.time[329]),
    features: [
      { name: 'return', window: 5 },
      { name: 'rsi', period: 14 },
      { name: 'volatility', window: 10 },
      { name: 'pbr' },
    ],
    label: { kind: 'forward-return', horizon: 5 },
    model: { kind: 'gbdt', trees: 20, depth: 3, learningRate: 0.1, seed: 1, minLeaf: 20 },
    walkForward: { train: 150, test: 60, embargo: 5, anchored: false },
  });
  modelId = (await trainAndRegister(store, spec)).record.id;
});

afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(fill: 'next-open' | 'close') {
  const parsed = parseSpec({
    strategy: 'model-signal',
    params: { modelId, mode: 'top-k', topK: 2, nDrop: 1, rebalance: 'weekly' },
    universe: 'all',
    capital: 100_000,
    fill,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return backtestColumnsFromStore(store, parsed.spec);
}

describe('a model-signal backtest explains its trades', () => {
  it.each(['next-open', 'close'] as const)(
    'each trade (fill %s) carries the top contributions of the prediction that opened it, stored with the run',
    (fill) => {
      const { columns, result } = run(fill);
      const why = columns.tradeExplanations!;
      expect(columns.trades.length).toBeGreaterThan(5);
      expect(why).toHaveLength(columns.trades.length);
      const panel = loadPanel(store, { adjustment: 'pit' });
      const oos = outOfSamplePredictions(store, modelId, panel);
      const decisions = result.audit.map((a) => a.date);
      for (const [i, t] of columns.trades.entries()) {
        const e = why[i];
        expect(e, `trade ${i} ${t.symbol}`).not.toBeNull();
        // The decision behind the entry: the last rebalance before the fill (at the fill's bar for close fills).
        const d = decisions.filter((x) => (fill === 'close' ? x <= t.entryTime : x < t.entryTime)).at(-1)!;
        expect(e!.modelId).toBe(modelId);
        expect(Math.abs(e!.prediction - oos.at(t.symbol, d))).toBeLessThan(1e-12);
        expect(e!.top).toHaveLength(3);
        const sorted = [...e!.top].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
        expect(e!.top).toEqual(sorted);
        // Local accuracy over every feature: the three shown are the largest of an exact decomposition.
        const full = oos.explain!(t.symbol, d, Infinity)!;
        expect(full.top).toHaveLength(4);
        expect(Math.abs(full.base + full.top.reduce((a, c) => a + c.contribution, 0) - full.prediction)).toBeLessThan(
          1e-9,
        );
        expect(full.top.slice(0, 3)).toEqual(e!.top);
      }
      // A long top-k book entered on high predictions, not on low ones.
      const mean = why.reduce((a, e) => a + e!.prediction, 0) / why.length;
      expect(mean).toBeGreaterThan(0);
      const stored = getRunColumns(store, columns.runId)!;
      expect(stored.result!.tradeExplanations).toEqual(why);
    },
  );

  it('leaves other strategies without explanations', () => {
    const parsed = parseSpec({ strategy: 'sma-cross', symbols: ['P000'], capital: 10_000 });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const { columns } = backtestColumnsFromStore(store, parsed.spec, { save: false });
    expect(columns.tradeExplanations).toBeUndefined();
  });
});
