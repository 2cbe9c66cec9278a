import type { BacktestMetrics, RunSummaryView } from '../../../core/contract';

/**
 * Which way is better for each metric when runs are compared: `higher`, `lower`, or `none` (a fact, not a
 * score: exposure, trades, beta, turnover). Drawdown is ranked by its size (|maxDrawdown|, smaller is
 * better), whatever its sign; VaR and CVaR are losses as negative returns, so higher (less negative) is better.
 */
export const METRIC_SENSE: Readonly<Partial<Record<keyof BacktestMetrics, 'higher' | 'lower' | 'none'>>> = {
  totalReturn: 'higher',
  cagr: 'higher',
  sharpe: 'higher',
  sortino: 'higher',
  calmar: 'higher',
  maxDrawdown: 'lower',
  winRate: 'higher',
  profitFactor: 'higher',
  trades: 'none',
  exposure: 'none',
  turnover: 'none',
  volatility: 'lower',
  maxDrawdownDuration: 'lower',
  var95: 'higher',
  cvar95: 'higher',
  alpha: 'higher',
  beta: 'none',
  informationRatio: 'higher',
  finalEquity: 'higher',
};

/** Per run, `best` / `worst` / '' for one metric across the compared runs (ties share; fewer than two values: none). */
export function rankMarks(
  key: keyof BacktestMetrics,
  values: readonly (number | null | undefined)[],
): ('best' | 'worst' | '')[] {
  const sense = METRIC_SENSE[key] ?? 'none';
  const score = (v: number | null | undefined) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return null;
    const x = key === 'maxDrawdown' ? Math.abs(v) : v;
    return sense === 'lower' ? -x : x;
  };
  const scores = values.map(score);
  const known = scores.filter((s): s is number => s !== null);
  if (sense === 'none' || known.length < 2) return values.map(() => '');
  const hi = Math.max(...known);
  const lo = Math.min(...known);
  if (hi === lo) return values.map(() => '');
  return scores.map((s) => (s === hi ? 'best' : s === lo ? 'worst' : ''));
}

/** Equity rebased so its first finite value is 100. */
export function normaliseTo100(values: Float64Array): Float64Array {
  let base = Number.NaN;
  for (const v of values) {
    if (Number.isFinite(v) && v !== 0) {
      base = v;
      break;
    }
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] / base) * 100;
  return out;
}

/** `fast=10 slow=40`; objects and lists as compact JSON. */
export function paramsText(params: Readonly<Record<string, unknown>> | undefined): string {
  if (!params) return '';
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ');
}

/**
 * Runs matching a search: every word must appear (case-insensitive) in the run's id, name, tags, note,
 * strategy, symbols/universe or params; `tag:x`, `symbol:x`, `strategy:x` match that column exactly.
 */
export function filterRuns<T extends RunSummaryView>(runs: readonly T[], query: string): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...runs];
  return runs.filter((r) => {
    const hay = [
      r.id,
      r.name ?? '',
      (r.tags ?? []).join(' '),
      r.note ?? '',
      r.strategy,
      (r.symbols ?? []).join(' '),
      r.universe ?? '',
      paramsText(r.params),
    ]
      .join(' ')
      .toLowerCase();
    return words.every((w) => {
      const m = /^(tag|symbol|strategy):(.+)$/.exec(w);
      if (!m) return hay.includes(w);
      const [, col, v] = m;
      if (col === 'tag') return (r.tags ?? []).some((t) => t.toLowerCase() === v);
      if (col === 'symbol') return (r.symbols ?? []).some((s) => s.toLowerCase() === v);
      return r.strategy.toLowerCase() === v;
    });
  });
}

/** Colours of the compared runs, in order (A blue, B amber, C violet, D teal). */
export const COMPARE_COLORS = ['#2f81f7', '#f0a500', '#a371f7', '#26a69a'] as const;
/** At most this many runs side by side. */
export const MAX_COMPARE = 4;
