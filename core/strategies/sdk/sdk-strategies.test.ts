import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../backtest/engine';
import { BacktestSpecSchema } from '../../backtest/spec';
import type { Panel } from '../../data/panel-types';
import { checkCrossSectional, checkSingle } from '../../sdk/lookahead-check';
import { ichimokuTargets, SwingTracker, TIME_NUMBERS } from '../../sdk/swings';
import type { SingleStrategy } from '../../strategy/types';
import { randomBars } from '../fixtures';
import { listStrategies, STRATEGIES } from '../index';
import { buildPitField } from '../pit-facts';
import { dualMomentum } from './dual-momentum';
import { pairsTrading } from './pairs-trading';

function panelOf(n: number, days: number, corr = false): Panel {
  const series = Array.from({ length: n }, (_, s) => randomBars(days, corr ? 5 : 20 + s));
  const col = (k: 'open' | 'high' | 'low' | 'close' | 'volume') => {
    const out = new Float64Array(n * days);
    series.forEach((b, s) => {
      // Correlated legs for the pair: the same walk with its own noise.
      for (let i = 0; i < days; i++)
        out[s * days + i] = b[k][i] * (corr && k !== 'volume' ? 1 + 0.02 * Math.sin(i / (5 + s)) : 1);
    });
    return out;
  };
  const symbols = series.map((_, s) => `S${s + 1}`);
  return {
    symbols,
    sectors: symbols.map(() => ''),
    time: series[0].time,
    nInst: n,
    nDays: days,
    open: col('open'),
    high: col('high'),
    low: col('low'),
    close: col('close'),
    volume: col('volume'),
    listedOn: new Float64Array(n).fill(Number.NaN),
    delistedOn: new Float64Array(n).fill(Number.NaN),
    adjustment: 'raw',
    fingerprint: 'sdk-test',
  };
}

describe('built-ins written on the SDK', () => {
  it('at least 21 built-ins, each with a description and defaults that parse', () => {
    expect(STRATEGIES.length).toBeGreaterThanOrEqual(21);
    for (const s of listStrategies()) {
      expect(s.description.length, s.name).toBeGreaterThan(20);
      expect(s.source).toBe('builtin');
    }
    for (const s of STRATEGIES) expect(() => s.params.parse({}), s.name).not.toThrow();
  });

  it('every built-in passes the look-ahead check (truncation, perturbation, determinism)', () => {
    const series = [1, 2].map((seed) => ({ symbol: `r${seed}`, bars: randomBars(700, seed) }));
    const panel = panelOf(6, 400);
    for (const s of STRATEGIES) {
      // model-signal trades a registry model's out-of-sample predictions: its look-ahead proof (no prediction at or
      // before T moves when every bar and fact after T is perturbed) is in core/models/train.test.ts.
      if (s.name === 'model-signal') continue;
      // Declared fields with no rows: every fundamental reads NaN (the strategy still runs).
      const fields = s.kind !== 'single' && s.fields ? s.fields(s.params.parse({})) : [];
      const facts = { fields: new Map(fields.map((f) => [f, buildPitField(f, panel.nInst, [])])), universe: null };
      const r =
        s.kind === 'single' ? checkSingle(s as SingleStrategy, {}, series) : checkCrossSectional(s, {}, panel, facts);
      expect(r.violation, s.name).toBeNull();
      expect(r.deterministic, s.name).toBe(true);
      if (s.name !== 'factor-rank') expect(r.decisions, `${s.name} must decide something`).toBeGreaterThan(0);
    }
  });

  it('dual-momentum holds the strongest symbol with a positive trailing return, rebalancing monthly', () => {
    const panel = panelOf(5, 600);
    const spec = BacktestSpecSchema.parse({
      strategy: 'dual-momentum',
      params: { lookback: 60 },
      universe: 'all',
      fill: 'close',
    });
    const r = runBacktest(spec, panel, { strategy: dualMomentum });
    expect(r.trades.length).toBeGreaterThan(3);
    // Trades happen on month starts only (null keeps the book in between).
    for (const t of r.trades) {
      const d = new Date(t.exitTime);
      const prev = panel.time[panel.time.indexOf(t.exitTime) - 1];
      expect(new Date(prev).getUTCMonth(), `${d.toISOString()}`).not.toBe(d.getUTCMonth());
    }
  });

  it('pairs-trading takes opposite positions in the two legs', () => {
    const panel = panelOf(2, 800, true);
    const spec = BacktestSpecSchema.parse({
      strategy: 'pairs-trading',
      params: { lookback: 30, entry: 1.5 },
      universe: 'all',
      fill: 'close',
    });
    const r = runBacktest(spec, panel, { strategy: pairsTrading });
    expect(r.trades.length).toBeGreaterThan(2);
    const sides = new Set(r.trades.map((t) => `${t.symbol}:${t.side}`));
    expect(sides.has('S1:long') || sides.has('S1:short')).toBe(true);
    for (const t of r.trades) {
      const other = r.trades.find((u) => u.symbol !== t.symbol && u.entryTime === t.entryTime);
      if (other) expect(other.side).not.toBe(t.side);
    }
  });
});

describe('swings, time theory and price targets', () => {
  it('confirms a swing exactly `strength` bars after it, never before', () => {
    const highs = [1, 2, 3, 9, 3, 2, 1, 2, 3];
    const t = new SwingTracker(3);
    const confirmed: number[] = [];
    highs.forEach((h, i) => {
      const s = t.next({ high: h, low: h - 0.5 });
      if (s && s.type === 1) confirmed.push(i);
    });
    expect(confirmed).toEqual([6]);
    expect(t.swings.find((s) => s.type === 1)).toMatchObject({ index: 3, price: 9 });
    expect(t.barsSince(1)).toBe(5);
  });

  it('time numbers count bars from the last swing', () => {
    expect(TIME_NUMBERS).toEqual([9, 17, 26, 33, 42, 65, 76]);
    const t = new SwingTracker(1);
    const path = [5, 1, 5, ...Array.from({ length: 20 }, (_, i) => 6 + i)];
    const hits: number[] = [];
    path.forEach((p) => {
      t.next({ high: p + 0.1, low: p - 0.1 });
      const n = t.timeNumber(0);
      if (n) hits.push(n);
    });
    expect(hits).toEqual([9, 17]);
  });

  it('V, N, E and NT targets from A, B, C', () => {
    const t = ichimokuTargets([
      { type: -1, index: 0, price: 100 },
      { type: 1, index: 10, price: 120 },
      { type: -1, index: 20, price: 110 },
    ])!;
    expect(t).toEqual({ direction: 1, v: 130, n: 130, e: 140, nt: 120 });
    expect(ichimokuTargets([{ type: 1, index: 0, price: 1 }])).toBeNull();
  });
});
