import { ParamForm } from '../../components/ParamForm';
import type { SetupForm } from '../../stores/backtest-form';
import { cancelBacktest, runBacktest, setSetup, useBacktestStore } from '../../stores/backtest-store';
import { selectStrategy, setParamText, useStrategiesStore } from '../../stores/strategies-store';

function Field({ label, name, errors, children }: { label: string; name: string; errors: Readonly<Record<string, string>>; children: React.ReactNode }) {
  const err = errors[`setup.${name}`];
  return (
    <label className="field">
      <span>{label}</span>
      {children}
      {err && (
        <span className="field-error" data-field-error={name}>
          {err}
        </span>
      )}
    </label>
  );
}

/** The left column of the Backtest view: strategy, its generated params, universe, dates, capital, costs, fill rule, Run/Cancel. */
export function SetupPanel() {
  const { strategies, selected, fields, paramTexts } = useStrategiesStore();
  const setup = useBacktestStore((s) => s.setup);
  const errors = useBacktestStore((s) => s.formErrors);
  const running = useBacktestStore((s) => s.running);
  const desc = strategies.find((s) => s.name === selected);
  const text = (key: keyof SetupForm, props: React.InputHTMLAttributes<HTMLInputElement> = {}) => (
    <input
      name={key}
      value={setup[key] as string}
      aria-invalid={errors[`setup.${key}`] ? 'true' : 'false'}
      onChange={(e) => setSetup({ [key]: e.target.value } as Partial<SetupForm>)}
      {...props}
    />
  );
  return (
    <form
      className="panel-body"
      onSubmit={(e) => {
        e.preventDefault();
        if (!running) void runBacktest();
      }}
    >
      <div className="section-label">Strategy</div>
      <select value={selected ?? ''} onChange={(e) => selectStrategy(e.target.value)} style={{ width: '100%' }} data-testid="strategy-select">
        {strategies.map((s) => (
          <option key={s.name} value={s.name}>
            {s.name} {s.kind === 'cross-sectional' ? '(cross-sectional)' : ''}
          </option>
        ))}
      </select>
      {desc && (
        <div className="muted" style={{ margin: '4px 0' }}>
          {desc.description}
        </div>
      )}
      <div className="section-label">Parameters</div>
      <ParamForm fields={fields} values={paramTexts} onChange={setParamText} />
      {Object.entries(errors)
        .filter(([k]) => k === 'setup.strategy')
        .map(([k, v]) => (
          <div key={k} className="field-error">
            {v}
          </div>
        ))}
      <div className="section-label">Universe and dates</div>
      <Field label="Symbols" name="symbols" errors={errors}>
        {text('symbols', { placeholder: 'AAA, BBB', className: 'mono', 'data-testid': 'bt-symbols' } as React.InputHTMLAttributes<HTMLInputElement>)}
      </Field>
      <Field label="or Universe" name="universe" errors={errors}>
        {text('universe', { placeholder: 'all, or a stored universe', className: 'mono' })}
      </Field>
      <Field label="Start" name="start" errors={errors}>
        {text('start', { placeholder: 'YYYY-MM-DD (first bar)', className: 'num' })}
      </Field>
      <Field label="End" name="end" errors={errors}>
        {text('end', { placeholder: 'YYYY-MM-DD (last bar)', className: 'num' })}
      </Field>
      <Field label="Benchmark" name="benchmark" errors={errors}>
        {text('benchmark', { placeholder: 'symbol (optional)', className: 'mono' })}
      </Field>
      <div className="section-label">Capital and costs</div>
      <Field label="Capital" name="capital" errors={errors}>
        {text('capital', { className: 'num' })}
      </Field>
      <Field label="Commission bps" name="commissionBps" errors={errors}>
        {text('commissionBps', { className: 'num' })}
      </Field>
      <Field label="Fixed / fill" name="commissionFixed" errors={errors}>
        {text('commissionFixed', { className: 'num' })}
      </Field>
      <Field label="Slippage bps" name="slippageBps" errors={errors}>
        {text('slippageBps', { className: 'num' })}
      </Field>
      <Field label="Fill rule" name="fill" errors={errors}>
        <select value={setup.fill} onChange={(e) => setSetup({ fill: e.target.value as SetupForm['fill'] })}>
          <option value="next-open">next open</option>
          <option value="close">same close</option>
        </select>
      </Field>
      <Field label="Direction" name="direction" errors={errors}>
        <select value={setup.direction} onChange={(e) => setSetup({ direction: e.target.value as SetupForm['direction'] })}>
          <option value="long-short">long and short</option>
          <option value="long-only">long only</option>
        </select>
      </Field>
      <div style={{ display: 'flex', gap: 6, marginTop: 10 }}>
        <button type="submit" className="btn btn-primary" disabled={!!running} data-testid="run-backtest" style={{ flex: 1 }}>
          {running ? 'Running…' : 'Run backtest'}
        </button>
        <button type="button" className="btn" disabled={!running} onClick={() => void cancelBacktest()} data-testid="cancel-backtest">
          Cancel
        </button>
      </div>
    </form>
  );
}
