import { describe, expect, it } from 'vitest';
import { parseSpec } from './spec';
import { runBacktest } from './engine';
import { makePanel } from './fixtures';
import { delistIfLast, prepareRun } from './run-setup';
import { randomBars } from '../strategies/fixtures';
import { getStrategy } from '../strategies';
import { declareNamesIndependent, namesIndependent } from '../strategy/independence';
import type { Panel } from '../data/panel-types';
import type { BarView, Decision, SingleStrategy } from '../strategy/types';

// 40 names, some starting late and some ending early (gaps at both ends), over 300 bars.
function widePanel() {
  const n = 300;
  const time = [...randomBars(n, 1).time];
  return makePanel(
    Array.from({ length: 40 }, (_, k) => {
      const b = randomBars(n, 10 + k);
      const from = k % 7 === 3 ? 40 : 0;
      const to = k % 5 === 2 ? 230 : n;
      const cut = (a: Float64Array) => [...a].map((x, i) => (i < from || i >= to ? Number.NaN : x));
      return {
        symbol: `N${k}`,
        open: cut(b.open),
        high: cut(b.high),
        low: cut(b.low),
        close: cut(b.close),
        volume: cut(b.volume),
      };
    }),
    time,
  );
}

describe('the multi-symbol loop', () => {
  it('steps a built-in name by name through each block with the same trades and equity as bar by bar across names', () => {
    const panel = widePanel();
    for (const name of ['ema-cross', 'rsi-reversion', 'donchian-breakout']) {
      const builtin = getStrategy(name) as SingleStrategy<unknown, unknown>;
      expect(namesIndependent(builtin)).toBe(true);
      // A copy is not declared independent: the engine steps it bar by bar across names, as before.
      const copy = { ...builtin } as SingleStrategy<unknown, unknown>;
      expect(namesIndependent(copy)).toBe(false);
      for (const extra of [
        {},
        { fill: 'close' },
        { exits: { stopLoss: { pct: 2 }, trailingStop: { pct: 3 } }, direction: 'long-short' },
      ]) {
        const p = parseSpec({
          strategy: name,
          params: name.endsWith('cross') ? { fast: 5, slow: 20 } : {},
          universe: 'all',
          sizing: 'equal-weight',
          direction: 'long-only',
          commission: { rate: 0.001, fixed: 1 },
          slippageBps: 3,
          ...extra,
        });
        if (!p.ok) throw new Error(p.errors.join('; '));
        const a = runBacktest(p.spec, panel, { strategy: builtin });
        const b = runBacktest(p.spec, panel, { strategy: copy });
        expect(a.trades.length).toBeGreaterThan(20);
        expect(a.trades).toEqual(b.trades);
        expect(a.openPositions).toEqual(b.openPositions);
        expect(Array.from(a.equity.value)).toEqual(Array.from(b.equity.value));
      }
    }
  });
});

/**
 * The plain bar loop the multi-symbol loop must equal (its doc): at each bar, corporate actions, then every
 * name's open in name order, then every name's mark, decision and delisting in name order, then the equity
 * mark over every held name. No warm-up and no `closeAtEnd` here: the specs below use neither.
 */
function plainLoop(spec: Parameters<typeof runBacktest>[0], panel: Panel, strategy: SingleStrategy<unknown, unknown>) {
  const ctx = prepareRun(spec, panel, { strategy });
  const { book, ledger, tradable, traded, i0, i1 } = ctx;
  const p = ctx.panel;
  const states = tradable.map(() => strategy.init(ctx.params));
  const index = tradable.map(() => 0);
  const view: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  for (let i = i0; i <= i1; i++) {
    if (i === ledger.actionBar) ledger.corporateActions(i);
    for (const s of tradable) {
      const at = s * p.nDays + i;
      if (p.close[at] === p.close[at]) book.openPhase(s, i, traded.open[at], traded.high[at], traded.low[at]);
    }
    tradable.forEach((s, k) => {
      const at = s * p.nDays + i;
      const c = p.close[at];
      if (c !== c) return;
      const rc = traded.close[at];
      book.mark[s] = rc;
      Object.assign(view, { index: index[k]++, time: p.time[i], open: p.open[at], high: p.high[at], low: p.low[at] });
      view.close = c;
      view.volume = p.volume[at];
      const d: Decision = strategy.onBar(states[k], view);
      if (d !== null && d !== undefined) book.decide(s, d, i, c, rc);
      delistIfLast(ctx, s, i);
    });
    ledger.markEquity(i);
  }
  return { trades: ledger.trades, equity: Array.from(ledger.equity), open: ledger.openPositions() };
}

/** `panel` with adjusted signal prices (every third name splits 2:1 or pays a dividend mid-run) and its raw prices. */
function withActions(panel: Panel): Panel {
  const { nInst, nDays } = panel;
  const factor = new Float64Array(nInst * nDays).fill(1);
  const inst: number[] = [];
  const bar: number[] = [];
  const kind: number[] = [];
  const value: number[] = [];
  for (let s = 0; s < nInst; s += 3) {
    const split = s % 2 === 0;
    const at = 120 + ((s * 7) % 100);
    inst.push(s);
    bar.push(at);
    kind.push(split ? 0 : 1);
    value.push(split ? 2 : 0.4);
    if (split) for (let i = 0; i < at; i++) factor[s * nDays + i] = 0.5;
  }
  const order = bar.map((_, k) => k).sort((a, b) => bar[a] - bar[b] || inst[a] - inst[b]);
  const raw = (a: Float64Array) => a.map((x, at) => x / factor[at]);
  return {
    ...panel,
    priceFactor: factor,
    raw: { open: raw(panel.open), high: raw(panel.high), low: raw(panel.low), close: raw(panel.close) },
    actions: {
      inst: Int32Array.from(order.map((k) => inst[k])),
      bar: Int32Array.from(order.map((k) => bar[k])),
      kind: Uint8Array.from(order.map((k) => kind[k])),
      value: Float64Array.from(order.map((k) => value[k])),
    },
    fingerprint: 'test-fixture-actions',
  };
}

/** Limit and stop entries that rest for bars, market entries with a stop, flat targets: every kind of decision. */
const orders: SingleStrategy<unknown, { n: number }> = {
  ...(getStrategy('ema-cross') as SingleStrategy<unknown, { n: number }>),
  name: 'orders',
  init: () => ({ n: 0 }),
  onBar(s, bar) {
    const r = ++s.n % 17;
    if (r === 2) return { target: 1, type: 'limit', price: bar.close * 0.985, stopLoss: bar.close * 0.95 };
    if (r === 7) return { target: 1, takeProfit: bar.close * 1.05 };
    if (r === 11) return { target: -1, type: 'stop', price: bar.low * 0.99, trailingStop: 0.05 };
    if (r === 15) return 0;
    return null;
  },
};
declareNamesIndependent(orders);

describe('the multi-symbol loop against the plain bar loop', () => {
  // Missing bars, late listings and early ends (delistings), adjusted prices with splits and dividends.
  const panels: [string, Panel][] = [
    ['gaps', widePanel()],
    ['actions', withActions(widePanel())],
  ];
  const strategies: [string, SingleStrategy<unknown, unknown>, object][] = [
    ['ema-cross', getStrategy('ema-cross') as SingleStrategy<unknown, unknown>, { fast: 5, slow: 20 }],
    ['orders', orders as SingleStrategy<unknown, unknown>, {}],
  ];
  it.each(panels.flatMap(([p, panel]) => strategies.map(([n, st, params]) => [p, n, panel, st, params] as const)))(
    '%s, %s: same trades, equity and open positions',
    (_, name, panel, strategy, params) => {
      for (const extra of [
        {},
        { fill: 'close' },
        { sizing: 'all-in', direction: 'long-short', exits: { trailingStop: { pct: 3 } } },
        { sizing: { method: 'volatility-target', targetVol: 0.2, lookback: 10 }, wholeUnits: true },
      ]) {
        const p = parseSpec({
          strategy: 'ema-cross',
          params,
          universe: 'all',
          sizing: 'equal-weight',
          direction: 'long-only',
          commission: { rate: 0.001, fixed: 1 },
          slippageBps: 3,
          ...extra,
        });
        if (!p.ok) throw new Error(p.errors.join('; '));
        const engine = runBacktest(p.spec, panel, { strategy });
        const plain = plainLoop(p.spec, panel, strategy);
        expect(engine.trades.length, `${name} ${JSON.stringify(extra)}`).toBeGreaterThan(20);
        expect(engine.trades).toEqual(plain.trades);
        expect(Array.from(engine.equity.value)).toEqual(plain.equity);
        expect(engine.openPositions).toEqual(plain.open);
      }
    },
  );
});
