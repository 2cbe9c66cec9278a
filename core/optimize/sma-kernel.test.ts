import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSpecOnStore } from '../backtest/run';
import { parseSpec, type BacktestSpec } from '../backtest/spec';
import type { Metrics } from '../backtest/types';
import { loadPanel } from '../data/panel';
import type { Store } from '../store/sqlite-bar-store';
import { smaCrossKernel, smaKernelIneligibility } from './sma-kernel';
import { createSyntheticStore } from './synthetic-market';
import { connection } from '../store/internal';

let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-kernel-'));
  store = createSyntheticStore(join(dir, 'k.db'), { symbols: 4, days: 500, seed: 21 });
  // S0002 is delisted early, S0003 has a gap: the kernel must follow the engine through both.
  const id = (sym: string) =>
    (connection(store).prepare('SELECT id FROM instruments WHERE symbol = ?').get(sym) as { id: number }).id;
  const days = connection(store).prepare('SELECT DISTINCT ts FROM bars ORDER BY ts').pluck().all() as number[];
  connection(store).prepare('DELETE FROM bars WHERE instrument_id = ? AND ts > ?').run(id('S0002'), days[300]);
  connection(store)
    .prepare('DELETE FROM bars WHERE instrument_id = ? AND ts BETWEEN ? AND ?')
    .run(id('S0003'), days[120], days[160]);
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function spec(extra: object): BacktestSpec {
  const p = parseSpec({
    strategy: 'sma-cross',
    symbols: ['S0000', 'S0001', 'S0002', 'S0003'],
    sizing: { method: 'fixed-qty', qty: 10 },
    ...extra,
  });
  if (!p.ok) throw new Error(p.errors.join('; '));
  return p.spec;
}

function expectClose(kernel: Metrics, exact: Metrics): void {
  for (const [k, v] of Object.entries(exact)) {
    const got = (kernel as unknown as Record<string, number | null>)[k];
    if (v === null) expect(got, k).toBeNull();
    else
      expect(Math.abs((got as number) - v), `${k}: ${got} vs ${v}`).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(v)),
      );
  }
}

const pairs = [2, 5, 3, 10, 5, 20, 8, 21, 10, 40, 4, 13, 20, 60];

describe('sma-cross kernel', () => {
  for (const [name, extra] of [
    ['next-open, long-short, commission and slippage', { commission: { rate: 0.001, fixed: 1 }, slippageBps: 5 }],
    [
      'fill at close, long-only, fractional units, close at end',
      {
        fill: 'close',
        direction: 'long-only',
        wholeUnits: false,
        sizing: { method: 'fixed-qty', qty: 2.5 },
        closeAtEnd: true,
      },
    ],
    ['a sub-range of the panel', { start: '2015-03-02', end: '2016-06-30', commission: { rate: 0.0005 } }],
    [
      'a sub-range with a warm-up through the gap (and one longer than the history)',
      { start: '2015-09-01', end: '2016-06-30', warmup: 80, commission: { rate: 0.0005 } },
    ],
    ['a warm-up longer than the history, fill at close', { start: '2015-03-02', warmup: 1000, fill: 'close' }],
    ['a name delisted before the run, seen only in its warm-up', { start: '2016-04-01', warmup: 60, closeAtEnd: true }],
  ] as const) {
    it(`equals the exact engine for every pair: ${name}`, () => {
      const s = spec(extra);
      expect(smaKernelIneligibility(s, ['fast', 'slow'])).toBeNull();
      const panel = loadPanel(store, { symbols: s.symbols, adjustment: s.adjustment });
      const got = smaCrossKernel(s, panel, pairs);
      for (let k = 0; k < pairs.length / 2; k++) {
        const exact = runSpecOnStore(store, { ...s, params: { fast: pairs[2 * k], slow: pairs[2 * k + 1] } }).result
          .metrics;
        expect(exact.trades).toBeGreaterThan(0);
        expectClose(got[k]!, exact);
      }
    });
  }

  it('equals the engine over a dense grid (shared fast periods, several tiles and symbol blocks, memory-capped parts), in any pair order', () => {
    const s = spec({ commission: { rate: 0.0007, fixed: 0.5 }, slippageBps: 3 });
    const panel = loadPanel(store, { symbols: s.symbols, adjustment: s.adjustment });
    const grid: number[] = [];
    for (const f of [3, 4, 5, 6, 8, 11]) for (let sl = 12; sl <= 45; sl += 3) grid.push(f, sl);
    // Reversed, so the kernel's own (fast, slow) ordering and the mapping back are exercised.
    const rev: number[] = [];
    for (let k = grid.length / 2 - 1; k >= 0; k--) rev.push(grid[2 * k], grid[2 * k + 1]);
    const one = smaCrossKernel(s, panel, rev, { symbolsPerBlock: 3 });
    const all = smaCrossKernel(s, panel, rev);
    // A memory cap below one pair's equity runs every pair alone.
    const apart = smaCrossKernel(s, panel, rev, { maxCellBytes: 1 });
    for (let k = 0; k < rev.length / 2; k++) {
      const exact = runSpecOnStore(store, { ...s, params: { fast: rev[2 * k], slow: rev[2 * k + 1] } }).result.metrics;
      expectClose(one[k]!, exact);
      expectClose(all[k]!, exact);
      expectClose(apart[k]!, exact);
    }
  });

  it("gives the same bits whatever ran before it (a call reuses the previous call's equity rows)", () => {
    const s = spec({ commission: { rate: 0.0005 } });
    const panel = loadPanel(store, { symbols: s.symbols, adjustment: s.adjustment });
    const small = [3, 12, 3, 15, 4, 12, 4, 15];
    const big: number[] = [];
    for (let f = 2; f <= 12; f++) for (let sl = 13; sl <= 60; sl += 2) big.push(f, sl);
    // First on fresh rows; then on rows a bigger call left full of its own sums; then on rows smaller than needed.
    const first = smaCrossKernel(s, panel, small);
    smaCrossKernel(s, panel, big);
    const afterBig = smaCrossKernel(s, panel, small);
    const bigAgain = smaCrossKernel(s, panel, big);
    expect(afterBig).toEqual(first);
    expect(smaCrossKernel(s, panel, big)).toEqual(bigAgain);
    for (let k = 0; k < small.length / 2; k++) {
      const exact = runSpecOnStore(store, { ...s, params: { fast: small[2 * k], slow: small[2 * k + 1] } }).result
        .metrics;
      expectClose(afterBig[k]!, exact);
    }
  });

  it('returns null for pairs the strategy rejects, and refuses specs it cannot model exactly', () => {
    const s = spec({});
    const panel = loadPanel(store, { symbols: s.symbols, adjustment: s.adjustment });
    expect(smaCrossKernel(s, panel, [20, 10, 0, 5])).toEqual([null, null]);
    expect(smaKernelIneligibility(spec({ sizing: 'all-in' }), ['fast', 'slow'])).toMatch(/fixed-qty/);
    expect(smaKernelIneligibility(s, ['fast', 'capital'])).toMatch(/only fast and slow/);
    expect(smaKernelIneligibility({ ...s, strategy: 'ema-cross' }, ['fast'])).toMatch(/sma-cross/);
  });
});
