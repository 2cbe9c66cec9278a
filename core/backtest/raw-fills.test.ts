import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPanel } from '../data/panel';
import { loadDefaultDataset } from '../dataset/default';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { STRATEGIES } from '../strategies';
import { formatDate } from '../model/time';
import { parseSpec } from './spec';
import { runSpecOnStore } from './run';
import type { Trade } from './types';

/**
 * The acceptance check, on the default dataset's generator (a small market with splits and
 * dividends): every built-in strategy's fills are prices that traded, the raw open (or close) of the
 * fill's bar moved by the slippage, also for trades that span a split.
 */
let store: Store;
let splitSymbols: string[];
beforeAll(async () => {
  store = openStore(':memory:');
  // The default dataset's generator on a market small enough for a unit test that still has two 2-for-1 splits (RPM 2017, ZRU 2019), plus SPX.
  const r = await loadDefaultDataset(store, { market: { seed: 3, instruments: 12, start: '2015-01-01', end: '2019-12-31' } });
  if (!r.ok) throw new Error(r.error.message);
  splitSymbols = store.db
    .prepare("SELECT DISTINCT i.symbol FROM corporate_actions a JOIN instruments i ON i.id = a.instrument_id WHERE a.kind = 'split' ORDER BY i.symbol")
    .pluck()
    .all() as string[];
}, 60_000);
afterAll(() => {
  store?.close();
});

const BPS = 5;

describe('fills are traded prices for every built-in strategy', () => {
  it('the market has splits to cross', () => {
    expect(splitSymbols).toEqual(['RPM', 'ZRU']);
  });

  for (const strategy of STRATEGIES) {
    it(`${strategy.name}: entries and exits at the raw open or close of their bars (plus slippage), across splits`, () => {
      const cross = strategy.kind === 'cross-sectional';
      const parsed = parseSpec({
        strategy: strategy.name,
        ...(cross ? { universe: 'all' } : { symbols: splitSymbols }),
        slippageBps: BPS,
        sizing: cross ? 'all-in' : 'equal-weight',
        closeAtEnd: true,
      });
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const { result } = runSpecOnStore(store, parsed.spec, { save: false });
      const raw = loadPanel(store, { symbols: result.trades.length ? [...new Set(result.trades.map((t) => t.symbol))] : undefined, adjustment: 'raw' });
      const day = new Map<number, number>();
      raw.time.forEach((t, i) => day.set(t, i));
      const at = (t: Trade, time: number) => raw.symbols.indexOf(t.symbol) * raw.nDays + (day.get(time) as number);
      const slip = (px: number, buy: boolean) => px * (1 + ((buy ? 1 : -1) * BPS) / 10_000);
      const near = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
      let crossed = 0;
      for (const t of result.trades) {
        const long = t.side === 'long';
        const e = at(t, t.entryTime);
        const x = at(t, t.exitTime);
        const paid = t.entryPrice * (t.splitRatio ?? 1);
        if (t.splitRatio !== undefined) crossed++;
        const what = `${t.symbol} ${formatDate(t.entryTime)}→${formatDate(t.exitTime)}`;
        // A rebalanced position's entry is the average of its fills: it only has to lie within the traded range.
        if (cross) expect(paid, what).toBeGreaterThan(0);
        else expect(near(paid, slip(raw.open[e], long)) || near(paid, slip(raw.close[e], long)), `${what} entry ${paid} vs open ${raw.open[e]}`).toBe(true);
        expect(near(t.exitPrice, slip(raw.open[x], !long)) || near(t.exitPrice, slip(raw.close[x], !long)), `${what} exit ${t.exitPrice} vs open ${raw.open[x]} close ${raw.close[x]}`).toBe(true);
      }
      expect(result.trades.length).toBeGreaterThan(0);
      // At least the strategies that trade often hold a name across a split somewhere in the market.
      if (strategy.name === 'sma-cross' || strategy.name === 'factor-rank') expect(crossed).toBeGreaterThan(0);
    });
  }
});
