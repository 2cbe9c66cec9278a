import { useMemo, useState } from 'react';
import type { SweepResultView as SweepOutput, SweepRowView as SweepRow } from '../../../../core/contract';
import { Heatmap } from '../../components/Heatmap';
import { SortHeader } from '../../components/SortHeader';
import { fmtDuration, fmtInt, fmtNum, fmtPct, signClass } from '../../lib/format';
import { binGrid } from '../../lib/heatmap';
import { failureReasons, sweepPoints } from '../../lib/sweep-view';
import { nextSort, sortRows, type SortState } from '../../lib/sort';
import { openAsBacktest } from '../../stores/optimize-store';
import { runBestCellWfe, useRobustnessStore } from '../../stores/robustness-store';
import { ParallelCoords } from './ParallelCoords';

const METRIC_COLS = [
  { key: 'sharpe', label: 'Sharpe', fmt: (v: number | null) => fmtNum(v, 2) },
  { key: 'cagr', label: 'CAGR', fmt: (v: number | null) => fmtPct(v, 1) },
  { key: 'totalReturn', label: 'Return', fmt: (v: number | null) => fmtPct(v, 1) },
  { key: 'maxDrawdown', label: 'Max DD', fmt: (v: number | null) => fmtPct(v, 1) },
  { key: 'sortino', label: 'Sortino', fmt: (v: number | null) => fmtNum(v, 2) },
  { key: 'winRate', label: 'Win', fmt: (v: number | null) => fmtPct(v, 0) },
  { key: 'trades', label: 'Trades', fmt: (v: number | null) => fmtInt(v) },
] as const;

function metricOf(row: SweepRow, key: string): number {
  const v = row.metrics[key];
  return v === null || v === undefined ? Number.NaN : v;
}

/** Walk-forward efficiency of the best cell, beside its neighbourhood stability: a button, then the figure. */
function BestCellWfe({ best }: { best: SweepRow['params'] }) {
  const of = JSON.stringify(best);
  const wfe = useRobustnessStore((s) => (s.bestWfe?.of === of ? s.bestWfe : null));
  const train = useRobustnessStore((s) => s.wfForm.train);
  const test = useRobustnessStore((s) => s.wfForm.test);
  const title =
    `Walk-forward (train ${train} / test ${test} bars, set in Walk-forward below), each training window re-optimised over the best cell's one-step neighbourhood: ` +
    'annualised out-of-sample return over the mean annualised in-sample return. Near 1: the edge held out of sample; near 0 or below: it was fitted.';
  if (!wfe || (!wfe.running && !wfe.view && !wfe.error))
    return (
      <button className="btn" onClick={() => void runBestCellWfe(best)} title={title} data-testid="run-best-wfe">
        Walk-forward efficiency
      </button>
    );
  if (wfe.running)
    return (
      <span className="muted" data-testid="best-wfe" data-state="running">
        walk-forward efficiency… ({wfe.combos} neighbouring cells per window)
      </span>
    );
  if (wfe.error)
    return (
      <span className="neg" data-testid="best-wfe" data-state="error">
        walk-forward efficiency: {wfe.error}
      </span>
    );
  const v = wfe.view!;
  const e = v.efficiency;
  return (
    <span
      data-testid="best-wfe"
      data-state="done"
      data-value={e ?? ''}
      title={title}
      className={e === null ? 'muted' : e >= 0.5 ? 'pos' : e < 0.2 ? 'neg' : ''}
    >
      walk-forward efficiency {e === null ? '— (in-sample return not positive)' : fmtNum(e, 2)} ({v.windows.length}{' '}
      windows, OOS {fmtPct(v.oosAnnualReturn, 2)}/yr vs IS {fmtPct(v.isAnnualReturnMean, 2)}/yr, {wfe.combos} cells)
    </span>
  );
}

/** Sweep output: summary, heatmap of the objective over two parameters, sortable results with "Open". */
export function SweepResults({ output, params }: { output: SweepOutput; params: readonly string[] }) {
  const objKey = output.objective.replace(/^-/, '');
  const [sort, setSort] = useState<SortState | null>(null);
  // With more than two parameters the heatmap shows two chosen ones, each cell the best over the others.
  const [xy, setXy] = useState<[string, string] | null>(null);
  const hx = xy && params.includes(xy[0]) ? xy[0] : params[0];
  const hy = xy && params.includes(xy[1]) ? xy[1] : params[1];
  const rows = useMemo(() => {
    if (!sort) return output.results;
    return sortRows(
      output.results,
      (r) => (params.includes(sort.key) ? (r.params[sort.key] as number) : metricOf(r, sort.key)),
      sort.dir,
    );
  }, [output.results, sort, params]);
  // Every result of the sweep (its surface), not only the table's top N: a partial picture would lie about robustness.
  const heat = useMemo(() => {
    if (params.length < 2) return null;
    const { points, complete } = sweepPoints(output, hx, hy);
    return { grid: binGrid(points, output.objective.startsWith('-')), complete, count: points.length };
  }, [output, params, hx, hy]);
  const grid = heat?.grid ?? null;
  const reasons = useMemo(() => failureReasons(output.failed), [output.failed]);
  const onSort = (k: string) => setSort((s) => nextSort(s, k));
  return (
    <div
      data-testid="sweep-results"
      data-sweep-ready="true"
      data-best={output.best ? JSON.stringify(output.best.params) : ''}
    >
      <div className="toolbar">
        <span>
          <b>{fmtInt(output.runs)}</b> runs in <b>{fmtDuration(output.elapsedMs)}</b> on {output.workers} workers
        </span>
        {output.failed.length > 0 && (
          <span
            className="neg"
            data-testid="sweep-failed"
            title={reasons.map((r) => `${r.count} × ${r.reason} (e.g. ${r.example})`).join('\n')}
          >
            {fmtInt(output.failed.length)} failed: {reasons[0].reason}
            {reasons.length > 1 ? ` (and ${reasons.length - 1} other reason${reasons.length > 2 ? 's' : ''})` : ''}
          </span>
        )}
        {output.best && (
          <span>
            best {objKey}{' '}
            <b className={signClass(metricOf(output.best, objKey))}>{fmtNum(metricOf(output.best, objKey), 3)}</b> at{' '}
            <span className="mono">
              {Object.entries(output.best.params)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}
            </span>
          </span>
        )}
        {output.stability && (
          <span
            data-testid="stability"
            data-value={output.stability.ratio ?? ''}
            title="Mean objective of the best cell's one-step grid neighbours over its own: near 1 a plateau (robust), near 0 or below an isolated spike"
            className={
              output.stability.ratio === null
                ? 'muted'
                : output.stability.ratio >= 0.7
                  ? 'pos'
                  : output.stability.ratio < 0.3
                    ? 'neg'
                    : ''
            }
          >
            neighbourhood stability{' '}
            {output.stability.ratio === null ? '— (no evaluated neighbours)' : fmtNum(output.stability.ratio, 2)} (
            {output.stability.neighbours} neighbours)
          </span>
        )}
        {output.best && <BestCellWfe best={output.best.params} />}
        <span className="spacer" />
        {output.best && (
          <button className="btn btn-primary" onClick={() => void openAsBacktest(output.best!)} data-testid="open-best">
            Open best as backtest
          </button>
        )}
      </div>
      {grid && (
        <div className="panel">
          <div className="panel-title">
            {output.objective} over {hx} × {hy}
            {params.length > 2 && (
              <>
                <span className="muted">
                  (each cell: the best over {params.filter((p) => p !== hx && p !== hy).join(', ')})
                </span>
                <select
                  aria-label="Heatmap x"
                  value={hx}
                  onChange={(e) => setXy([e.target.value, hy])}
                  data-testid="heat-x"
                >
                  {params
                    .filter((p) => p !== hy)
                    .map((p) => (
                      <option key={p}>{p}</option>
                    ))}
                </select>
                <select
                  aria-label="Heatmap y"
                  value={hy}
                  onChange={(e) => setXy([hx, e.target.value])}
                  data-testid="heat-y"
                >
                  {params
                    .filter((p) => p !== hx)
                    .map((p) => (
                      <option key={p}>{p}</option>
                    ))}
                </select>
              </>
            )}
            <span className={heat!.complete ? 'muted' : 'neg'} data-testid="heatmap-coverage">
              {heat!.complete
                ? `every result (${fmtInt(heat!.count)})`
                : `top ${fmtInt(output.results.length)} of ${fmtInt(output.runs)} only: the grid is too large to send whole`}
            </span>
          </div>
          <div className="panel-body">
            <Heatmap
              grid={grid}
              xLabel={hx}
              yLabel={hy}
              format={(v) => fmtNum(v, 2)}
              center={objKey === 'sharpe' || objKey === 'cagr' || objKey === 'totalReturn' ? 0 : undefined}
              testId="sweep-heatmap"
              onPick={(x, y) => {
                const row = output.results.find((r) => Number(r.params[hx]) === x && Number(r.params[hy]) === y);
                if (row) void openAsBacktest(row);
              }}
            />
          </div>
        </div>
      )}
      {params.length > 2 && <ParallelCoords output={output} />}
      {reasons.length > 0 && (
        <details className="panel" data-testid="sweep-failures">
          <summary className="panel-title">{fmtInt(output.failed.length)} combinations failed: why</summary>
          <table className="grid">
            <tbody>
              {reasons.map((r) => (
                <tr key={r.reason}>
                  <td className="num">{fmtInt(r.count)}</td>
                  <td style={{ whiteSpace: 'normal' }}>{r.reason}</td>
                  <td className="mono muted">e.g. {r.example}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      <div className="panel">
        <div className="panel-title">
          Results (top {fmtInt(output.results.length)} of {fmtInt(output.runs - output.failed.length)} by{' '}
          {output.objective})
        </div>
        <div className="panel-body" style={{ maxHeight: 360, padding: 0 }}>
          <table className="grid" data-testid="sweep-table">
            <thead>
              <tr>
                <th>#</th>
                {params.map((p) => (
                  <SortHeader key={p} label={p} k={p} sort={sort} onSort={onSort} numeric />
                ))}
                {METRIC_COLS.map((c) => (
                  <SortHeader key={c.key} label={c.label} k={c.key} sort={sort} onSort={onSort} numeric />
                ))}
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}>
                  <td className="muted">{i + 1}</td>
                  {params.map((p) => (
                    <td key={p} className="num">
                      {String(r.params[p])}
                    </td>
                  ))}
                  {METRIC_COLS.map((c) => {
                    const v = metricOf(r, c.key);
                    return (
                      <td key={c.key} className={`num ${c.key === 'maxDrawdown' ? '' : signClass(v)}`}>
                        {c.fmt(Number.isNaN(v) ? null : v)}
                      </td>
                    );
                  })}
                  <td>
                    <button className="btn-ghost" onClick={() => void openAsBacktest(r)}>
                      Open ▸
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
