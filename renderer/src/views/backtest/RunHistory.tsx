import { useEffect, useMemo, useState } from 'react';
import type { RunSummaryView } from '../../../../core/contract';
import { TimeSeriesChart, type TimeSeries } from '../../charts/TimeSeriesChart';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { fmtCompact, fmtNum, fmtPct, signClass } from '../../lib/format';
import { COMPARE_COLORS, filterRuns, MAX_COMPARE, normaliseTo100, paramsText, rankMarks } from '../../lib/run-compare';
import { exportRun, loadHistory, openRun, useBacktestStore } from '../../stores/backtest-store';
import {
  clearCompare,
  deleteRun,
  labelRun,
  openInForm,
  rerun,
  setRunQuery,
  toggleCompare,
  useRunsStore,
} from '../../stores/runs-store';
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

/** Up to four runs side by side: metrics with the best and worst marked per metric, equity rebased to 100. */
function RunCompare() {
  const compared = useRunsStore((s) => s.compared);
  const [log, setLog] = useState(false);
  const history = useBacktestStore((s) => s.history);
  const nameOf = (id: string) => history.find((h) => h.id === id)?.name || id;
  const curves = useMemo<TimeSeries[]>(
    () =>
      compared.map((m, i) => ({
        label: `${String.fromCharCode(65 + i)} ${nameOf(m.runId)}`,
        time: m.equity.time,
        values: normaliseTo100(m.equity.value),
        color: COMPARE_COLORS[i],
        width: i === 0 ? 2 : 1,
      })),
    // Deliberately keyed on `compared` and `history` only (nameOf reads history).
    [compared, history],
  );
  if (compared.length < 2) {
    return compared.length === 1 ? (
      <div className="panel" data-testid="run-compare-pending">
        <div className="panel-title">
          Compare: {nameOf(compared[0].runId)} — add another run with Compare (up to {MAX_COMPARE})
          <span className="spacer" />
          <button className="btn-ghost" onClick={clearCompare}>
            close ×
          </button>
        </div>
      </div>
    ) : null;
  }
  return (
    <div className="panel" data-testid="run-compare" data-runs={compared.length}>
      <div className="panel-title">
        Compare {compared.length} runs{' '}
        <span className="muted">
          equity rebased to 100 · green best, red worst per metric (lower volatility and drawdown are better)
        </span>
        <span className="spacer" />
        <label className="muted" style={{ display: 'inline-flex', gap: 4, alignItems: 'center' }}>
          <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} data-testid="compare-log" />{' '}
          log scale
        </label>
        <button className="btn-ghost" onClick={clearCompare}>
          close ×
        </button>
      </div>
      <div className="compare-body">
        <table className="grid" data-testid="compare-table">
          <thead>
            <tr>
              <th>Metric</th>
              {compared.map((m, i) => (
                <th
                  key={m.runId}
                  className="num"
                  title={`${m.runId} · ${m.spec.strategy} ${paramsText(m.spec.params)}`}
                >
                  <span style={{ color: COMPARE_COLORS[i] }}>■</span> {String.fromCharCode(65 + i)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <tr>
              <td className="muted">Run</td>
              {compared.map((m) => (
                <td
                  key={m.runId}
                  className="num mono"
                  style={{ maxWidth: 140, overflow: 'hidden', textOverflow: 'ellipsis' }}
                  title={m.runId}
                >
                  {nameOf(m.runId)}
                </td>
              ))}
            </tr>
            <tr>
              <td className="muted">Params</td>
              {compared.map((m) => (
                <td key={m.runId} className="num mono muted">
                  {m.spec.strategy} {paramsText(m.spec.params)}
                </td>
              ))}
            </tr>
            {METRIC_CARDS.map((c) => {
              const vals = compared.map((m) => (m.metrics[c.key] ?? null) as number | null);
              const marks = rankMarks(c.key, vals);
              return (
                <tr key={c.key} data-metric-row={c.key}>
                  <td title={c.title}>{c.label}</td>
                  {vals.map((v, i) => (
                    <td
                      key={compared[i].runId}
                      className={`num ${marks[i] ? `cmp-${marks[i]}` : ''}`}
                      data-mark={marks[i] || undefined}
                    >
                      {c.fmt(v)}
                    </td>
                  ))}
                </tr>
              );
            })}
          </tbody>
        </table>
        <TimeSeriesChart
          series={curves}
          height={360}
          format={(v) => fmtNum(v, 1)}
          testId="compare-chart"
          logScale={log}
        />
      </div>
    </div>
  );
}

/** Name, tags and note of a run, edited in place. */
function LabelEditor({ run, onDone }: { run: RunSummaryView; onDone: () => void }) {
  const [name, setName] = useState(run.name ?? '');
  const [tags, setTags] = useState((run.tags ?? []).join(', '));
  const [note, setNote] = useState(run.note ?? '');
  return (
    <form
      className="label-editor"
      data-testid="label-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void labelRun(run.id, {
          name,
          tags: tags
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
          note,
        }).then((ok) => ok && onDone());
      }}
    >
      <input
        aria-label="Run name"
        placeholder="name"
        value={name}
        maxLength={200}
        onChange={(e) => setName(e.target.value)}
        autoFocus
      />
      <input
        aria-label="Run tags"
        placeholder="tags, comma separated"
        value={tags}
        onChange={(e) => setTags(e.target.value)}
      />
      <input
        aria-label="Run note"
        placeholder="note"
        value={note}
        maxLength={10_000}
        onChange={(e) => setNote(e.target.value)}
        style={{ flex: 2 }}
      />
      <button type="submit" className="btn btn-primary" data-testid="save-label">
        Save
      </button>
      <button type="button" className="btn" onClick={onDone}>
        Cancel
      </button>
    </form>
  );
}

/** The run registry: search, name/tag/note, open, open in form, re-run, delete, compare up to four; export of the open run. */
export function RunHistory() {
  const history = useBacktestStore((s) => s.history);
  const runId = useBacktestStore((s) => s.runId);
  const query = useRunsStore((s) => s.query);
  const compared = useRunsStore((s) => s.compared);
  const [editing, setEditing] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<RunSummaryView | null>(null);
  useEffect(() => {
    void loadHistory();
  }, []);
  const shown = useMemo(() => filterRuns(history, query), [history, query]);
  const isCompared = (id: string) => compared.some((m) => m.runId === id);
  return (
    <>
      <RunCompare />
      <div className="panel">
        <div className="panel-title">
          Run history{' '}
          <span className="muted">{query ? `${shown.length} of ${history.length}` : history.length} runs</span>
          <input
            className="mono"
            style={{ marginLeft: 8, width: 260 }}
            placeholder="search: name, tag:x, symbol:x, strategy, params"
            aria-label="Search runs"
            data-testid="run-search"
            value={query}
            onChange={(e) => setRunQuery(e.target.value)}
          />
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
          <button className="btn-ghost" onClick={() => void loadHistory()} aria-label="Reload history">
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
                <th>Symbols</th>
                <th>Params</th>
                <th>Tags</th>
                <th className="num">Return</th>
                <th className="num">Sharpe</th>
                <th className="num">Max DD</th>
                <th className="num">Final</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {shown.map((h) =>
                editing === h.id ? (
                  <tr key={h.id} data-run-id={h.id}>
                    <td colSpan={11}>
                      <LabelEditor run={h} onDone={() => setEditing(null)} />
                    </td>
                  </tr>
                ) : (
                  <tr key={h.id} className={h.id === runId ? 'selected' : undefined} data-run-id={h.id}>
                    <td className="mono" title={[h.id, h.note].filter(Boolean).join('\n')}>
                      {h.name ? <b>{h.name}</b> : h.id}
                      {h.note ? <span className="muted"> ✎</span> : null}
                    </td>
                    <td className="mono muted">{h.createdAt.replace('T', ' ').slice(0, 16)}</td>
                    <td>{h.strategy}</td>
                    <td className="mono">{h.symbols && h.symbols.length ? h.symbols.join(' ') : (h.universe ?? '')}</td>
                    <td
                      className="mono muted"
                      style={{ maxWidth: 220, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
                      title={paramsText(h.params)}
                    >
                      {paramsText(h.params)}
                    </td>
                    <td>
                      {(h.tags ?? []).map((t) => (
                        <span key={t} className="tag">
                          {t}
                        </span>
                      ))}
                    </td>
                    <td className={`num ${signClass(h.metrics?.totalReturn)}`}>
                      {fmtPct(h.metrics?.totalReturn ?? null, 1)}
                    </td>
                    <td className="num">{fmtNum(h.metrics?.sharpe ?? null, 2)}</td>
                    <td className="num">{fmtPct(h.metrics?.maxDrawdown ?? null, 1)}</td>
                    <td className="num">{fmtCompact(h.metrics?.finalEquity ?? null)}</td>
                    <td style={{ whiteSpace: 'nowrap' }}>
                      <button className="btn-ghost" onClick={() => void openRun(h.id)}>
                        Open
                      </button>
                      <button
                        className="btn-ghost"
                        onClick={() => void openInForm(h.id)}
                        data-testid="open-in-form"
                        title="Put this run's spec into the form"
                      >
                        Form
                      </button>
                      <button
                        className="btn-ghost"
                        onClick={() => void rerun(h.id)}
                        data-testid="rerun"
                        title="Run this spec again"
                      >
                        Re-run
                      </button>
                      <button
                        className="btn-ghost"
                        onClick={() => void toggleCompare(h.id)}
                        data-testid="compare"
                        aria-pressed={isCompared(h.id)}
                        disabled={!isCompared(h.id) && compared.length >= MAX_COMPARE}
                      >
                        {isCompared(h.id) ? '✓ Compared' : 'Compare'}
                      </button>
                      <button
                        className="btn-ghost"
                        onClick={() => setEditing(h.id)}
                        data-testid="edit-label"
                        title="Name, tags, note"
                      >
                        Edit
                      </button>
                      <button className="btn-ghost" onClick={() => setDeleting(h)} data-testid="delete-run">
                        Delete
                      </button>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      </div>
      {deleting && (
        <ConfirmDialog
          title={`Delete run ${deleting.name || deleting.id}?`}
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const id = deleting.id;
            setDeleting(null);
            void deleteRun(id);
          }}
        >
          Its stored result (equity, trades) and label are removed from the store. This cannot be undone.
        </ConfirmDialog>
      )}
    </>
  );
}
