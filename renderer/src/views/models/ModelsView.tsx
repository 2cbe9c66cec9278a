import { useEffect, useState } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { ProgressBar } from '../../components/ProgressBar';
import {
  cancelTraining,
  DEFAULT_MODEL_SPEC,
  explainPrediction,
  loadModels,
  selectModel,
  trainModel,
  useModelsStore,
} from '../../stores/models-store';
import { SchemaForm, type JsonSchema } from './SchemaForm';

const f4 = (v: number | null | undefined) => (v === null || v === undefined ? '–' : v.toFixed(4));

/** Horizontal bars for signed values (per-window rank IC, contributions), scaled to the largest magnitude. */
function Bars({
  rows,
  testid,
  unsigned = false,
}: {
  rows: readonly { label: string; value: number; title?: string }[];
  testid: string;
  unsigned?: boolean;
}) {
  const max = Math.max(1e-12, ...rows.map((r) => Math.abs(r.value)));
  // Signed values grow from the middle; non-negative ones (importance) use the whole width.
  const half = unsigned ? 100 : 50;
  const zero = unsigned ? 0 : 50;
  return (
    <div
      data-testid={testid}
      style={{
        display: 'grid',
        gridTemplateColumns: 'minmax(120px, max-content) 1fr 80px',
        gap: '2px 8px',
        alignItems: 'center',
      }}
    >
      {rows.map((r) => (
        <div key={r.label} style={{ display: 'contents' }} title={r.title}>
          <span className="mono" style={{ fontSize: 11, whiteSpace: 'nowrap' }}>
            {r.label}
          </span>
          <div style={{ position: 'relative', height: 10, background: 'var(--bg-2)' }}>
            <div
              style={{
                position: 'absolute',
                top: 0,
                bottom: 0,
                left: r.value >= 0 ? `${zero}%` : `${zero - (half * Math.abs(r.value)) / max}%`,
                width: `${(half * Math.abs(r.value)) / max}%`,
                background: r.value >= 0 ? 'var(--up)' : 'var(--down)',
              }}
            />
          </div>
          <span className="mono" style={{ textAlign: 'right', fontSize: 11 }}>
            {r.value.toFixed(4)}
          </span>
        </div>
      ))}
    </div>
  );
}

/**
 * Models: train a model spec walk-forward (progress per window), the registry with out-of-sample metrics, a
 * model's per-window rank IC, global importance and lineage, and the explanation of one prediction.
 */
export function ModelsView() {
  const { models, selected, progress, isTraining, startedAt, error, explanation, explainError } = useModelsStore();
  const [specText, setSpecText] = useState(() => JSON.stringify(DEFAULT_MODEL_SPEC, null, 2));
  // The train form is generated from the spec's schema (models:spec-schema); the JSON switch edits the same spec as text.
  const [schema, setSchema] = useState<JsonSchema | null>(null);
  const [asJson, setAsJson] = useState(false);
  const [spec, setSpec] = useState<Record<string, unknown>>(
    () => ({ ...DEFAULT_MODEL_SPEC }) as Record<string, unknown>,
  );
  const [jsonError, setJsonError] = useState<string | null>(null);
  useEffect(() => {
    void window.api.invoke('models:spec-schema').then((r) => {
      if (r.ok) setSchema(r.value.schema as JsonSchema);
      else setAsJson(true);
    });
  }, []);
  const switchMode = () => {
    if (!asJson) {
      setSpecText(JSON.stringify(spec, null, 2));
      setAsJson(true);
      return;
    }
    try {
      const parsed = JSON.parse(specText) as unknown;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('the spec is a JSON object');
      setSpec(parsed as Record<string, unknown>);
      setJsonError(null);
      setAsJson(false);
    } catch (e) {
      setJsonError(`spec JSON: ${(e as Error).message}`);
    }
  };
  const useForm = !asJson && schema !== null;
  const [symbol, setSymbol] = useState('');
  const [date, setDate] = useState('');
  useEffect(() => {
    void loadModels();
  }, []);
  useEffect(() => {
    if (selected && date === '' && selected.windows.length > 0)
      setDate(selected.windows[selected.windows.length - 1].testEnd);
  }, [selected, date]);
  return (
    <div className="split" data-models-count={models.length}>
      <div className="sidebar" style={{ width: 360 }}>
        <div className="panel">
          <div className="panel-title">Train (model spec)</div>
          <div className="panel-body">
            <div className="toolbar" style={{ background: 'transparent', border: 'none', padding: '0 0 4px' }}>
              <button className="btn-ghost" onClick={switchMode} data-testid="spec-mode" disabled={schema === null}>
                {asJson || schema === null ? 'Form' : 'JSON'}
              </button>
              {jsonError && (
                <span className="bad" style={{ fontSize: 11 }}>
                  {jsonError}
                </span>
              )}
            </div>
            {useForm ? (
              <div style={{ maxHeight: 420, overflow: 'auto' }}>
                <SchemaForm schema={schema} value={spec} onChange={setSpec} />
              </div>
            ) : (
              <textarea
                aria-label="model spec"
                className="mono"
                value={specText}
                onChange={(e) => setSpecText(e.target.value)}
                spellCheck={false}
                style={{
                  width: '100%',
                  height: 300,
                  fontSize: 11,
                  background: 'var(--bg-0)',
                  color: 'var(--text)',
                  border: '1px solid var(--border)',
                }}
              />
            )}
            <div className="toolbar" style={{ background: 'transparent', border: 'none', padding: '4px 0' }}>
              <button
                className="btn btn-primary"
                disabled={isTraining}
                onClick={() => void trainModel(useForm ? JSON.stringify(spec) : specText)}
                data-testid="train"
              >
                {isTraining ? 'Training…' : 'Train walk-forward'}
              </button>
              {isTraining && (
                <button className="btn btn-danger" onClick={() => void cancelTraining()} data-testid="cancel-train">
                  Cancel
                </button>
              )}
            </div>
            {isTraining && progress && (
              <ProgressBar
                done={progress.done}
                total={Math.max(progress.total, 1)}
                startedAt={startedAt}
                label="windows"
              />
            )}
            <ErrorBanner error={error} onDismiss={() => useModelsStore.setState({ error: null })} />
          </div>
        </div>
      </div>
      <div className="main-col">
        <div className="panel">
          <div className="panel-title">Registry</div>
          <div className="panel-body">
            <table className="grid" data-testid="model-registry">
              <thead>
                <tr>
                  <th>id</th>
                  <th>kind</th>
                  <th>created</th>
                  <th className="num">rank IC</th>
                  <th className="num">rank ICIR</th>
                  <th className="num">IC</th>
                  <th className="num">hit rate</th>
                  <th>features</th>
                </tr>
              </thead>
              <tbody>
                {models.map((m) => (
                  <tr
                    key={m.id}
                    className={selected?.id === m.id ? 'selected' : ''}
                    onClick={() => void selectModel(m.id)}
                    style={{ cursor: 'pointer' }}
                  >
                    <td className="mono">{m.id}</td>
                    <td>{m.kind}</td>
                    <td className="mono">{new Date(m.createdAt).toISOString().slice(0, 16).replace('T', ' ')}</td>
                    <td className="mono num">{f4(m.metrics?.rankIc)}</td>
                    <td className="mono num">{f4(m.metrics?.rankIcir)}</td>
                    <td className="mono num">{f4(m.metrics?.ic)}</td>
                    <td className="mono num">{f4(m.metrics?.hitRate)}</td>
                    <td className="muted">{m.features.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {models.length === 0 && <div className="muted">No models yet: train one from the spec on the left.</div>}
          </div>
        </div>
        {selected && (
          <div className="grid-2" data-testid="model-detail">
            <div className="panel">
              <div className="panel-title">Out-of-sample rank IC per window · {selected.id}</div>
              <div className="panel-body">
                <Bars
                  testid="window-metrics"
                  rows={selected.windows.map((w) => ({
                    label: `${w.testStart} → ${w.testEnd}`,
                    value: w.metrics?.rankIc ?? 0,
                    title: `train ${w.trainStart} → ${w.trainEnd}`,
                  }))}
                />
                <div className="muted" style={{ marginTop: 6 }}>
                  overall: rank IC {f4(selected.metrics?.rankIc)} · ICIR {f4(selected.metrics?.rankIcir)} · IC{' '}
                  {f4(selected.metrics?.ic)} · hit rate {f4(selected.metrics?.hitRate)}
                  {selected.metrics?.rmse !== undefined ? ` · RMSE ${f4(selected.metrics.rmse)}` : ''}
                  {selected.metrics?.auc !== undefined ? ` · AUC ${f4(selected.metrics.auc)}` : ''}
                </div>
              </div>
            </div>
            <div className="panel">
              <div className="panel-title">Global importance (mean |SHAP|)</div>
              <div className="panel-body">
                <Bars
                  testid="importance"
                  unsigned
                  rows={(selected.importance ?? []).map((i) => ({ label: i.feature, value: i.importance }))}
                />
                <div className="muted mono" style={{ marginTop: 6, fontSize: 11 }}>
                  data {String(selected.lineage.dataFingerprint)} · features {String(selected.lineage.featureSetHash)} ·
                  code {String(selected.lineage.codeVersion)}
                </div>
              </div>
            </div>
            <div className="panel" style={{ gridColumn: '1 / span 2' }}>
              <div className="panel-title">Explain one prediction</div>
              <div className="panel-body">
                <div className="toolbar" style={{ background: 'transparent', border: 'none', padding: 0 }}>
                  <input
                    aria-label="symbol"
                    placeholder="symbol"
                    value={symbol}
                    onChange={(e) => setSymbol(e.target.value.toUpperCase())}
                    style={{ width: 90 }}
                  />
                  <input
                    aria-label="date"
                    placeholder="YYYY-MM-DD"
                    value={date}
                    onChange={(e) => setDate(e.target.value)}
                    style={{ width: 110 }}
                  />
                  <button
                    className="btn"
                    data-testid="explain"
                    disabled={!symbol || !date}
                    onClick={() => void explainPrediction(selected.id, symbol, date)}
                  >
                    Explain
                  </button>
                </div>
                <ErrorBanner error={explainError} />
                {explanation && (
                  <div data-testid="explanation" style={{ marginTop: 6 }}>
                    <div className="mono" style={{ marginBottom: 4 }}>
                      prediction {explanation.prediction.toFixed(6)} = base {explanation.base.toFixed(6)} + Σ
                      contributions
                    </div>
                    <Bars
                      rows={explanation.contributions.map((c) => ({
                        label: `${c.feature} = ${c.value === null ? 'NaN' : c.value.toPrecision(5)}`,
                        value: c.contribution,
                      }))}
                      testid="contributions"
                    />
                  </div>
                )}
              </div>
            </div>
          </div>
        )}
      </div>
    </div>
  );
}
