/**
 * Live-path benchmark: ticks through aggregation (1m bars) → 100 symbols × `triple-confirmation`
 * (3 streaming indicators: SMA, RSI, volume SMA) → signals → paper broker → SQLite journal (file, WAL,
 * synchronous NORMAL; every signal also journaled as a `signal` alert), with the aggregation alone as the baseline row. Also tick-to-signal latency with
 * one tick per committed transaction. Prints; never asserts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSpec } from '../core/backtest/spec';
import { BarAggregator } from '../core/live/aggregator';
import { LiveSession } from '../core/live/session';
import type { Tick } from '../core/live/types';
import { openStore } from '../core/store/sqlite-bar-store';
import { getStrategy } from '../core/strategies';
import { rng } from '../core/strategies/fixtures';
import type { SingleStrategy } from '../core/strategy/types';
import { deskHost } from './desk';
import { measure, printTable, type BenchRow, type BenchTable } from './harness';
import { connection } from '../core/store/internal';

const SYMBOLS = Array.from({ length: 100 }, (_, i) => `S${String(i).padStart(3, '0')}`);
const TICKS = 200_000;
const T0 = Date.UTC(2024, 0, 2, 14, 30);

/** Round-robin ticks over the symbols, ~10 per symbol per minute, random-walk prices with trending regimes. */
function makeTicks(n: number): Tick[] {
  const r = rng(7);
  const price = SYMBOLS.map(() => 100);
  const drift = SYMBOLS.map(() => 0);
  const out: Tick[] = new Array(n);
  const perSymbolStep = 6_000; // ms between two ticks of one symbol
  for (let i = 0; i < n; i++) {
    const s = i % SYMBOLS.length;
    const k = Math.floor(i / SYMBOLS.length);
    if (k % 200 === 0) drift[s] = (r() - 0.5) * 0.002;
    price[s] *= 1 + drift[s] + (r() - 0.5) * 0.004;
    out[i] = { symbol: SYMBOLS[s], time: T0 + k * perSymbolStep + s, price: price[s], size: 1 + Math.floor(r() * 100) };
  }
  return out;
}

function newSession(dir: string, name: string) {
  const store = openStore(join(dir, `${name}.db`));
  const p = parseSpec({
    strategy: 'triple-confirmation',
    symbols: SYMBOLS,
    params: { maPeriod: 10, rsiPeriod: 5, volumePeriod: 5 },
    sizing: { method: 'fixed-qty', qty: 10 },
    commission: { rate: 0.0005, fixed: 0 },
    slippageBps: 2,
  });
  if (!p.ok) throw new Error(p.errors.join('; '));
  const strategy = getStrategy('triple-confirmation') as SingleStrategy;
  const session = new LiveSession({
    store,
    session: name,
    spec: p.spec,
    strategy,
    params: strategy.params.parse(p.spec.params),
    symbols: SYMBOLS,
    interval: '1m',
    emit: () => {},
  });
  return { store, session };
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))];
}

/** Runs the live benchmarks and prints their tables. */
export async function run(): Promise<BenchTable[]> {
  const ticks = makeTicks(TICKS);
  const dir = mkdtempSync(join(tmpdir(), 'qd-bench-live-'));
  const rows: BenchRow[] = [];
  let fills = 0;
  let signals = 0;
  let signalAlerts = 0;
  try {
    const agg = await measure(
      () => {
        const a = new BarAggregator({ intervals: ['1m'] }, { onBar: () => {} });
        for (let i = 0; i < ticks.length; i++) a.push(ticks[i].symbol, ticks[i].time, ticks[i].price, ticks[i].size);
      },
      { runs: 5 },
    );
    rows.push({
      name: `aggregation only, ${TICKS / 1000}k ticks`,
      baseline: true,
      ...agg,
      note: `${Math.round(TICKS / (agg.median / 1000)).toLocaleString('en')} ticks/s`,
    });

    for (const batch of [1_000, 100]) {
      let n = 0;
      const full = await measure(
        () => {
          const { store, session } = newSession(dir, `b${batch}-${n++}`);
          for (let i = 0; i < ticks.length; i += batch) session.ticks(ticks.slice(i, i + batch));
          fills = session.fills.length;
          signals = session.signals.length;
          signalAlerts = connection(store)
            .prepare("SELECT count(*) FROM alerts WHERE kind = 'signal'")
            .pluck()
            .get() as number;
          store.close();
        },
        { runs: 3 },
      );
      rows.push({
        name: `full path, ${batch} ticks/transaction`,
        ...full,
        note: `${Math.round(TICKS / (full.median / 1000)).toLocaleString('en')} ticks/s (target >= 100,000); ${signals} signals (${signalAlerts} signal alerts), ${fills} fills journaled`,
      });
    }

    // Latency: one tick per committed transaction; time every tick, and separately the ticks that fired a signal.
    const { store, session } = newSession(dir, 'latency');
    const n = ticks.length;
    const all = new Float64Array(n);
    const sig: number[] = [];
    for (let i = 0; i < n; i++) {
      const before = session.signals.length;
      const t0 = performance.now();
      session.ticks([ticks[i]]);
      const dt = performance.now() - t0;
      all[i] = dt;
      if (session.signals.length !== before) sig.push(dt);
    }
    store.close();
    all.sort();
    const s = Float64Array.from(sig).sort();
    const row = (name: string, x: Float64Array, note: string): BenchRow => ({
      name,
      median: quantile(x, 0.5),
      p10: quantile(x, 0.1),
      p90: quantile(x, 0.9),
      runs: x.length,
      note,
    });
    rows.push(row('tick latency, every tick (1 tick/transaction)', all, `p99 ${quantile(all, 0.99).toFixed(4)} ms`));
    rows.push(
      row(
        'tick-to-signal latency (ticks that fired a signal)',
        s,
        `p99 ${quantile(s, 0.99).toFixed(4)} ms (target < 1 ms)`,
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return [
    printTable(
      `live path: ${SYMBOLS.length} symbols x triple-confirmation (SMA, RSI, volume SMA), paper broker, SQLite journal`,
      rows,
    ),
    await deskHost(),
  ];
}
