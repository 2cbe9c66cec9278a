import { useEffect, useMemo } from 'react';
import { TimeSeriesChart, type TimeSeries } from '../../charts/TimeSeriesChart';
import { fmtCompact, fmtNum, fmtPct, signClass } from '../../lib/format';
import { compareWith, exportRun, loadHistory, openRun, useBacktestStore } from '../../stores/backtest-store';
import { METRIC_CARDS } from './MetricCards';

/** Saves text as a file through a temporary object URL (works in Electron and in the browser). */
function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Exports the current run as the trades CSV or the self-contained HTML report. */
export async function downloadRun(id: string, format: 'csv' | 'html'): Promise<void> {
  const text = await exportRun(id, format);
  if (text !== null) download(`${id}.${format}`, text, format === 'csv' ? 'text/csv' : 'text/html');
}

/** The run registry with open / compare, export of the current run, and two runs side by side. */
export function RunHistory() {
  const history = useBacktestStore((s) => s.history);
  const runId = useBacktestStore((s) => s.runId);
  const result = useBacktestStore((s) => s.result);
  const compare = useBacktestStore((s) => s.compare);
  useEffect(() => {
    void loadHistory();
  }, []);
  const curves = useMemo<TimeSeries[]>(() => {
    if (!result || !compare) return [];
    return [
      { label: `A ${result.runId}`, time: result.equity.time, values: result.equity.value, color: '#2f81f7', width: 2 },
      { label: `B ${compare.runId}`, time: compare.equity.time, values: compare.equity.value, color: '#f0a500' },
    ];
  }, [result, compare]);
  return (
    <>
      {result && compare && (
        <div className="panel" data-testid="run-compare">
          <div className="panel-title">
            Compare A {result.spec.strategy} vs B {compare.spec.strategy}
            <span className="spacer" />
            <button className="btn-ghost" onClick={() => void compareWith(null)}>
              close ×
            </button>
          </div>
          <div className="grid-2">
            <table className="grid">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th className="num">A</th>
                  <th className="num">B</th>
                  <th className="num">B − A</th>
                </tr>
              </thead>
              <tbody>
                {METRIC_CARDS.map((c) => {
                  const a = result.metrics[c.key] as number | null;
                  const b = compare.metrics[c.key] as number | null;
                  const d = a !== null && b !== null ? b - a : null;
                  return (
                    <tr key={c.key}>
                      <td>{c.label}</td>
                      <td className="num">{c.fmt(a)}</td>
                      <td className="num">{c.fmt(b)}</td>
                      <td className={`num ${signClass(d)}`}>{c.fmt(d)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            <TimeSeriesChart series={curves} height={300} format={fmtCompact} testId="compare-chart" />
          </div>
        </div>
      )}
      <div className="panel">
        <div className="panel-title">
          Run history <span className="muted">{history.length} runs</span>
          <span className="spacer" />
          {runId && (
            <>
              <button className="btn" onClick={() => void downloadRun(runId, 'csv')} data-testid="export-csv">
                Export CSV
              </button>
              <button className="btn" onClick={() => void downloadRun(runId, 'html')} data-testid="export-html">
                HTML report
              </button>
            </>
          )}
          <button className="btn-ghost" onClick={() => void loadHistory()}>
            ↻
          </button>
        </div>
        <div className="panel-body" style={{ padding: 0 }}>
          <table className="grid" data-testid="run-history">
            <thead>
              <tr>
                <th>Run</th>
                <th>Created</th>
                <th>Strategy</th>
                <th>Status</th>
                <th className="num">Return</th>
                <th className="num">Sharpe</th>
                <th className="num">Max DD</th>
                <th className="num">Final</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {history.map((h) => (
                <tr key={h.id} className={h.id === runId ? 'selected' : undefined} data-run-id={h.id}>
                  <td className="mono">{h.id}</td>
                  <td className="mono muted">{h.createdAt.replace('T', ' ').slice(0, 19)}</td>
                  <td>{h.strategy}</td>
                  <td className="muted">{h.status}</td>
                  <td className={`num ${signClass(h.metrics?.totalReturn)}`}>{fmtPct(h.metrics?.totalReturn ?? null, 1)}</td>
                  <td className="num">{fmtNum(h.metrics?.sharpe ?? null, 2)}</td>
                  <td className="num">{fmtPct(h.metrics?.maxDrawdown ?? null, 1)}</td>
                  <td className="num">{fmtCompact(h.metrics?.finalEquity ?? null)}</td>
                  <td>
                    <button className="btn-ghost" onClick={() => void openRun(h.id)}>
                      Open
                    </button>
                    <button className="btn-ghost" disabled={!result || h.id === runId} onClick={() => void compareWith(h.id)} data-testid="compare">
                      Compare
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </>
  );
}
