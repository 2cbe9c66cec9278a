/**
 * The multi-symbol engine loop (issue #14): built-in single-symbol strategies on `universe: "all"` with
 * equal-weight sizing over a wide synthetic panel, in ns per symbol-bar, against the single-symbol fast
 * path's ns per bar for the same strategy in the same run (baseline).
 */
import { runBacktest } from '../core/backtest/engine';
import { parseSpec } from '../core/backtest/spec';
import type { Panel } from '../core/data/panel-types';
import { getStrategy } from '../core/strategies';
import { inFreshProcess, printTable, timingOf, type BenchRow, type BenchTable, type Timing } from './harness';

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

const ONE_DAYS = 100_000;

const CASES: readonly { strategy: string; params: Record<string, number> }[] = [
  { strategy: 'ema-cross', params: { fast: 10, slow: 30 } },
  { strategy: 'sma-cross', params: { fast: 10, slow: 30 } },
  { strategy: 'rsi-reversion', params: {} },
];

/** One case's measured rows: the single-symbol path (ns per bar) and the 500-name loop (ns per symbol-bar). */
interface CaseResult {
  readonly single: Timing;
  readonly singleTrades: number;
  readonly multi: Timing;
  readonly multiTrades: number;
}

/** Measures case `i` of CASES in this process. */
export async function multiSymbolCase(i: number, nInst = 500, nDays = 2520): Promise<CaseResult> {
  const c = CASES[i];
  const wide = widePanel(nInst, nDays);
  // The baseline runs one long series, so the per-run fixed costs (spec, metrics) do not swamp the loop.
  const one = widePanel(1, ONE_DAYS);
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
  let singleTrades = 0;
  const t1 = await measureCpu(() => (singleTrades = runBacktest(single.spec, one, { strategy }).trades.length), {
    runs: 15,
    warmup: 3,
  });
  let multiTrades = 0;
  const tm = await measureCpu(() => (multiTrades = runBacktest(multi.spec, wide, { strategy }).trades.length), {
    runs: 7,
    warmup: 2,
  });
  return {
    single: scale(t1, 1e6 / ONE_DAYS),
    singleTrades,
    multi: scale(tm, 1e6 / (nInst * nDays)),
    multiTrades,
  };
}

/**
 * Case `i` measured in a fresh Node process, as a `quantdesk backtest` or a sweep worker runs one strategy: the
 * JIT's type feedback is this strategy's alone.
 */
function caseInFreshProcess(i: number, nInst: number, nDays: number): CaseResult {
  return inFreshProcess<CaseResult>(module.filename, 'multiSymbolCase', [i, nInst, nDays]);
}

/**
 * Runs the table. Per strategy: the single-symbol path (baseline) and the 500-name loop, each strategy in its own
 * fresh process; then the 500-name loop again in this process, after whatever ran here before (the W1 table and
 * the other strategies), where V8's type feedback is shared by every strategy the engine has run.
 */
export async function multiSymbol(nInst = 500, nDays = 2520): Promise<BenchTable> {
  const rows: BenchRow[] = [];
  const shape = `${nInst} symbols × ${nDays} bars, universe all, equal-weight`;
  const fresh = CASES.map((_, i) => caseInFreshProcess(i, nInst, nDays));
  CASES.forEach((c, i) => {
    const r = fresh[i];
    rows.push({
      ...r.single,
      name: `${c.strategy}: 1 symbol × ${ONE_DAYS} bars, own process`,
      baseline: i === 0,
      note: `${r.singleTrades} trades; ns per bar (single-symbol path)`,
    });
    rows.push({
      ...r.multi,
      name: `${c.strategy}: ${shape}, own process`,
      note: `${r.multiTrades} trades; ns per symbol-bar (target <= 60; the panel is reused, so indicators replay from the memo), ${(r.multi.median / r.single.median).toFixed(2)}× this strategy's single-symbol path`,
    });
  });
  for (let i = 0; i < CASES.length; i++) {
    const r = await multiSymbolCase(i, nInst, nDays);
    if (r.multiTrades !== fresh[i].multiTrades)
      throw new Error(`${CASES[i].strategy}: trades differ between processes`);
    rows.push({
      ...r.multi,
      name: `${CASES[i].strategy}: ${shape}, in the bench process after the tables before it`,
      note: `${r.multiTrades} trades; ns per symbol-bar`,
    });
  }
  return printTable(
    `Multi-symbol engine loop (issue #14): figures in ns of CPU time per symbol-bar, not ms (medians of process CPU time; ratio against ema-cross on the single-symbol path in its own process, same run)`,
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
  return timingOf(times);
}

/** A timing in ms rescaled (e.g. to ns per bar). */
function scale<T extends { median: number; p10: number; p90: number }>(t: T, k: number): T {
  return { ...t, median: t.median * k, p10: t.p10 * k, p90: t.p90 * k };
}
