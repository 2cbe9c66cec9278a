import { useEffect } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ProgressBar } from '../../components/ProgressBar';
import { useBacktestStore } from '../../stores/backtest-store';
import { restoreDraftOnce } from '../../stores/spec-file';
import { loadStrategies, useStrategiesStore } from '../../stores/strategies-store';
import { ResultsPanel } from './ResultsPanel';
import { RunHistory } from './RunHistory';
import { SetupPanel } from './SetupPanel';

/** Backtest: setup on the left; progress, results and run history on the right. */
export function BacktestView() {
  const count = useStrategiesStore((s) => s.strategies.length);
  const stratError = useStrategiesStore((s) => s.error);
  const running = useBacktestStore((s) => s.running);
  const result = useBacktestStore((s) => s.result);
  const benchmark = useBacktestStore((s) => s.benchmark);
  const error = useBacktestStore((s) => s.error);
  useEffect(() => {
    if (count === 0) void loadStrategies();
  }, [count]);
  // The last form comes back after a reload, once the strategies it names are known.
  useEffect(() => (count > 0 ? restoreDraftOnce() : undefined), [count]);
  return (
    <div
      className="view-body"
      data-view-ready={count > 0 ? 'backtest' : undefined}
      data-running={running ? 'true' : 'false'}
    >
      <div className="split">
        <div className="sidebar" style={{ width: 330 }}>
          <div className="panel-title">Backtest setup</div>
          <SetupPanel />
        </div>
        <div className="main-col">
          <ErrorBanner
            error={stratError ?? error}
            onDismiss={error ? () => useBacktestStore.setState({ error: null }) : undefined}
          />
          {running && (
            <ProgressBar
              done={running.fraction}
              total={1}
              startedAt={running.startedAt}
              label="Backtest"
              showCounts={false}
            />
          )}
          {result ? (
            <ResultsPanel result={result} benchmark={benchmark} />
          ) : (
            !running && (
              <div className="muted" style={{ padding: 16 }}>
                Set up a run on the left and press Run (Enter).
              </div>
            )
          )}
          <RunHistory />
        </div>
      </div>
    </div>
  );
}
