/**
 * The multi-symbol engine loop (issue #14): built-in single-symbol strategies on `universe: "all"` with
 * equal-weight sizing over a wide synthetic panel, in ns per symbol-bar, against the single-symbol fast
 * path's ns per bar for the same strategy in the same run (baseline).
 */
import { runBacktest } from '../core/backtest/engine';
import { parseSpec } from '../core/backtest/spec';
import type { Panel } from '../core/data/panel-types';
import { getStrategy } from '../core/strategies';
import { printTable, type BenchRow, type BenchTable, type Timing } from './harness';

const DAY = 86_400_000;
const T0 = Date.UTC(2000, 0, 3);

/** A seeded panel of `nInst` random walks × `nDays` daily bars, OHLC consistent. */
export function widePanel(nInst: number, nDays: number): Panel {
  let seed = 7;
  const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const n = nInst * nDays;
  const o = new Float64Array(n);
  const h = new Float64Array(n);
  const l = new Float64Array(n);
  const c = new Float64Array(n);
  for (let s = 0; s < nInst; s++) {
    let p = 20 + 100 * rnd();
    for (let i = 0; i < nDays; i++) {
      const at = s * nDays + i;
      o[at] = Math.round(p * (1 + (rnd() - 0.5) * 0.004) * 100) / 100;
      c[at] = Math.round(o[at] * (1 + (rnd() - 0.5) * 0.04) * 100) / 100;
      h[at] = Math.round(Math.max(o[at], c[at]) * (1 + rnd() * 0.01) * 100) / 100;
      l[at] = Math.round(Math.min(o[at], c[at]) * (1 - rnd() * 0.01) * 100) / 100;
      p = Math.max(5, c[at]);
    }
  }
  return {
    symbols: Array.from({ length: nInst }, (_, s) => `S${s}`),
    sectors: new Array(nInst).fill(''),
    time: Float64Array.from({ length: nDays }, (_, i) => T0 + i * DAY),
    nInst,
    nDays,
    open: o,
    high: h,
    low: l,
    close: c,
    volume: new Float64Array(n).fill(1000),
    listedOn: new Float64Array(nInst).fill(Number.NaN),
    delistedOn: new Float64Array(nInst).fill(Number.NaN),
    adjustment: 'raw',
    fingerprint: `wide-${nInst}x${nDays}`,
  };
}

const CASES: readonly { strategy: string; params: Record<string, number> }[] = [
  { strategy: 'ema-cross', params: { fast: 10, slow: 30 } },
  { strategy: 'sma-cross', params: { fast: 10, slow: 30 } },
  { strategy: 'rsi-reversion', params: {} },
];

/** Runs the table: per strategy, the single-symbol path (baseline) and the 500-name loop, in ns per (symbol-)bar. */
export async function multiSymbol(nInst = 500, nDays = 2520): Promise<BenchTable> {
  const wide = widePanel(nInst, nDays);
  // The baseline runs one long series, so the per-run fixed costs (spec, metrics) do not swamp the loop.
  const oneDays = 100_000;
  const one = widePanel(1, oneDays);
  const rows: BenchRow[] = [];
  for (const c of CASES) {
    const strategy = getStrategy(c.strategy);
    if (!strategy) throw new Error(`no strategy ${c.strategy}`);
    const multi = parseSpec({
      strategy: c.strategy,
      params: c.params,
      universe: 'all',
      sizing: 'equal-weight',
      direction: 'long-only',
      commission: { rate: 0.0005 },
    });
    const single = parseSpec({
      strategy: c.strategy,
      params: c.params,
      symbols: ['S0'],
      sizing: 'equal-weight',
      direction: 'long-only',
      commission: { rate: 0.0005 },
    });
    if (!multi.ok || !single.ok) throw new Error('bad spec');
    let trades = 0;
    const t1 = await measureCpu(() => (trades = runBacktest(single.spec, one, { strategy }).trades.length), {
      runs: 15,
      warmup: 3,
    });
    const perBar1 = (t1.median * 1e6) / oneDays;
    rows.push({
      ...scale(t1, 1e6 / oneDays),
      name: `${c.strategy}: 1 symbol × ${oneDays} bars`,
      baseline: c === CASES[0],
      note: `${trades} trades; ns per bar (single-symbol path)`,
    });
    let mTrades = 0;
    const tm = await measureCpu(() => (mTrades = runBacktest(multi.spec, wide, { strategy }).trades.length), {
      runs: 7,
      warmup: 2,
    });
    const perSymBar = (tm.median * 1e6) / (nInst * nDays);
    rows.push({
      ...scale(tm, 1e6 / (nInst * nDays)),
      name: `${c.strategy}: ${nInst} symbols × ${nDays} bars, universe all, equal-weight`,
      note: `${mTrades} trades; ns per symbol-bar (target <= 60; the panel is reused, so indicators replay from the memo), ${(perSymBar / perBar1).toFixed(2)}× this strategy's single-symbol path`,
    });
  }
  return printTable(
    `Multi-symbol engine loop (issue #14): figures in ns of CPU time per symbol-bar, not ms (medians of process CPU time; ratio against ema-cross on the single-symbol path, same run)`,
    rows,
  );
}

/**
 * `measure` in process CPU time (user + system) rather than wall time: on a machine shared by many
 * processes a wall-clock median mostly measures the wait for a core.
 */
async function measureCpu(fn: () => unknown, opts: { runs: number; warmup: number }): Promise<Timing> {
  for (let i = 0; i < opts.warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < opts.runs; i++) {
    const t0 = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t0);
    times.push((d.user + d.system) / 1000);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.round((times.length - 1) * q)];
  return { median: at(0.5), p10: at(0.1), p90: at(0.9), runs: opts.runs };
}

/** A timing in ms rescaled (e.g. to ns per bar). */
function scale<T extends { median: number; p10: number; p90: number }>(t: T, k: number): T {
  return { ...t, median: t.median * k, p10: t.p10 * k, p90: t.p90 * k };
}
