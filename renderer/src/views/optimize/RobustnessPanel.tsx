import { useEffect, useMemo } from 'react';
import type { MonteCarloView, WalkForwardView } from '../../../../core/contract';
import { TimeSeriesChart, type TimeSeries } from '../../charts/TimeSeriesChart';
import { fmtCompact, fmtDuration, fmtInt, fmtMoney, fmtNum, fmtPct, signClass } from '../../lib/format';
import {
  chooseMonteCarloRun,
  equityFan,
  monteCarloRunId,
  runMonteCarlo,
  runWalkForward,
  useRobustnessStore,
} from '../../stores/robustness-store';
import { loadHistory, useBacktestStore } from '../../stores/backtest-store';

function WalkForwardResult({ wf }: { wf: WalkForwardView }) {
  const key = wf.objective.replace(/^-/, '');
  const equity = useMemo<TimeSeries[]>(
    () => [
      {
        label: 'Out-of-sample equity',
        time: wf.oosEquity.time,
        values: wf.oosEquity.value,
        color: '#2f81f7',
        width: 2,
      },
    ],
    [wf],
  );
  const fmt = (v: number | null | undefined) =>
    key === 'cagr' || key === 'totalReturn' || key === 'maxDrawdown' ? fmtPct(v ?? null, 1) : fmtNum(v ?? null, 2);
  return (
    <div data-testid="walkforward-result">
      <div className="toolbar" style={{ background: 'none' }}>
        <span>
          {wf.windows.length} windows · {fmtInt(wf.runs)} runs · {fmtDuration(wf.elapsedMs)}
        </span>
        <span>
          OOS return <b className={signClass(wf.oosTotalReturn)}>{fmtPct(wf.oosTotalReturn, 1)}</b>
        </span>
        <span>
          OOS annual <b>{fmtPct(wf.oosAnnualReturn, 1)}</b> vs IS <b>{fmtPct(wf.isAnnualReturnMean, 1)}</b>
        </span>
        <span>
          efficiency <b>{fmtNum(wf.efficiency, 2)}</b>
        </span>
      </div>
      <TimeSeriesChart series={equity} height={180} format={fmtCompact} testId="walkforward-equity" />
      <table className="grid">
        <thead>
          <tr>
            <th>Train</th>
            <th>Test</th>
            <th>Chosen params</th>
            <th className="num">IS {key}</th>
            <th className="num">OOS {key}</th>
            <th style={{ width: 160 }}>IS vs OOS</th>
          </tr>
        </thead>
        <tbody>
          {wf.windows.map((w, i) => {
            const is = w.inSample?.[key] ?? null;
            const oos = w.outOfSample?.[key] ?? null;
            const scale = Math.max(Math.abs(is ?? 0), Math.abs(oos ?? 0), 1e-9);
            return (
              <tr key={i}>
                <td className="mono">
                  {w.trainStart} → {w.trainEnd}
                </td>
                <td className="mono">
                  {w.testStart} → {w.testEnd}
                </td>
                <td className="mono">
                  {w.params
                    ? Object.entries(w.params)
                        .map(([k, v]) => `${k}=${v}`)
                        .join(' ')
                    : (w.error ?? '—')}
                </td>
                <td className="num">{fmt(is)}</td>
                <td className={`num ${signClass(oos)}`}>{fmt(oos)}</td>
                <td>
                  <div
                    style={{ height: 5, width: `${(Math.abs(is ?? 0) / scale) * 100}%`, background: '#8a93a6' }}
                    title="in-sample"
                  />
                  <div
                    style={{
                      height: 5,
                      marginTop: 1,
                      width: `${(Math.abs(oos ?? 0) / scale) * 100}%`,
                      background: (oos ?? 0) >= 0 ? 'var(--up)' : 'var(--down)',
                    }}
                    title="out-of-sample"
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

const FAN_COLORS = { p5: '#ef5350', p25: '#f0a500', p50: '#2f81f7', p75: '#9ccc65', p95: '#26a69a' } as const;

function MonteCarloResult({
  mc,
  of,
  startMs: formStart,
  endMs: formEnd,
}: {
  mc: MonteCarloView;
  of: { runId: string | null; strategy: string; span?: readonly [number, number] } | null;
  startMs: number;
  endMs: number;
}) {
  const [startMs, endMs] = of?.span ?? [formStart, formEnd];
  const fan = useMemo<TimeSeries[]>(() => {
    const f = equityFan(mc, startMs, endMs);
    return (['p95', 'p75', 'p50', 'p25', 'p5'] as const).map((k) => ({
      label: k,
      time: f.time,
      values: f.bands[k],
      color: FAN_COLORS[k],
      dashed: k !== 'p50',
      width: k === 'p50' ? 2 : 1,
    }));
  }, [mc, startMs, endMs]);
  const rows: [string, MonteCarloView['finalEquity'], (v: number | null) => string][] = [
    ['Final equity', mc.finalEquity, fmtMoney],
    ['CAGR', mc.cagr, (v) => fmtPct(v, 1)],
    ['Max drawdown', mc.maxDrawdown, (v) => fmtPct(v, 1)],
  ];
  return (
    <div data-testid="montecarlo-result" data-run-id={of?.runId ?? ''}>
      <div className="toolbar" style={{ background: 'none' }}>
        <span data-testid="montecarlo-of">
          of{' '}
          {of?.runId ? (
            <span className="mono">run {of.runId}</span>
          ) : (
            'the Backtest form’s spec (run first, not stored)'
          )}
          {of?.strategy ? ` · ${of.strategy}` : ''}
        </span>
        <span>
          {fmtInt(mc.paths)} paths · {mc.method} · {fmtInt(mc.steps)} steps · seed {mc.seed}
        </span>
        <span>
          P(ruin at −{fmtPct(mc.ruin, 0)}){' '}
          <b className={mc.probabilityOfRuin > 0.05 ? 'neg' : 'pos'}>{fmtPct(mc.probabilityOfRuin, 1)}</b>
        </span>
      </div>
      <div className="muted" style={{ padding: '0 8px' }}>
        Fan: from the starting capital to the paths’ final-equity percentiles (p5 · p25 · median · p75 · p95), over the
        run’s span (log scale).
      </div>
      <TimeSeriesChart series={fan} height={220} format={fmtCompact} logScale testId="montecarlo-fan" />
      <table className="grid">
        <thead>
          <tr>
            <th />
            {['p5', 'p25', 'p50', 'p75', 'p95', 'mean'].map((k) => (
              <th key={k} className="num">
                {k}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, d, f]) => (
            <tr key={label}>
              <td>{label}</td>
              {(['p5', 'p25', 'p50', 'p75', 'p95', 'mean'] as const).map((k) => (
                <td key={k} className="num">
                  {f(d[k])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Walk-forward and Monte Carlo: is the optimum robust out of sample and under resampling? */
export function RobustnessPanel({ startMs, endMs }: { startMs: number; endMs: number }) {
  const { wfForm, mcForm, wf, mc, mcOf, isRunningWf, isRunningMc } = useRobustnessStore();
  // The run Monte Carlo uses is named and chosen here (it used to be, silently, whichever run the Backtest view had open).
  useRobustnessStore((s) => s.mcRunId);
  const openRunId = useBacktestStore((s) => s.runId);
  const history = useBacktestStore((s) => s.history);
  const mcRun = monteCarloRunId();
  useEffect(() => {
    void loadHistory();
  }, [openRunId]);
  const setWf = (p: Partial<typeof wfForm>) => useRobustnessStore.setState({ wfForm: { ...wfForm, ...p } });
  const setMc = (p: Partial<typeof mcForm>) => useRobustnessStore.setState({ mcForm: { ...mcForm, ...p } });
  return (
    <div>
      <div className="panel">
        <div className="panel-title">Walk-forward</div>
        <div className="toolbar" style={{ background: 'none' }}>
          <label className="muted">
            train{' '}
            <input
              className="num"
              style={{ width: 60 }}
              value={wfForm.train}
              onChange={(e) => setWf({ train: e.target.value })}
            />{' '}
            bars
          </label>
          <label className="muted">
            test{' '}
            <input
              className="num"
              style={{ width: 60 }}
              value={wfForm.test}
              onChange={(e) => setWf({ test: e.target.value })}
            />{' '}
            bars
          </label>
          <label className="muted">
            <input type="checkbox" checked={wfForm.anchored} onChange={(e) => setWf({ anchored: e.target.checked })} />{' '}
            anchored
          </label>
          <button
            className="btn"
            disabled={isRunningWf}
            onClick={() => void runWalkForward()}
            data-testid="run-walkforward"
          >
            {isRunningWf ? 'Running…' : 'Run walk-forward'}
          </button>
          <span className="muted">
            each window's strategy is warmed on the {wfForm.train || 'train'} bars before it
          </span>
        </div>
        {wf && <WalkForwardResult wf={wf} />}
      </div>
      <div className="panel">
        <div className="panel-title">Monte Carlo</div>
        <div className="toolbar" style={{ background: 'none' }}>
          <label className="muted">
            run{' '}
            <select
              value={mcRun}
              onChange={(e) => chooseMonteCarloRun(e.target.value)}
              data-testid="montecarlo-run"
              style={{ maxWidth: 330 }}
            >
              <option value="">the Backtest form’s spec (run it first)</option>
              {mcRun && !history.some((h) => h.id === mcRun) && <option value={mcRun}>{mcRun}</option>}
              {history.map((h) => (
                <option key={h.id} value={h.id}>
                  {h.id} · {h.strategy}
                  {h.id === openRunId ? ' (open in Backtest)' : ''}
                </option>
              ))}
            </select>
          </label>
          <label className="muted">
            paths{' '}
            <input
              className="num"
              style={{ width: 70 }}
              value={mcForm.paths}
              onChange={(e) => setMc({ paths: e.target.value })}
            />
          </label>
          <select value={mcForm.method} onChange={(e) => setMc({ method: e.target.value as 'trades' | 'returns' })}>
            <option value="trades">resample trades</option>
            <option value="returns">block bootstrap returns</option>
          </select>
          <label className="muted">
            seed{' '}
            <input
              className="num"
              style={{ width: 50 }}
              value={mcForm.seed}
              onChange={(e) => setMc({ seed: e.target.value })}
            />
          </label>
          <button
            className="btn"
            disabled={isRunningMc}
            onClick={() => void runMonteCarlo()}
            data-testid="run-montecarlo"
          >
            {isRunningMc ? 'Running…' : 'Run Monte Carlo'}
          </button>
        </div>
        {mc && <MonteCarloResult mc={mc} of={mcOf} startMs={startMs} endMs={endMs} />}
      </div>
    </div>
  );
}
