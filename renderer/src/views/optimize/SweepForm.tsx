import { sweepableFields } from '../../lib/param-form';
import { OBJECTIVES } from '../../stores/optimize-form';
import {
  addAxis,
  cancelSweep,
  MAX_AXES,
  removeAxis,
  setAxis,
  setOptimizeOption,
  setSearch,
  startSweep,
  useOptimizeStore,
} from '../../stores/optimize-store';
import { useStrategiesStore } from '../../stores/strategies-store';
import { useBacktestStore } from '../../stores/backtest-store';

function Err({ k }: { k: string }) {
  const e = useOptimizeStore((s) => s.formErrors[k]);
  return e ? (
    <div className="field-error" data-field-error={k}>
      {e}
    </div>
  ) : null;
}

/** Sweep setup: any number of parameters with ranges, the search (grid, random, guided), the objective; base spec from the Backtest view. */
export function SweepForm() {
  const fields = useStrategiesStore((s) => s.fields);
  const strategy = useStrategiesStore((s) => s.selected);
  const symbols = useBacktestStore((s) => s.setup.symbols);
  const { axes, objective, workers, running, search } = useOptimizeStore();
  const numeric = sweepableFields(fields);
  return (
    <form
      className="panel-body"
      onSubmit={(e) => {
        e.preventDefault();
        if (!running) void startSweep();
      }}
    >
      <div className="section-label">Base (from the Backtest view)</div>
      <div className="mono">
        {strategy ?? '—'} · {symbols || 'no symbols yet'}
      </div>
      <Err k="base" />
      {axes.map((a, i) => {
        const f = numeric.find((x) => x.name === a.param);
        return (
          <div key={i}>
            <div className="section-label" style={{ display: 'flex' }}>
              Parameter {i + 1}
              {i === 1 ? ' (optional, for the heatmap)' : i > 1 ? ' (optional)' : ''}
              <span className="spacer" />
              {i > 0 && a.param && (
                <button
                  type="button"
                  className="btn-ghost"
                  aria-label={`Remove parameter ${i + 1}`}
                  onClick={() => removeAxis(i)}
                >
                  ×
                </button>
              )}
            </div>
            <select
              value={a.param}
              style={{ width: '100%' }}
              data-testid={`axis${i}-param`}
              onChange={(e) => {
                const nf = numeric.find((x) => x.name === e.target.value);
                const d = Number(nf?.defaultValue);
                const step =
                  nf?.kind === 'integer'
                    ? Math.max(1, Math.round(d / 4))
                    : Number.isFinite(d) && d !== 0
                      ? Number((Math.abs(d) / 4).toPrecision(2))
                      : 1;
                setAxis(
                  i,
                  nf
                    ? {
                        param: nf.name,
                        from: String(Number.isFinite(d) ? Math.max(nf.min ?? -Infinity, d - 2 * step) : ''),
                        to: String(Number.isFinite(d) ? d + 2 * step : ''),
                        step: String(step),
                      }
                    : { param: '' },
                );
              }}
            >
              <option value="">{i === 0 ? 'Choose…' : 'none'}</option>
              {numeric.map((x) => (
                <option key={x.name} value={x.name}>
                  {x.label} (default {x.defaultValue})
                </option>
              ))}
            </select>
            <Err k={`axis${i}.param`} />
            {a.param && (
              <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr 1fr', gap: 4, marginTop: 3 }}>
                {(['from', 'to', 'step'] as const).map((k) => (
                  <input
                    key={k}
                    className="num"
                    placeholder={k}
                    title={k}
                    value={a[k]}
                    onChange={(e) => setAxis(i, { [k]: e.target.value })}
                    data-testid={`axis${i}-${k}`}
                  />
                ))}
              </div>
            )}
            <Err k={`axis${i}.from`} />
            <Err k={`axis${i}.to`} />
            <Err k={`axis${i}.step`} />
            {f?.min !== undefined && <div className="muted">min {f.min}</div>}
          </div>
        );
      })}
      {axes.length < MAX_AXES && (
        <button type="button" className="btn-ghost" onClick={addAxis} data-testid="add-axis">
          + parameter
        </button>
      )}
      <div className="section-label">Search</div>
      <label
        className="field"
        title="grid: every combination; random: a seeded sample; guided: a seeded genetic search that breeds each generation from the best so far, within a budget"
      >
        <span>Search</span>
        <select
          value={search.kind}
          onChange={(e) => setSearch({ kind: e.target.value as typeof search.kind })}
          data-testid="search-kind"
        >
          <option value="grid">grid (every combination)</option>
          <option value="random">random sample</option>
          <option value="genetic">guided (genetic)</option>
        </select>
      </label>
      {search.kind === 'random' && (
        <label className="field">
          <span>Samples</span>
          <input
            className="num"
            value={search.samples}
            onChange={(e) => setSearch({ samples: e.target.value })}
            data-testid="search-samples"
          />
        </label>
      )}
      {search.kind === 'genetic' && (
        <label className="field" title="Most combinations evaluated in all">
          <span>Budget</span>
          <input
            className="num"
            value={search.budget}
            onChange={(e) => setSearch({ budget: e.target.value })}
            data-testid="search-budget"
          />
        </label>
      )}
      {search.kind !== 'grid' && (
        <label className="field" title="Same seed, same combinations">
          <span>Seed</span>
          <input
            className="num"
            value={search.seed}
            onChange={(e) => setSearch({ seed: e.target.value })}
            data-testid="search-seed"
          />
        </label>
      )}
      <Err k="search" />
      <div className="section-label">Objective</div>
      <label className="field">
        <span>Objective</span>
        <select
          value={objective}
          onChange={(e) => setOptimizeOption({ objective: e.target.value })}
          data-testid="objective"
        >
          {OBJECTIVES.map((o) => (
            <option key={o} value={o}>
              {o.startsWith('-') ? `${o.slice(1)} (min)` : `${o} (max)`}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Workers</span>
        <input
          value={workers}
          placeholder="one per core"
          inputMode="numeric"
          onChange={(e) => setOptimizeOption({ workers: e.target.value })}
          data-testid="workers"
        />
      </label>
      <Err k="workers" />
      <div className="muted" style={{ marginTop: 4 }}>
        Empty runs on the host’s pool, one worker per core; quantdesk worker nodes can join a cluster from the CLI.
      </div>
      <div style={{ display: 'flex', gap: 6, marginTop: 10 }}>
        <button
          type="submit"
          className="btn btn-primary"
          style={{ flex: 1 }}
          disabled={!!running}
          data-testid="run-sweep"
        >
          {running ? 'Running…' : 'Run sweep'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={!running}
          onClick={() => void cancelSweep()}
          data-testid="cancel-sweep"
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
