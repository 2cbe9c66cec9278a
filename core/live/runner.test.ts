import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runBacktest } from '../backtest/engine';
import { makePanel } from '../backtest/fixtures';
import { parseSpec, type BacktestSpecInput } from '../backtest/spec';
import type { Panel } from '../data/panel-types';
import { randomBars, rng } from '../strategies/fixtures';
import type { Decision, SingleStrategy } from '../strategy/types';
import { PaperBroker } from './broker';
import { specCosts } from './costs';
import { ReplayFeed } from './feeds/replay';
import { StrategyRunner } from './runner';
import type { Fill, Signal } from './types';

/**
 * A fuzzing strategy: seeded random decisions using every OrderIntent feature (market, limit and stop
 * entries, stop-loss, take-profit, trailing stops, flat and reversals, null = keep).
 */
function fuzzStrategy(seed: number): SingleStrategy<Record<string, never>, { r: () => number }> {
  return {
    kind: 'single',
    name: 'fuzz',
    description: 'random intents',
    params: z.object({}).strict() as never,
    init: () => ({ r: rng(seed) }),
    onBar: (st, bar): Decision => {
      const u = st.r();
      if (u < 0.55) return null;
      const target = [1, -1, 0, 0.5][Math.floor(st.r() * 4)];
      if (u < 0.65) return target;
      const kind = st.r();
      const type = kind < 0.4 ? 'market' : kind < 0.7 ? 'limit' : 'stop';
      const px = bar.close * (1 + (st.r() - 0.5) * 0.04);
      const long = target >= 0;
      return {
        target,
        type,
        price: type === 'market' ? undefined : px,
        stopLoss: st.r() < 0.5 ? bar.close * (long ? 0.97 : 1.03) : undefined,
        takeProfit: st.r() < 0.5 ? bar.close * (long ? 1.04 : 0.96) : undefined,
        trailingStopPct: st.r() < 0.3 ? 0.02 : undefined,
      };
    },
  };
}

function panelOf(n: number): Panel {
  return makePanel(
    ['A', 'B', 'C'].map((symbol, k) => {
      const b = randomBars(n, 100 + k);
      return {
        symbol,
        open: [...b.open],
        high: [...b.high],
        low: [...b.low],
        close: [...b.close],
        volume: [...b.volume],
      };
    }),
    [...randomBars(n, 100).time],
  );
}

type Exec = [string, number, string, number, number];
const key = (e: Exec) => `${e[1]}|${e[0]}|${e[2]}|${e[3]}|${e[4]}`;

async function compare(input: BacktestSpecInput, seed: number) {
  const p = parseSpec(input);
  if (!p.ok) throw new Error(p.errors.join());
  const spec = p.spec;
  const panel = panelOf(300);
  const strategy = fuzzStrategy(seed);
  const res = runBacktest(spec, panel, { strategy });
  const bt: Exec[] = [];
  for (const t of res.trades) {
    bt.push([t.symbol, t.entryTime, t.side === 'long' ? 'buy' : 'sell', t.entryPrice, t.qty]);
    bt.push([t.symbol, t.exitTime, t.side === 'long' ? 'sell' : 'buy', t.exitPrice, t.qty]);
  }
  for (const o of res.openPositions)
    bt.push([o.symbol, o.entryTime, o.side === 'long' ? 'buy' : 'sell', o.entryPrice, o.qty]);
  const fills: Fill[] = [];
  const signals: Signal[] = [];
  const broker = new PaperBroker({
    session: 'fuzz',
    cash: spec.capital,
    costs: specCosts(spec),
    hooks: { fill: (f) => fills.push(f) },
  });
  const runner = new StrategyRunner({
    spec,
    strategy,
    params: {},
    symbols: spec.symbols!,
    broker,
    onSignal: (s) => signals.push(s),
  });
  const feed = new ReplayFeed({ panel, symbols: spec.symbols });
  feed.start({ bars: (s) => runner.step(s), ticks: () => {}, status: () => {}, issue: () => {} });
  await feed.done;
  runner.finish(panel.time[panel.nDays - 1]);
  const live = fills.map((f): Exec => [f.symbol, f.time, f.side, f.price, f.qty]);
  return { bt: bt.map(key).sort(), live: live.map(key).sort(), signals, trades: res.trades };
}

describe('StrategyRunner = engine on every order-intent feature', () => {
  const specs: [string, BacktestSpecInput][] = [
    ['defaults (all-in, next open, conservative)', { strategy: 'fuzz', symbols: ['A', 'B', 'C'] }],
    [
      'optimistic intrabar, costs, equal weight',
      {
        strategy: 'fuzz',
        symbols: ['A', 'B', 'C'],
        intrabar: 'optimistic',
        slippageBps: 7,
        commission: { rate: 0.001, fixed: 0.5 },
        sizing: 'equal-weight',
      },
    ],
    [
      'fill at close, long-only, fractional, close at end',
      {
        strategy: 'fuzz',
        symbols: ['A', 'C'],
        fill: 'close',
        direction: 'long-only',
        wholeUnits: false,
        closeAtEnd: true,
        sizing: { method: 'fixed-fraction', fraction: 0.4 },
      },
    ],
    [
      'volatility target',
      { strategy: 'fuzz', symbols: ['A', 'B', 'C'], sizing: { method: 'volatility-target', lookback: 10 } },
    ],
    [
      'close at end at the last open',
      { strategy: 'fuzz', symbols: ['A', 'B', 'C'], closeAtEnd: true, endFill: 'open', slippageBps: 3 },
    ],
  ];
  for (const [label, spec] of specs) {
    for (const seed of [1, 2, 3]) {
      it(`${label}, seed ${seed}`, async () => {
        const r = await compare(spec, seed);
        expect(r.bt.length).toBeGreaterThan(20);
        expect(r.live).toEqual(r.bt);
      });
    }
  }

  it('reports protective exits as signals with their reason and level', async () => {
    const r = await compare({ strategy: 'fuzz', symbols: ['A', 'B', 'C'] }, 1);
    const exits = r.trades.filter(
      (t) => t.exitReason === 'stop-loss' || t.exitReason === 'take-profit' || t.exitReason === 'trailing-stop',
    );
    expect(exits.length).toBeGreaterThan(0);
    const stops = r.signals.filter((s) => s.reason !== 'signal');
    expect(stops.length).toBe(exits.length);
    for (const s of stops) expect(['stop', 'target']).toContain(s.reason);
  });
});
