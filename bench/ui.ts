/**
 * UI hot paths under Node (the renderer's pure modules): folding a 1,000 ticks/s live feed into the
 * store once per frame instead of once per push, and turning 20 years of daily bars into chart data.
 */
import type { Events } from '../core/contract';
import { alignToBars } from '../renderer/src/charts/align';
import { toCandles, toVolume, type OhlcvColumns } from '../renderer/src/charts/adapters';
import { createFrameBatcher } from '../renderer/src/lib/batch';
import { applyTickBatches, type TickFold } from '../renderer/src/stores/live-fold';
import { deskPage } from './desk';
import { measure, printTable, type BenchTable } from './harness';

type Ticked = Events['live:ticked'];

const SYMBOLS = Array.from({ length: 50 }, (_, i) => `S${i}`);

function feed(n: number): Ticked[] {
  const out: Ticked[] = [];
  for (let i = 0; i < n; i++) {
    const symbol = SYMBOLS[i % SYMBOLS.length];
    out.push({ at: i, count: 1, prices: [{ symbol, time: i, price: 100 + (i % 17) }], account: { cash: 1e5, equity: 1e5 + i, grossExposure: 0, dayStartEquity: 1e5, realized: 0, unrealized: 0 } });
  }
  return out;
}

const EMPTY: TickFold = { ticks: 0, latencyMs: null, watch: new Map(), account: null, equity: { time: [], value: [] } };

function bars(n: number): OhlcvColumns {
  const c = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const p = 100 + Math.sin(i / 50) * 10;
    c.time[i] = Date.UTC(2006, 0, 2) + i * 86_400_000;
    c.open[i] = p;
    c.high[i] = p + 1;
    c.low[i] = p - 1;
    c.close[i] = p + 0.5;
    c.volume[i] = 1e6;
  }
  return c;
}

export async function run(): Promise<BenchTable[]> {
  // One second of a 1,000 ticks/s feed = 1,000 pushes. Per push: a state update (and a React render) each.
  // Per frame: the pushes of ~16 ms (17 at 60 fps) folded in one update; over a second, 60 updates.
  const pushes = feed(1000);
  const perPush = await measure(
    () => {
      let s = EMPTY;
      for (const b of pushes) s = applyTickBatches(s, [b], 0);
      return s;
    },
    { runs: 20, warmup: 3 },
  );
  const perFrame = await measure(
    () => {
      let s = EMPTY;
      const frames: (() => void)[] = [];
      const batcher = createFrameBatcher<Ticked>((items) => (s = applyTickBatches(s, items, 0)), (cb) => frames.push(cb));
      for (let i = 0; i < pushes.length; i++) {
        batcher.push(pushes[i]);
        if (i % 17 === 16) frames.splice(0).forEach((f) => f());
      }
      frames.splice(0).forEach((f) => f());
      return s;
    },
    { runs: 20, warmup: 3 },
  );
  const t1 = printTable('Live: one second of a 1,000 ticks/s feed, 50 symbols (state updates)', [
    { name: 'one update per push (1,000 updates)', baseline: true, ...perPush },
    { name: 'batched per frame (60 updates)', ...perFrame, note: 'renders drop from 1,000 to 60 per second' },
  ]);

  const n = 5040; // 20 years of trading days
  const cols = bars(n);
  const naive = await measure(
    () =>
      Array.from(cols.time).map((t, i) => ({
        time: Math.floor(new Date(t).getTime() / 1000),
        open: cols.open[i],
        high: cols.high[i],
        low: cols.low[i],
        close: cols.close[i],
      })),
    { runs: 30, warmup: 3 },
  );
  const adapters = await measure(() => [toCandles(cols), toVolume(cols, '#0f0', '#f00')], { runs: 30, warmup: 3 });
  const indTime = Array.from(cols.time).slice(19);
  const indValues = indTime.map((_, i) => (i < 5 ? null : i));
  const align = await measure(() => alignToBars(cols.time, indTime, indValues), { runs: 30, warmup: 3 });
  const t2 = printTable(`Chart: ${n} daily bars (20 years) to chart data`, [
    { name: 'naive Array.from().map with Date objects (candles only)', baseline: true, ...naive },
    { name: 'adapters: candles + volume', ...adapters },
    { name: 'align one indicator output to the bars', ...align },
  ]);
  const t3 = await deskPage();
  return t3 ? [t1, t2, t3] : [t1, t2];
}
