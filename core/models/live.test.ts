import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec } from '../backtest/spec';
import { loadPanel } from '../data/panel';
import { replay } from '../live/replay';
import { formatDate } from '../model/time';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { LiveModelSignal } from './live';
import { outOfSamplePredictions } from './predictions';
import { trainAndRegister } from './service';
import { seedPlanted } from './test-store';
import { modelSpecSchema } from './spec';

let dir: string;
let store: Store;
let modelId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-live-model-'));
  store = openStore(join(dir, 'live.db'));
  const panel = await seedPlanted(store);
  const spec = modelSpecSchema.parse({
    universe: 'all',
    start: formatDate(panel.time[0]),
    end: formatDate(panel.time[329]),
    features: [
      { name: 'expr', expr: 'Log($volume)', label: 'logvol' },
      { name: 'return', window: 5 },
      { name: 'rsi', period: 14 },
      { name: 'pbr' },
      { name: 'cs-rank', feature: { name: 'return', window: 5 } },
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

describe('model-signal in a live session (replay feed)', () => {
  it('trades the streaming features through the same model: predictions equal the batch out-of-sample ones, and each signal carries its exact top contributions', async () => {
    const parsed = parseSpec({
      strategy: 'model-signal',
      params: { modelId, mode: 'threshold', threshold: 0, short: true },
      universe: 'all',
      capital: 100_000,
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const r = await replay(store, parsed.spec, { from: formatDate(loadPanel(store, { adjustment: 'pit' }).time[60]) });
    const decided = r.signals.filter((s) => s.reason === 'signal');
    expect(decided.length).toBeGreaterThan(5);
    const panel = loadPanel(store, { adjustment: 'pit' });
    const oos = outOfSamplePredictions(store, modelId, panel);
    for (const s of decided) {
      const e = s.explanation;
      expect(e, `${s.symbol} ${formatDate(s.time)}`).toBeDefined();
      expect(e!.modelId).toBe(modelId);
      expect(e!.top).toHaveLength(3);
      // The live stream (warmed on history, fed bar by bar) predicts what the batch matrix predicts.
      expect(Math.abs(e!.prediction - oos.at(s.symbol, s.time))).toBeLessThan(1e-9);
      // Threshold 0 with shorts: long above, short below.
      expect(s.target).toBe(Math.sign(e!.prediction));
      const sorted = [...e!.top].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
      expect(e!.top).toEqual(sorted);
    }
    expect(r.alerts.some((a) => a.kind === 'signal' && /prediction .*: .* [+−]/.test(a.message))).toBe(true);
  });

  it('is locally accurate at every bar (base + all contributions = prediction) and refuses a missing model clearly', () => {
    const panel = loadPanel(store, { adjustment: 'pit' });
    const from = panel.time[200];
    const live = new LiveModelSignal(store, { modelId, mode: 'threshold' }, panel.symbols, from);
    for (let t = 200; t < 215; t++) {
      const step = panel.symbols.map((symbol, s) => {
        const k = s * panel.nDays + t;
        return {
          symbol,
          time: panel.time[t],
          open: panel.open[k],
          high: panel.high[k],
          low: panel.low[k],
          close: panel.close[k],
          volume: panel.volume[k],
        };
      });
      live.observe(step);
      for (const symbol of panel.symbols) {
        const e = live.explain(symbol, panel.time[t], Infinity)!;
        expect(e.top).toHaveLength(5);
        expect(Math.abs(e.base + e.top.reduce((a, c) => a + c.contribution, 0) - e.prediction)).toBeLessThan(1e-9);
        expect(e.prediction).toBe(live.prediction(symbol));
      }
    }
    // Top-k is a portfolio rule the session steps (core/models/live-topk.test.ts); the per-symbol strategy decides nothing.
    expect(new LiveModelSignal(store, { modelId, mode: 'top-k' }, panel.symbols, from).portfolio).not.toBeNull();
    expect(() => new LiveModelSignal(store, { modelId: 'm-nope', mode: 'threshold' }, panel.symbols, from)).toThrow(
      /no model "m-nope"/,
    );
  });
});
