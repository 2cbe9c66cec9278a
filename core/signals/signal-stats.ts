import type { BarColumns } from '../model/bars';

/** Forward horizons, in bars after the decision bar, that signal analytics reports. */
export const SIGNAL_HORIZONS = [1, 5, 20] as const;

/** How a signal's entry is priced, as in the backtest spec: `next-open` (open of bar i+1) or `close` (close of bar i). */
export type FillConvention = 'next-open' | 'close';

/** One entry signal: the strategy's target turned long (from flat or short) or short (from flat or long). */
export interface SignalEvent {
  /** Bar index of the decision. */
  readonly index: number;
  /** Time of the decision bar (EpochMs). */
  readonly time: number;
  readonly side: 'long' | 'short';
  /** Entry price by the fill convention; NaN when it does not exist (a signal on the last bar with `next-open`). */
  readonly price: number;
}

/** Statistics of forward returns over one horizon. `null` where undefined (no signals, or < 2 for `sharpe`, or zero spread). */
export interface HorizonStats {
  /** Signals with a price `h` bars after the decision. */
  readonly count: number;
  /** Fraction of those with a positive signed return. */
  readonly successRate: number | null;
  /** Mean signed return (fraction): long `exit / entry − 1`, short `−(exit / entry − 1)`. */
  readonly avgReturn: number | null;
  /** mean / sample standard deviation of the signed returns, × √(barsPerYear / h). */
  readonly sharpe: number | null;
}

/** Stats of one horizon, for all entries and by side. */
export interface HorizonReport {
  readonly h: number;
  readonly all: HorizonStats;
  readonly long: HorizonStats;
  readonly short: HorizonStats;
}

/**
 * Entry signals from per-bar decided targets (NaN = no decision, as `stepDecisions` returns): an entry
 * is a decision whose sign differs from the previous decided target's and is not 0. Only decisions at
 * `time >= from` are reported (earlier bars warm the strategy up).
 */
export function signalEvents(
  decisions: Float64Array,
  bars: BarColumns,
  fill: FillConvention,
  from = -Infinity,
): SignalEvent[] {
  const out: SignalEvent[] = [];
  const n = decisions.length;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const d = decisions[i];
    if (Number.isNaN(d)) continue;
    const was = Math.sign(pos);
    const now = Math.sign(d);
    pos = d;
    if (now === 0 || now === was || bars.time[i] < from) continue;
    const price = fill === 'close' ? bars.close[i] : i + 1 < n ? bars.open[i + 1] : Number.NaN;
    out.push({ index: i, time: bars.time[i], side: now > 0 ? 'long' : 'short', price });
  }
  return out;
}

/**
 * Signed forward return of `e` after `h` bars: exit at the close `h` bars after the decision bar
 * (`close[index + h]`), entry at `e.price`. NaN when either price is missing.
 */
export function forwardReturn(e: SignalEvent, bars: BarColumns, h: number): number {
  const j = e.index + h;
  if (j >= bars.close.length || !(e.price > 0)) return Number.NaN;
  const r = bars.close[j] / e.price - 1;
  return e.side === 'long' ? r : -r;
}

/** Running sums for one horizon and side; merged across symbols for the totals. */
export class ReturnAccumulator {
  count = 0;
  wins = 0;
  sum = 0;
  sumSq = 0;
  /** Adds one signed return (NaN ignored). */
  add(r: number): void {
    if (Number.isNaN(r)) return;
    this.count++;
    if (r > 0) this.wins++;
    this.sum += r;
    this.sumSq += r * r;
  }
  /** Adds another accumulator's sums. */
  merge(o: ReturnAccumulator): void {
    this.count += o.count;
    this.wins += o.wins;
    this.sum += o.sum;
    this.sumSq += o.sumSq;
  }
  /** The statistics, annualising the Sharpe ratio by √(barsPerYear / h). */
  stats(h: number, barsPerYear: number): HorizonStats {
    const n = this.count;
    if (n === 0) return { count: 0, successRate: null, avgReturn: null, sharpe: null };
    const mean = this.sum / n;
    const variance = n > 1 ? Math.max(0, (this.sumSq - n * mean * mean) / (n - 1)) : 0;
    const sd = Math.sqrt(variance);
    const sharpe = n > 1 && sd > 1e-15 ? (mean / sd) * Math.sqrt(barsPerYear / h) : null;
    return { count: n, successRate: this.wins / n, avgReturn: mean, sharpe };
  }
}

/** Per-horizon accumulators for all / long / short. */
export interface HorizonAccumulators {
  readonly h: number;
  readonly all: ReturnAccumulator;
  readonly long: ReturnAccumulator;
  readonly short: ReturnAccumulator;
}

/** Fresh accumulators for `horizons`. */
export function newAccumulators(horizons: readonly number[]): HorizonAccumulators[] {
  return horizons.map((h) => ({
    h,
    all: new ReturnAccumulator(),
    long: new ReturnAccumulator(),
    short: new ReturnAccumulator(),
  }));
}

/** Adds every event's forward return at each horizon. */
export function accumulate(
  acc: readonly HorizonAccumulators[],
  events: readonly SignalEvent[],
  bars: BarColumns,
): void {
  for (const a of acc) {
    for (const e of events) {
      const r = forwardReturn(e, bars, a.h);
      a.all.add(r);
      (e.side === 'long' ? a.long : a.short).add(r);
    }
  }
}

/** The report of accumulators. */
export function report(acc: readonly HorizonAccumulators[], barsPerYear: number): HorizonReport[] {
  return acc.map((a) => ({
    h: a.h,
    all: a.all.stats(a.h, barsPerYear),
    long: a.long.stats(a.h, barsPerYear),
    short: a.short.stats(a.h, barsPerYear),
  }));
}
