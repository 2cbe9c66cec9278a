import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPanel } from '../data/panel';
import { loadDefaultDataset } from '../dataset/default';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { STRATEGIES } from '../strategies';
import { formatDate } from '../model/time';
import { parseSpec } from './spec';
import { panelForSpec, runSpecOnStore } from './run';
import type { Trade } from './types';
import { replay } from '../live/replay';
import { parseModelSpec } from '../models/spec';
import { trainAndRegister } from '../models/service';
import { connection } from '../store/internal';

/**
 * The acceptance check, on the default dataset's generator (a small market with splits and
 * dividends): every built-in strategy's fills are prices that traded, the raw open (or close) of the
 * fill's bar moved by the slippage, also for trades that span a split.
 */
let store: Store;
let splitSymbols: string[];
/** A small GBDT trained walk-forward on the same market, so `model-signal` has out-of-sample predictions to trade. */
let modelId: string;
beforeAll(async () => {
  store = openStore(':memory:');
  // The default dataset's generator on a market small enough for a unit test that still has two 2-for-1 splits (RPM 2017, ZRU 2019), plus SPX.
  const r = await loadDefaultDataset(store, {
    market: { seed: 3, instruments: 12, start: '2015-01-01', end: '2019-12-31' },
  });
  if (!r.ok) throw new Error(r.error.message);
  splitSymbols = connection(store)
    .prepare(
      "SELECT DISTINCT i.symbol FROM corporate_actions a JOIN instruments i ON i.id = a.instrument_id WHERE a.kind = 'split' ORDER BY i.symbol",
    )
    .pluck()
    .all() as string[];
  const ms = parseModelSpec({
    start: '2015-01-01',
    end: '2019-12-31',
    features: [
      { name: 'return', window: 5 },
      { name: 'volatility', window: 20 },
    ],
    model: { kind: 'gbdt', trees: 10, depth: 3 },
    walkForward: { train: 250, test: 120, embargo: 5 },
  });
  if (!ms.ok) throw new Error(ms.problems.join('\n'));
  modelId = (await trainAndRegister(store, ms.spec)).modelId;
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
      // Cross-sectional and portfolio strategies rebalance: a position's entry is the average of its fills.
      const cross = strategy.kind !== 'single';
      const parsed = parseSpec({
        strategy: strategy.name,
        ...(strategy.name === 'model-signal' ? { params: { modelId, topK: 3 } } : {}),
        ...(cross ? { universe: 'all' } : { symbols: splitSymbols }),
        slippageBps: BPS,
        sizing: cross ? 'all-in' : 'equal-weight',
        closeAtEnd: true,
      });
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const { result } = runSpecOnStore(store, parsed.spec, { save: false });
      const raw = loadPanel(store, {
        symbols: result.trades.length ? [...new Set(result.trades.map((t) => t.symbol))] : undefined,
        adjustment: 'raw',
      });
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
        else
          expect(
            near(paid, slip(raw.open[e], long)) || near(paid, slip(raw.close[e], long)),
            `${what} entry ${paid} vs open ${raw.open[e]}`,
          ).toBe(true);
        if (t.exitReason === 'stop-loss' || t.exitReason === 'take-profit' || t.exitReason === 'trailing-stop') {
          // A protective order fills at its level (or the open, on a gap): a traded price of the exit bar.
          const lo = slip(raw.low[x], false) * (1 - 1e-9);
          const hi = slip(raw.high[x], true) * (1 + 1e-9);
          expect(
            t.exitPrice >= lo && t.exitPrice <= hi,
            `${what} ${t.exitReason} exit ${t.exitPrice} outside the raw bar ${raw.low[x]}..${raw.high[x]}`,
          ).toBe(true);
        } else {
          expect(
            near(t.exitPrice, slip(raw.open[x], !long)) || near(t.exitPrice, slip(raw.close[x], !long)),
            `${what} exit ${t.exitPrice} vs open ${raw.open[x]} close ${raw.close[x]}`,
          ).toBe(true);
        }
      }
      expect(result.trades.length).toBeGreaterThan(0);
      // At least the strategies that trade often hold a name across a split somewhere in the market.
      if (strategy.name === 'sma-cross' || strategy.name === 'factor-rank') expect(crossed).toBeGreaterThan(0);
    });
  }
});

describe('instrument types: a universe holds stocks, an index is a benchmark', () => {
  it('universe "all" never trades SPX (an index) and starts with the stocks, not in 2000', () => {
    expect(connection(store).prepare("SELECT type FROM instruments WHERE symbol = 'SPX'").pluck().get()).toBe('index');
    for (const name of ['factor-rank', 'sma-cross']) {
      const parsed = parseSpec({ strategy: name, universe: 'all', sizing: 'equal-weight' });
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const { result } = runSpecOnStore(store, parsed.spec, { save: false });
      expect(result.trades.length, name).toBeGreaterThan(0);
      expect(
        result.trades.filter((t) => t.symbol === 'SPX'),
        name,
      ).toEqual([]);
      expect(
        result.openPositions.filter((p) => p.symbol === 'SPX'),
        name,
      ).toEqual([]);
      expect(formatDate(result.equity.time[0]), name).toBe('2015-01-01');
      // The same universe against SPX as benchmark: the same run, now with alpha and beta.
      const withB = parseSpec({ strategy: name, universe: 'all', sizing: 'equal-weight', benchmark: 'SPX' });
      if (!withB.ok) throw new Error(withB.errors.join('\n'));
      const b = runSpecOnStore(store, withB.spec, { save: false }).result;
      expect(b.trades, name).toEqual(result.trades);
      expect(Array.from(b.equity.value), name).toEqual(Array.from(result.equity.value));
      expect(b.metrics.beta, name).not.toBeNull();
      // The panel itself holds only the stocks' days: SPX (from 2000) is aligned to them, with no copy in the engine.
      expect(formatDate(panelForSpec(store, withB.spec).time[0]), name).toBe('2015-01-01');
    }
  });

  it('a spec may not hold an index; types widen the universe', () => {
    const held = parseSpec({ strategy: 'sma-cross', symbols: ['SPX'] });
    if (!held.ok) throw new Error(held.errors.join('\n'));
    expect(() => runSpecOnStore(store, held.spec, { save: false })).toThrow(
      /"SPX" is an index: indexes are benchmarks, not holdings/,
    );
    const bad = parseSpec({ strategy: 'sma-cross', universe: 'all', types: ['index'] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join('\n')).toMatch(/types\.0: an index is a benchmark, not a holding/);
    const etf = parseSpec({ strategy: 'factor-rank', universe: 'all', types: ['etf'] });
    if (!etf.ok) throw new Error(etf.errors.join('\n'));
    // No ETF in this market: an empty universe has no bars.
    expect(() => runSpecOnStore(store, etf.spec, { save: false })).toThrow(/no bars/);
  });
});

describe('the live path trades and shows traded prices too', () => {
  type Exec = [string, string, string, number, number];
  const sortExecs = (e: Exec[]) => e.sort((a, b) => (a.join() < b.join() ? -1 : a.join() > b.join() ? 1 : 0));
  for (const strategy of STRATEGIES.filter((s) => s.kind === 'single')) {
    it(`${strategy.name}: a replay fills as the backtest does across splits and dividends; its signals quote raw closes`, async () => {
      const parsed = parseSpec({
        strategy: strategy.name,
        symbols: splitSymbols,
        slippageBps: BPS,
        commission: { rate: 0.0005, fixed: 1 },
        sizing: 'equal-weight',
      });
      if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
      const bt = runSpecOnStore(store, parsed.spec, { save: false }).result;
      const want: Exec[] = [];
      for (const t of bt.trades) {
        const r = t.splitRatio ?? 1;
        want.push([t.symbol, formatDate(t.entryTime), t.side === 'long' ? 'buy' : 'sell', t.entryPrice * r, t.qty / r]);
        want.push([t.symbol, formatDate(t.exitTime), t.side === 'long' ? 'sell' : 'buy', t.exitPrice, t.qty]);
      }
      for (const o of bt.openPositions)
        want.push([o.symbol, formatDate(o.entryTime), o.side === 'long' ? 'buy' : 'sell', o.entryPrice, o.qty]);
      const live = await replay(store, parsed.spec);
      const got = live.fills.map((f): Exec => [f.symbol, formatDate(f.time), f.side, f.price, f.qty]);
      expect(want.length).toBeGreaterThan(0);
      // Entries before a split and still open at the end carry the split in the position, not in the fill.
      const open = new Set(bt.openPositions.map((o) => `${o.symbol}|${formatDate(o.entryTime)}`));
      const norm = (e: Exec[]) => sortExecs(e.filter((x) => !open.has(`${x[0]}|${x[1]}`)));
      expect(norm(got)).toEqual(norm(want));
      for (const o of bt.openPositions) {
        const p = live.positions.find((q) => q.symbol === o.symbol)!;
        expect(Math.abs(p.qty)).toBe(o.qty);
        expect(p.avgCost).toBeCloseTo(o.entryPrice, 9);
      }
      const raw = loadPanel(store, { symbols: splitSymbols, adjustment: 'raw' });
      for (const sg of live.signals.filter((x) => x.reason === 'signal')) {
        const i = raw.time.indexOf(sg.time);
        expect(sg.price).toBe(raw.close[raw.symbols.indexOf(sg.symbol) * raw.nDays + i]);
      }
    });
  }
});
