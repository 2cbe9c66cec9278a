import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtestFromStoreAsync } from '../backtest/run';
import { parseSpec, type BacktestSpec } from '../backtest/spec';
import { formatDate } from '../model/time';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { trainAndRegister } from './service';
import { modelSpecSchema } from './spec';
import { seedPlanted } from './test-store';

let dir: string;
let store: Store;
let modelId: string;
let time: Float64Array;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-concurrent-bt-'));
  store = openStore(join(dir, 'c.db'));
  // Runs longer than the async driver's 1024 bars between yields, so concurrent runs interleave.
  const panel = await seedPlanted(store, 8, 1300);
  time = panel.time;
  const spec = modelSpecSchema.parse({
    universe: 'all',
    start: formatDate(panel.time[0]),
    end: formatDate(panel.time[1299]),
    features: [
      { name: 'return', window: 5 },
      { name: 'rsi', period: 14 },
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

const spec = (params: object, range: { start: number; end: number }): BacktestSpec => {
  const parsed = parseSpec({
    strategy: 'model-signal',
    params: { modelId, ...params },
    universe: 'all',
    start: formatDate(time[range.start]),
    end: formatDate(time[range.end]),
    capital: 100_000,
  });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.spec;
};

const outcome = async (s: BacktestSpec) => {
  const { columns, result } = await backtestFromStoreAsync(store, s, { save: false });
  return {
    trades: result.trades,
    positions: result.openPositions,
    equity: [...result.equity.value],
    explanations: columns.tradeExplanations,
  };
};

describe('concurrent backtests of one model', () => {
  it('share the prediction cache but never a book, a panel end or an explanation: each equals its run alone', async () => {
    // Different specs of the same model: other dates (a panel ending earlier), other top-k, other modes.
    const specs = [
      spec({ mode: 'top-k', topK: 2, nDrop: 1, rebalance: 'weekly' }, { start: 160, end: 1299 }),
      spec({ mode: 'top-k', topK: 3, nDrop: 1, rebalance: 'weekly', short: true }, { start: 170, end: 1250 }),
      spec({ mode: 'top-k', topK: 2, nDrop: 1, rebalance: 'weekly' }, { start: 160, end: 1299 }),
      spec({ mode: 'threshold', threshold: 0, rebalance: 'daily' }, { start: 200, end: 1000 }),
    ];
    const alone: Awaited<ReturnType<typeof outcome>>[] = [];
    for (const s of specs) alone.push(await outcome(s));
    expect(alone[0].trades.length).toBeGreaterThan(3);
    expect(alone[1].trades.length).toBeGreaterThan(3);
    expect(alone[0].explanations!.some((e) => e !== null)).toBe(true);
    const together = await Promise.all(specs.map((s) => outcome(s)));
    together.forEach((t, i) => expect(t).toEqual(alone[i]));
  });
});
