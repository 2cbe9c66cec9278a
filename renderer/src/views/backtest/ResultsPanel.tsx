import { useEffect, useMemo, useState } from 'react';
import type { RunModel as BacktestResult } from '../../stores/run-model';
import { TimeSeriesChart, type TimeSeries } from '../../charts/TimeSeriesChart';
import { MonthlyReturns } from '../../components/MonthlyReturns';
import { fmtCompact, fmtDate, fmtMoney, fmtPct } from '../../lib/format';
import { activeStart, monthlyReturns, rebase, underwater } from '../../lib/series-math';
import { openTrade } from '../../stores/backtest-store';
import { AnalyticsPanel } from './AnalyticsPanel';
import { MetricCards } from './MetricCards';
import { TradeList } from './TradeList';

const pct = (v: number) => fmtPct(v, 2);

/**
 * True once the browser has painted since `key` last changed. The analytics (six more charts and their
 * rolling statistics, mostly below the fold) mount after the headline results are on screen, instead of
 * holding back the first paint of a large run.
 */
function usePaintedSince(key: unknown): boolean {
  const [painted, setPainted] = useState<unknown>(undefined);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    // The frame callback runs before the paint; the task it queues runs after it.
    const frame = requestAnimationFrame(() => (timer = setTimeout(() => setPainted(() => key), 0)));
    return () => {
      cancelAnimationFrame(frame);
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [key]);
  return painted === key;
}

/** Results of one run: metric cards, equity vs benchmark, underwater, monthly returns, trades. */
export function ResultsPanel({
  result,
  benchmark,
}: {
  result: BacktestResult;
  benchmark: { time: ArrayLike<number>; close: ArrayLike<number> } | null;
}) {
  const { time, value, drawdown } = result.equity;
  const equitySeries = useMemo<TimeSeries[]>(() => {
    const s: TimeSeries[] = [{ label: 'Equity', time, values: value, color: '#2f81f7', width: 2 }];
    if (benchmark && benchmark.time.length > 0)
      s.push({
        label: `Benchmark ${result.spec.benchmark ?? ''}`,
        time: benchmark.time,
        values: rebase(benchmark.close, result.spec.capital ?? value[0]),
        color: '#8a93a6',
        dashed: true,
      });
    return s;
  }, [time, value, benchmark, result.spec]);
  // The core's drawdown column when the run came from the API (NaN where equity is NaN: a gap, not a zero).
  const ddSeries = useMemo<TimeSeries[]>(
    () => [{ label: 'Drawdown', time, values: drawdown ?? underwater(value), color: '#ef5350', kind: 'area' }],
    [time, value, drawdown],
  );
  const months = useMemo(() => {
    const i = activeStart(value);
    return monthlyReturns(time.subarray(i), value.subarray(i));
  }, [time, value]);
  const { spec, metrics } = result;
  const showAnalytics = usePaintedSince(result);
  return (
    <div data-testid="backtest-results" data-run-ready="true">
      <div className="toolbar">
        <b>{spec.strategy}</b>
        <span className="muted mono">{spec.symbols?.join(', ') ?? spec.universe}</span>
        <span className="muted">
          {fmtDate(time[0])} → {fmtDate(time[time.length - 1])}
        </span>
        <span className="muted">capital {fmtMoney(spec.capital)}</span>
        <span className="muted">
          fill {spec.fill} · comm {((spec.commission?.rate ?? 0) * 10_000).toFixed(1)} bps +{' '}
          {spec.commission?.fixed ?? 0} · slip {spec.slippageBps ?? 0} bps
        </span>
        <span className="muted mono">run {result.runId}</span>
        <span className="spacer" />
        <span className="mono">final {fmtMoney(metrics.finalEquity)}</span>
      </div>
      <MetricCards metrics={metrics} />
      <div className="grid-2">
        <div className="panel">
          <div className="panel-title">Equity vs benchmark</div>
          <TimeSeriesChart series={equitySeries} height={240} format={fmtCompact} testId="equity-chart" />
        </div>
        <div className="panel">
          <div className="panel-title">Underwater (drawdown)</div>
          <TimeSeriesChart series={ddSeries} height={240} format={pct} testId="underwater-chart" />
        </div>
      </div>
      <div className="panel">
        <div className="panel-title">Monthly returns</div>
        <div className="panel-body">
          <MonthlyReturns rows={months} />
        </div>
      </div>
      {showAnalytics ? (
        <AnalyticsPanel result={result} benchmark={benchmark} />
      ) : (
        <div className="panel muted" style={{ padding: 12, minHeight: 600 }} data-testid="analytics-pending">
          Analytics…
        </div>
      )}
      <div className="panel">
        <div className="panel-title">
          Trades <span className="muted">{result.trades.length} · click a row to open it on the chart</span>
        </div>
        <TradeList trades={result.trades} onOpen={openTrade} />
      </div>
    </div>
  );
}
