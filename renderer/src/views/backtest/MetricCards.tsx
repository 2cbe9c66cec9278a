import type { BacktestMetrics as Metrics } from '../../../../core/contract';
import { fmtInt, fmtNum, fmtPct, signClass } from '../../lib/format';

type Key = keyof Metrics;

/** The cards shown for a run, in reading order, with their formatting. */
export const METRIC_CARDS: readonly {
  key: Key;
  label: string;
  fmt: (v: number | null) => string;
  signed?: boolean;
  title?: string;
}[] = [
  { key: 'totalReturn', label: 'Return', fmt: (v) => fmtPct(v, 2, true), signed: true },
  { key: 'cagr', label: 'CAGR', fmt: (v) => fmtPct(v, 2, true), signed: true },
  { key: 'sharpe', label: 'Sharpe', fmt: (v) => fmtNum(v, 2), signed: true },
  { key: 'sortino', label: 'Sortino', fmt: (v) => fmtNum(v, 2), signed: true },
  { key: 'calmar', label: 'Calmar', fmt: (v) => fmtNum(v, 2), signed: true },
  { key: 'maxDrawdown', label: 'Max DD', fmt: (v) => fmtPct(v === null ? null : -Math.abs(v), 2) },
  { key: 'winRate', label: 'Win rate', fmt: (v) => fmtPct(v, 1) },
  { key: 'profitFactor', label: 'Profit factor', fmt: (v) => fmtNum(v, 2) },
  { key: 'trades', label: 'Trades', fmt: (v) => fmtInt(v) },
  { key: 'exposure', label: 'Exposure', fmt: (v) => fmtPct(v, 1) },
  { key: 'turnover', label: 'Turnover', fmt: (v) => fmtNum(v, 2) },
  { key: 'volatility', label: 'Volatility', fmt: (v) => fmtPct(v, 1) },
  {
    key: 'maxDrawdownDuration',
    label: 'Max DD duration',
    fmt: (v) => (v === null ? '—' : `${fmtInt(v)} bars`),
    title: 'Longest stretch below a previous equity peak, in bars',
  },
  {
    key: 'var95',
    label: 'VaR 95%',
    fmt: (v) => fmtPct(v, 2),
    title: 'One-bar 95% value at risk: the 5% quantile of bar returns',
  },
  {
    key: 'cvar95',
    label: 'CVaR 95%',
    fmt: (v) => fmtPct(v, 2),
    title: 'Expected shortfall: the mean bar return at or below the VaR',
  },
  {
    key: 'alpha',
    label: 'Alpha',
    fmt: (v) => fmtPct(v, 2, true),
    signed: true,
    title: 'Annualised intercept of returns on the benchmark’s (needs a benchmark)',
  },
  {
    key: 'beta',
    label: 'Beta',
    fmt: (v) => fmtNum(v, 2),
    title: 'Slope of returns on the benchmark’s (needs a benchmark)',
  },
  {
    key: 'informationRatio',
    label: 'Info ratio',
    fmt: (v) => fmtNum(v, 2),
    signed: true,
    title: 'Annualised active return over tracking error against the benchmark (needs a benchmark)',
  },
];

/** Metric cards of a run; each card carries `data-metric` and its raw value for tests and tooling. */
export function MetricCards({ metrics }: { metrics: Metrics }) {
  return (
    <div className="cards" data-testid="metric-cards">
      {METRIC_CARDS.map((c) => {
        const v = (metrics[c.key] ?? null) as number | null;
        return (
          <div key={c.key} className="card" data-metric={c.key} data-value={v ?? ''} title={c.title}>
            <div className="label">{c.label}</div>
            <div className={`value ${c.signed ? signClass(v) : c.key === 'maxDrawdown' ? 'neg' : ''}`}>{c.fmt(v)}</div>
          </div>
        );
      })}
    </div>
  );
}
