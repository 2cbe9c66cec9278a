import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSpec, type BacktestSpec } from '../backtest/spec';
import { loadPanel } from '../data/panel';
import { importCsv } from '../store/import';
import type { Store } from '../store/sqlite-bar-store';
import { smaCrossKernel } from './sma-kernel';
import { kernelNeedsEngine } from './sweep';
import { createSyntheticStore } from './synthetic-market';
import { connection } from '../store/internal';

let dir: string;
let store: Store;
let days: number[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'qd-kernel-actions-'));
  store = createSyntheticStore(join(dir, 'k.db'), { symbols: 3, days: 300, seed: 5 });
  days = connection(store).prepare('SELECT DISTINCT ts FROM bars ORDER BY ts').pluck().all() as number[];
});
afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const spec = (extra: object = {}): BacktestSpec => {
  const p = parseSpec({
    strategy: 'sma-cross',
    symbols: ['S0000', 'S0001'],
    sizing: { method: 'fixed-qty', qty: 10 },
    ...extra,
  });
  if (!p.ok) throw new Error(p.errors.join('; '));
  return p.spec;
};
const day = (i: number) => new Date(days[i]).toISOString().slice(0, 10);

describe('the sma kernel and corporate actions', () => {
  it('a market without actions keeps the kernel; a split in range sends the sweep to the engine, and the kernel refuses such a panel', async () => {
    expect(kernelNeedsEngine(store, spec())).toBe(false);
    const r = await importCsv(store, 'actions', {
      fileName: 'a.csv',
      content: `symbol,kind,ex_date,value,known_at\nS0001,split,${day(200)},2,${day(180)}\n`,
    });
    expect(r.ok).toBe(true);
    expect(kernelNeedsEngine(store, spec())).toBe(true);
    // Before the ex date, or on a symbol without actions, the kernel still applies.
    expect(kernelNeedsEngine(store, spec({ end: day(150) }))).toBe(false);
    expect(kernelNeedsEngine(store, spec({ symbols: ['S0000', 'S0002'] }))).toBe(false);
    const panel = loadPanel(store, { symbols: ['S0000', 'S0001'], adjustment: 'pit' });
    expect(() => smaCrossKernel(spec(), panel, [5, 20])).toThrow(/corporate actions/);
    // A window that ends before the split runs on the kernel even from the unclipped panel.
    expect(smaCrossKernel(spec({ end: day(150) }), panel, [5, 20])).toHaveLength(1);
  });
});
