import { sweepableFields } from '../../lib/param-form';
import { OBJECTIVES } from '../../stores/optimize-form';
import { cancelSweep, setAxis, setOptimizeOption, startSweep, useOptimizeStore } from '../../stores/optimize-store';
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

/** Sweep setup: one or two parameters with ranges, the objective; base spec from the Backtest view. */
export function SweepForm() {
  const fields = useStrategiesStore((s) => s.fields);
  const strategy = useStrategiesStore((s) => s.selected);
  const symbols = useBacktestStore((s) => s.setup.symbols);
  const { axes, objective, workers, running } = useOptimizeStore();
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
      {([0, 1] as const).map((i) => {
        const a = axes[i];
        const f = numeric.find((x) => x.name === a.param);
        return (
          <div key={i}>
            <div className="section-label">Parameter {i + 1}{i === 1 ? ' (optional, for the heatmap)' : ''}</div>
            <select
              value={a.param}
              style={{ width: '100%' }}
              data-testid={`axis${i}-param`}
              onChange={(e) => {
                const nf = numeric.find((x) => x.name === e.target.value);
                const d = Number(nf?.defaultValue);
                const step = nf?.kind === 'integer' ? Math.max(1, Math.round(d / 4)) : Number.isFinite(d) && d !== 0 ? Number((Math.abs(d) / 4).toPrecision(2)) : 1;
                setAxis(i, nf ? { param: nf.name, from: String(Number.isFinite(d) ? Math.max(nf.min ?? -Infinity, d - 2 * step) : ''), to: String(Number.isFinite(d) ? d + 2 * step : ''), step: String(step) } : { param: '' });
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
                  <input key={k} className="num" placeholder={k} title={k} value={a[k]} onChange={(e) => setAxis(i, { [k]: e.target.value })} data-testid={`axis${i}-${k}`} />
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
      <div className="section-label">Objective</div>
      <label className="field">
        <span>Objective</span>
        <select value={objective} onChange={(e) => setOptimizeOption({ objective: e.target.value })} data-testid="objective">
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
        <button type="submit" className="btn btn-primary" style={{ flex: 1 }} disabled={!!running} data-testid="run-sweep">
          {running ? 'Running…' : 'Run sweep'}
        </button>
        <button type="button" className="btn" disabled={!running} onClick={() => void cancelSweep()} data-testid="cancel-sweep">
          Cancel
        </button>
      </div>
    </form>
  );
}
