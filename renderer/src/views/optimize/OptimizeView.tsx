import { useEffect } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ProgressBar } from '../../components/ProgressBar';
import { loadSavedSweeps, openSavedSweep, useOptimizeStore } from '../../stores/optimize-store';
import { useBacktestStore } from '../../stores/backtest-store';
import { useRobustnessStore } from '../../stores/robustness-store';
import { parseDate } from '../../../../core/model/time';
import { RobustnessPanel } from './RobustnessPanel';
import { useInstrumentsStore } from '../../stores/instruments-store';
import { loadStrategies, useStrategiesStore } from '../../stores/strategies-store';
import { SweepForm } from './SweepForm';
import { SweepResults } from './SweepResults';

/** Optimize: parameter sweeps on the pool, heatmap and results; walk-forward and Monte Carlo below. */
export function OptimizeView() {
  const count = useStrategiesStore((s) => s.strategies.length);
  const { running, output, error, axes, saved, shownId } = useOptimizeStore();
  useEffect(() => {
    void loadSavedSweeps();
  }, []);
  const robustError = useRobustnessStore((s) => s.error);
  const result = useBacktestStore((s) => s.result);
  const setup = useBacktestStore((s) => s.setup);
  const instruments = useInstrumentsStore((s) => s.instruments);
  // The fan spans the last run, else the form's dates, else the stored data's first and last dates.
  const t0 =
    result?.equity.time[0] ??
    parseDate(setup.start) ??
    instruments.reduce((m, i) => Math.min(m, i.firstDate ?? m), Date.UTC(2015, 0, 1));
  const t1 = result
    ? result.equity.time[result.equity.time.length - 1]
    : (parseDate(setup.end) ?? instruments.reduce((m, i) => Math.max(m, i.lastDate ?? 0), t0 + 365 * 86_400_000));
  useEffect(() => {
    if (count === 0) void loadStrategies();
  }, [count]);
  const params = output
    ? Object.keys(output.results[0]?.params ?? output.best?.params ?? {})
    : axes.filter((a) => a.param).map((a) => a.param);
  return (
    <div
      className="view-body"
      data-view-ready={count > 0 ? 'optimize' : undefined}
      data-running={running ? 'true' : 'false'}
    >
      <div className="split">
        <div className="sidebar">
          <div className="panel-title">Sweep</div>
          <SweepForm />
        </div>
        <div className="main-col">
          <div className="toolbar">
            <span className="muted">Saved sweeps</span>
            <select
              aria-label="Saved sweeps"
              data-testid="saved-sweeps"
              value={shownId ?? ''}
              onChange={(e) => {
                if (e.target.value) void openSavedSweep(e.target.value);
              }}
            >
              <option value="">{saved.length ? `choose one of ${saved.length}…` : 'none yet'}</option>
              {saved.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.createdAt.replace('T', ' ').slice(0, 16)} · {r.strategy} · {r.id}
                </option>
              ))}
            </select>
          </div>
          <ErrorBanner error={error} onDismiss={() => useOptimizeStore.setState({ error: null })} />
          {running && (
            <ProgressBar
              done={running.done}
              total={running.total}
              startedAt={running.startedAt}
              etaMs={running.etaMs}
              label="Sweep"
            />
          )}
          <ErrorBanner error={robustError} onDismiss={() => useRobustnessStore.setState({ error: null })} />
          {output ? (
            <SweepResults output={output} params={params} />
          ) : (
            !running && (
              <div className="muted" style={{ padding: 16 }}>
                Choose one or two parameters and run a sweep.
              </div>
            )
          )}
          <RobustnessPanel startMs={t0} endMs={t1} />
        </div>
      </div>
    </div>
  );
}
