import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { parseSpec, type BacktestSpecInput } from '../backtest/spec';
import { loadPanel } from '../data/panel';
import { formatDate } from '../model/time';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { STRATEGIES } from '../strategies';
import { randomBars } from '../strategies/fixtures';
import { replay } from './replay';
import { connection } from '../store/internal';

const SYMBOLS = ['AAA', 'BBB', 'CCC', 'DDD'];
let store: Store;

/** Random-walk daily bars for four symbols; DDD stops trading early (delisted), BBB starts late. */
beforeAll(async () => {
  store = openStore(':memory:');
  const rows = ['symbol,date,open,high,low,close,volume'];
  SYMBOLS.forEach((s, k) => {
    const b = randomBars(420, 11 + k);
    const first = s === 'BBB' ? 60 : 0;
    const last = s === 'DDD' ? 300 : b.close.length;
    for (let i = first; i < last; i++) {
      rows.push(`${s},${formatDate(b.time[i])},${b.open[i]},${b.high[i]},${b.low[i]},${b.close[i]},${b.volume[i]}`);
    }
  });
  const r = await importCsv(store, 'bars', { fileName: 'bars.csv', content: rows.join('\n') + '\n' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
});
afterAll(() => store.close());

type Exec = [symbol: string, time: string, side: 'buy' | 'sell', price: number, qty: number];

/** The backtest's entries and exits as executions. */
function backtestExecutions(input: BacktestSpecInput): { execs: Exec[]; open: Map<string, number> } {
  const p = parseSpec(input);
  if (!p.ok) throw new Error(p.errors.join('; '));
  const spec = p.spec;
  const strategy = STRATEGIES.find((s) => s.name === spec.strategy)!;
  const panel = loadPanel(store, { symbols: spec.symbols, adjustment: spec.adjustment });
  const res = runBacktest(spec, panel, { strategy });
  const execs: Exec[] = [];
  for (const t of res.trades) {
    execs.push([t.symbol, formatDate(t.entryTime), t.side === 'long' ? 'buy' : 'sell', t.entryPrice, t.qty]);
    execs.push([t.symbol, formatDate(t.exitTime), t.side === 'long' ? 'sell' : 'buy', t.exitPrice, t.qty]);
  }
  const open = new Map<string, number>();
  for (const o of res.openPositions) {
    execs.push([o.symbol, formatDate(o.entryTime), o.side === 'long' ? 'buy' : 'sell', o.entryPrice, o.qty]);
    open.set(o.symbol, o.side === 'long' ? o.qty : -o.qty);
  }
  return { execs: sortExecs(execs), open };
}

function sortExecs(e: Exec[]): Exec[] {
  return e.sort((a, b) =>
    a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : 0,
  );
}

async function liveExecutions(input: BacktestSpecInput) {
  const p = parseSpec(input);
  if (!p.ok) throw new Error(p.errors.join('; '));
  const r = await replay(store, p.spec);
  const execs = sortExecs(r.fills.map((f): Exec => [f.symbol, formatDate(f.time), f.side, f.price, f.qty]));
  return { execs, result: r };
}

const singles = STRATEGIES.filter((s) => s.kind === 'single').map((s) => s.name);

describe('live replay equals the backtest', () => {
  it('has single-symbol strategies to check', () => {
    expect(singles.length).toBeGreaterThanOrEqual(5);
  });

  for (const name of singles) {
    it(`${name}: same entries and exits, at the same times, prices and sizes`, async () => {
      const spec: BacktestSpecInput = {
        strategy: name,
        symbols: SYMBOLS,
        commission: { rate: 0.001, fixed: 1 },
        slippageBps: 5,
        sizing: 'equal-weight',
      };
      const bt = backtestExecutions(spec);
      const live = await liveExecutions(spec);
      expect(bt.execs.length).toBeGreaterThan(0);
      expect(live.execs).toEqual(bt.execs);
      // Signals are the decisions behind them: each execution follows a signal for its symbol.
      expect(live.result.signals.length).toBeGreaterThan(0);
      for (const s of live.result.signals) expect(SYMBOLS).toContain(s.symbol);
      // Each signal is also an alert of kind `signal` (the `alerts` list of `live replay --json`), in the same order.
      const sigAlerts = live.result.alerts.filter((a) => a.kind === 'signal');
      expect(sigAlerts.map((a) => [a.symbol, a.time, a.severity])).toEqual(
        live.result.signals.map((s) => [s.symbol, s.time, 'info']),
      );
      expect(sigAlerts.every((a, i) => a.message.startsWith(`${name} ${live.result.signals[i].side} at `))).toBe(true);
      const livePos = new Map(live.result.positions.filter((q) => q.qty !== 0).map((q) => [q.symbol, q.qty]));
      expect(livePos).toEqual(bt.open);
    });
  }

  const variants: [string, BacktestSpecInput][] = [
    [
      'all-in, long-only, fill at close',
      { strategy: 'sma-cross', symbols: ['AAA', 'CCC'], sizing: 'all-in', direction: 'long-only', fill: 'close' },
    ],
    [
      'volatility-target sizing with a date range',
      { strategy: 'ema-cross', symbols: SYMBOLS, sizing: 'volatility-target', start: '2020-03-01', end: '2020-12-31' },
    ],
    [
      'fixed-fraction, fractional units, close at end',
      {
        strategy: 'donchian-breakout',
        symbols: SYMBOLS,
        sizing: { method: 'fixed-fraction', fraction: 0.3 },
        wholeUnits: false,
        closeAtEnd: true,
      },
    ],
  ];
  for (const [label, spec] of variants) {
    it(`${label}: same executions`, async () => {
      const bt = backtestExecutions(spec);
      const live = await liveExecutions(spec);
      expect(bt.execs.length).toBeGreaterThan(0);
      expect(live.execs).toEqual(bt.execs);
    });
  }

  it('journals every fill of the replay before returning it', async () => {
    const p = parseSpec({ strategy: 'sma-cross', symbols: ['AAA'] });
    if (!p.ok) throw new Error();
    const r = await replay(store, p.spec, { session: 'journal-check' });
    const n = (
      connection(store).prepare("SELECT count(*) n FROM fills WHERE session = 'journal-check'").get() as { n: number }
    ).n;
    expect(n).toBe(r.fills.length);
  });
});
