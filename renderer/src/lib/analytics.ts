/**
 * Portfolio analytics of a run, computed in the renderer from what the run stores (equity, trades) and
 * the benchmark's and traded names' bars: rolling Sharpe / volatility / beta, tracking error, holdings and
 * sector exposure over time, turnover per month, per-trade MAE/MFE, distributions, and the equity CSV.
 */

import { returnsOf } from '../../../core/model/portfolio-stats';

// The rolling statistics and histograms are in core (the HTML tear sheet draws them too).
export { histogram, returnsOf, rollingStats, type Rolling } from '../../../core/model/portfolio-stats';

const DAY = 86_400_000;

/**
 * The benchmark's close at each of `time`: the last benchmark bar at or before it, at most `maxGapDays`
 * old (NaN otherwise), so a benchmark whose data ends does not run flat.
 */
export function alignCloses(
  time: ArrayLike<number>,
  bTime: ArrayLike<number>,
  bClose: ArrayLike<number>,
  maxGapDays = 7,
): Float64Array {
  const out = new Float64Array(time.length).fill(Number.NaN);
  let j = -1;
  for (let i = 0; i < time.length; i++) {
    while (j + 1 < bTime.length && bTime[j + 1] <= time[i]) j++;
    if (j >= 0 && time[i] - bTime[j] <= maxGapDays * DAY) out[i] = bClose[j];
  }
  return out;
}

/** Annualised tracking error: sample std of (run − benchmark) returns on bars where both exist. Null with < 2 such bars. */
export function trackingError(equity: ArrayLike<number>, bench: ArrayLike<number>, barsPerYear = 252): number | null {
  const r = returnsOf(equity);
  const b = returnsOf(bench);
  let s = 0;
  let ss = 0;
  let k = 0;
  for (let i = 1; i < r.length; i++) {
    const d = r[i] - b[i];
    if (!Number.isFinite(d)) continue;
    s += d;
    ss += d * d;
    k++;
  }
  if (k < 2) return null;
  const m = s / k;
  return Math.sqrt(Math.max(0, (ss - k * m * m) / (k - 1)) * barsPerYear);
}

/** A held interval: entry and exit (ms; exit Infinity for a position still open) and its value at entry. */
export interface Holding {
  readonly symbol: string;
  readonly entryMs: number;
  readonly exitMs: number;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryPrice: number;
}

/**
 * Per bar of `time`: the number of names held (a name counts once however many lots) and the gross
 * exposure per sector as a fraction of equity, each holding valued at its entry (qty × entry price):
 * the run stores no per-bar marks per name, so this is exposure at cost, and says so in the view.
 * A holding counts on the bars from its entry up to, not including, its exit.
 */
export function holdingsOverTime(
  time: ArrayLike<number>,
  equity: ArrayLike<number>,
  holdings: readonly Holding[],
  sectorOf: (symbol: string) => string,
): { count: Float64Array; sectors: Map<string, Float64Array> } {
  const n = time.length;
  const count = new Float64Array(n);
  const sectors = new Map<string, Float64Array>();
  const names: Set<string>[] = Array.from({ length: n }, () => new Set<string>());
  const lowerBound = (t: number) => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (time[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  for (const h of holdings) {
    const a = lowerBound(h.entryMs);
    const z = h.exitMs === Infinity ? n : lowerBound(h.exitMs);
    const sector = sectorOf(h.symbol) || 'unknown';
    let col = sectors.get(sector);
    if (!col) sectors.set(sector, (col = new Float64Array(n)));
    const value = Math.abs(h.qty * h.entryPrice);
    for (let i = a; i < z; i++) {
      names[i].add(h.symbol);
      col[i] += equity[i] > 0 ? value / equity[i] : 0;
    }
  }
  for (let i = 0; i < n; i++) count[i] = names[i].size;
  return { count, sectors };
}

/** One month's turnover: value traded (entries and exits at their prices) over the month's mean equity. */
export interface TurnoverRow {
  readonly month: string;
  readonly traded: number;
  readonly meanEquity: number;
  readonly turnover: number;
}

const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

/** Turnover per calendar month (UTC), months with equity only, in time order. */
export function turnoverByMonth(
  time: ArrayLike<number>,
  equity: ArrayLike<number>,
  trades: readonly { entryMs: number; exitMs: number; qty: number; entryPrice: number; exitPrice: number }[],
): TurnoverRow[] {
  const eq = new Map<string, { sum: number; n: number }>();
  for (let i = 0; i < time.length; i++) {
    const m = monthOf(time[i]);
    const e = eq.get(m) ?? { sum: 0, n: 0 };
    e.sum += equity[i];
    e.n++;
    eq.set(m, e);
  }
  const traded = new Map<string, number>();
  const add = (ms: number, v: number) => {
    const m = monthOf(ms);
    traded.set(m, (traded.get(m) ?? 0) + v);
  };
  for (const t of trades) {
    add(t.entryMs, Math.abs(t.qty * t.entryPrice));
    add(t.exitMs, Math.abs(t.qty * t.exitPrice));
  }
  return [...eq.entries()].map(([month, e]) => {
    const mean = e.sum / e.n;
    const v = traded.get(month) ?? 0;
    return { month, traded: v, meanEquity: mean, turnover: mean > 0 ? v / mean : 0 };
  });
}

/**
 * Maximum adverse and favourable excursion of a trade, as returns from its entry price: over the bars from
 * the entry bar through the exit bar, the worst and best the position saw (lows and highs for a long,
 * highs and lows for a short). MAE ≤ 0 ≤ MFE (the entry price itself bounds both). NaN without bars.
 */
export function excursion(
  t: { side: 'long' | 'short'; entryMs: number; exitMs: number; entryPrice: number },
  bars: { time: ArrayLike<number>; high: ArrayLike<number>; low: ArrayLike<number> },
): { mae: number; mfe: number } {
  let hi = -Infinity;
  let lo = Infinity;
  for (let i = 0; i < bars.time.length; i++) {
    const tm = bars.time[i];
    if (tm < t.entryMs) continue;
    if (tm > t.exitMs) break;
    if (bars.high[i] > hi) hi = bars.high[i];
    if (bars.low[i] < lo) lo = bars.low[i];
  }
  if (hi === -Infinity) return { mae: Number.NaN, mfe: Number.NaN };
  const e = t.entryPrice;
  if (t.side === 'long') return { mae: Math.min(0, lo / e - 1), mfe: Math.max(0, hi / e - 1) };
  return { mae: Math.min(0, 1 - hi / e), mfe: Math.max(0, 1 - lo / e) };
}

/** The equity curve as CSV: date, equity, drawdown, and the benchmark rebased to the capital when given. */
export function equityCsv(
  time: ArrayLike<number>,
  equity: ArrayLike<number>,
  bench: ArrayLike<number> | null,
  capital: number,
): string {
  let peak = -Infinity;
  let base = Number.NaN;
  if (bench) for (let i = 0; i < bench.length && !(base > 0); i++) base = bench[i];
  const lines = [bench ? 'date,equity,drawdown,benchmark' : 'date,equity,drawdown'];
  for (let i = 0; i < time.length; i++) {
    peak = Math.max(peak, equity[i]);
    const dd = peak > 0 ? equity[i] / peak - 1 : 0;
    const row = [new Date(time[i]).toISOString().slice(0, 10), String(equity[i]), dd.toFixed(8)];
    if (bench) row.push(Number.isFinite(bench[i]) && base > 0 ? String((bench[i] / base) * capital) : '');
    lines.push(row.join(','));
  }
  return lines.join('\n') + '\n';
}
