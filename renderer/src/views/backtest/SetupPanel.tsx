import { useRef } from 'react';
import { ParamForm } from '../../components/ParamForm';
import { EXIT_KEYS, SIZING_METHODS, type ExitForm, type SetupForm } from '../../stores/backtest-form';
import { cancelBacktest, runBacktest, setSetup, useBacktestStore } from '../../stores/backtest-store';
import { openSpecFile, saveSpecFile } from '../../stores/spec-file';
import { selectStrategy, setParamText, useStrategiesStore } from '../../stores/strategies-store';

function Field({
  label,
  name,
  hint,
  errors,
  children,
}: {
  label: string;
  name: string;
  hint: string;
  errors: Readonly<Record<string, string>>;
  children: React.ReactNode;
}) {
  const err = errors[`setup.${name}`];
  return (
    <label className="field" title={hint}>
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

/** A titled group of spec fields with one line saying what it governs. */
function Group({
  title,
  note,
  children,
  testId,
}: {
  title: string;
  note: string;
  children: React.ReactNode;
  testId?: string;
}) {
  return (
    <details open className="form-group" data-testid={testId}>
      <summary className="section-label">{title}</summary>
      <div className="muted form-note">{note}</div>
      {children}
    </details>
  );
}

const EXIT_LABELS: Record<(typeof EXIT_KEYS)[number], { label: string; hint: string }> = {
  stopLoss: {
    label: 'Stop-loss',
    hint: 'Exit when the price falls (long) or rises (short) this far from the entry fill: percent, or ATR multiples.',
  },
  takeProfit: {
    label: 'Take-profit',
    hint: 'Exit when the price moves this far in the trade’s favour from the entry fill.',
  },
  trailingStop: {
    label: 'Trailing stop',
    hint: 'A stop this far behind the best price since entry; with ATR the distance is fixed at entry.',
  },
};

const SIZING_HINTS: Record<string, string> = {
  'all-in': 'all available equity per entry',
  'fixed-fraction': 'a fraction of equity per position',
  'fixed-qty': 'a fixed number of units per position',
  'volatility-target': 'equity × target vol / realised vol, capped at max weight',
  'equal-weight': 'equity / number of symbols',
};

/** The left column of the Backtest view: every spec field, grouped and explained; open/save a spec file; Run/Cancel. */
export function SetupPanel() {
  const { strategies, selected, fields, paramTexts } = useStrategiesStore();
  const setup = useBacktestStore((s) => s.setup);
  const errors = useBacktestStore((s) => s.formErrors);
  const running = useBacktestStore((s) => s.running);
  const fileInput = useRef<HTMLInputElement>(null);
  const desc = strategies.find((s) => s.name === selected);
  const text = (
    key: keyof SetupForm,
    props: React.InputHTMLAttributes<HTMLInputElement> & { 'data-testid'?: string } = {},
  ) => (
    <input
      name={key}
      value={setup[key] as string}
      aria-invalid={errors[`setup.${key}`] ? 'true' : 'false'}
      onChange={(e) => setSetup({ [key]: e.target.value } as Partial<SetupForm>)}
      {...props}
    />
  );
  const check = (key: 'wholeUnits' | 'closeAtEnd') => (
    <input
      type="checkbox"
      name={key}
      checked={setup[key]}
      onChange={(e) => setSetup({ [key]: e.target.checked })}
      style={{ justifySelf: 'start' }}
    />
  );
  const choose = <K extends keyof SetupForm>(key: K, options: readonly [string, string][]) => (
    <select
      name={key}
      value={setup[key] as string}
      onChange={(e) => setSetup({ [key]: e.target.value } as Partial<SetupForm>)}
    >
      {options.map(([v, l]) => (
        <option key={v} value={v}>
          {l}
        </option>
      ))}
    </select>
  );
  const exitRow = (key: (typeof EXIT_KEYS)[number]) => {
    const e = setup[key];
    const set = (patch: Partial<ExitForm>) => setSetup({ [key]: { ...e, ...patch } } as Partial<SetupForm>);
    return (
      <Field key={key} label={EXIT_LABELS[key].label} name={key} hint={EXIT_LABELS[key].hint} errors={errors}>
        <span className="exit-row" data-testid={`exit-${key}`}>
          <select
            name={`${key}-kind`}
            aria-label={`${EXIT_LABELS[key].label} kind`}
            value={e.kind}
            onChange={(ev) => set({ kind: ev.target.value as ExitForm['kind'] })}
          >
            <option value="off">off</option>
            <option value="pct">%</option>
            <option value="atr">× ATR</option>
          </select>
          {e.kind !== 'off' && (
            <input
              name={`${key}-value`}
              aria-label={`${EXIT_LABELS[key].label} ${e.kind === 'pct' ? 'percent' : 'ATR multiple'}`}
              className="num"
              value={e.value}
              placeholder={e.kind === 'pct' ? '5' : '3'}
              aria-invalid={errors[`setup.${key}`] ? 'true' : 'false'}
              onChange={(ev) => set({ value: ev.target.value })}
            />
          )}
          {e.kind === 'atr' && (
            <input
              name={`${key}-period`}
              aria-label={`${EXIT_LABELS[key].label} ATR period`}
              title="ATR period (bars)"
              className="num"
              value={e.period}
              onChange={(ev) => set({ period: ev.target.value })}
            />
          )}
        </span>
      </Field>
    );
  };
  const m = setup.sizingMethod;
  return (
    <form
      className="panel-body"
      data-testid="backtest-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!running) void runBacktest();
      }}
    >
      <div className="spec-file-bar">
        <button
          type="button"
          className="btn"
          onClick={() => fileInput.current?.click()}
          data-testid="open-spec"
          title="Open a backtest spec JSON file (or drop one on the window)"
        >
          Open spec…
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => saveSpecFile()}
          data-testid="save-spec"
          title="Save this form as a backtest spec JSON file"
        >
          Save spec
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".json,application/json"
          hidden
          data-testid="spec-file-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void openSpecFile(f);
            e.target.value = '';
          }}
        />
      </div>
      <div className="muted form-note">Or drop a .json spec on the window. The form is kept across reloads.</div>
      <div className="section-label">Strategy</div>
      <select
        value={selected ?? ''}
        onChange={(e) => selectStrategy(e.target.value)}
        style={{ width: '100%' }}
        data-testid="strategy-select"
        aria-label="Strategy"
      >
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
      <Group
        title="Universe and dates"
        note="What trades, and when. Warm-up bars before Start feed indicators; nothing trades on them."
      >
        <Field label="Symbols" name="symbols" hint="Symbols to trade, comma separated" errors={errors}>
          {text('symbols', { placeholder: 'AAA, BBB', className: 'mono', 'data-testid': 'bt-symbols' })}
        </Field>
        <Field
          label="or Universe"
          name="universe"
          hint="all (every listed instrument, point in time) or a stored universe"
          errors={errors}
        >
          {text('universe', { placeholder: 'all, or a stored universe', className: 'mono' })}
        </Field>
        <Field label="Start" name="start" hint="First bar of the run (YYYY-MM-DD)" errors={errors}>
          {text('start', { placeholder: 'YYYY-MM-DD (first bar)', className: 'num' })}
        </Field>
        <Field label="End" name="end" hint="Last day of the run, inclusive (YYYY-MM-DD)" errors={errors}>
          {text('end', { placeholder: 'YYYY-MM-DD (last bar)', className: 'num' })}
        </Field>
        <Field
          label="Warm-up bars"
          name="warmup"
          hint="Bars before Start the strategy sees first so its indicators are warm; its decisions on them are ignored"
          errors={errors}
        >
          {text('warmup', { className: 'num' })}
        </Field>
        <Field
          label="Benchmark"
          name="benchmark"
          hint="Symbol whose returns give alpha, beta and the information ratio"
          errors={errors}
        >
          {text('benchmark', { placeholder: 'symbol (optional)', className: 'mono' })}
        </Field>
      </Group>
      <Group title="Capital and sizing" note={`How much each entry buys: ${SIZING_HINTS[m]}.`}>
        <Field label="Capital" name="capital" hint="Starting cash" errors={errors}>
          {text('capital', { className: 'num' })}
        </Field>
        <Field label="Sizing" name="sizingMethod" hint="Position sizing method" errors={errors}>
          {choose(
            'sizingMethod',
            SIZING_METHODS.map((x) => [x, x]),
          )}
        </Field>
        {m === 'fixed-fraction' && (
          <Field
            label="Fraction"
            name="sizingFraction"
            hint="Fraction of equity per position (0.25 = 25%)"
            errors={errors}
          >
            {text('sizingFraction', { className: 'num' })}
          </Field>
        )}
        {m === 'fixed-qty' && (
          <Field label="Quantity" name="sizingQty" hint="Units per position" errors={errors}>
            {text('sizingQty', { className: 'num' })}
          </Field>
        )}
        {m === 'volatility-target' && (
          <>
            <Field
              label="Target vol"
              name="sizingTargetVol"
              hint="Annualised volatility targeted per position (0.15 = 15%)"
              errors={errors}
            >
              {text('sizingTargetVol', { className: 'num' })}
            </Field>
            <Field
              label="Vol lookback"
              name="sizingLookback"
              hint="Bars of close-to-close returns for the realised volatility"
              errors={errors}
            >
              {text('sizingLookback', { className: 'num' })}
            </Field>
            <Field
              label="Max weight"
              name="sizingMaxWeight"
              hint="Cap on a position's weight in equity"
              errors={errors}
            >
              {text('sizingMaxWeight', { className: 'num' })}
            </Field>
          </>
        )}
        <Field
          label="Whole units"
          name="wholeUnits"
          hint="Round quantities down to whole units (off: fractional)"
          errors={errors}
        >
          {check('wholeUnits')}
        </Field>
        <Field label="Direction" name="direction" hint="Long-only turns short targets into flat" errors={errors}>
          {choose('direction', [
            ['long-short', 'long and short'],
            ['long-only', 'long only'],
          ])}
        </Field>
      </Group>
      <Group
        title="Costs and fills"
        note="Commission and slippage are charged on every fill; the fill rule says when a decision trades."
      >
        <Field
          label="Commission bps"
          name="commissionBps"
          hint="Commission in basis points of traded value, per fill"
          errors={errors}
        >
          {text('commissionBps', { className: 'num' })}
        </Field>
        <Field
          label="Fixed / fill"
          name="commissionFixed"
          hint="Fixed commission per fill, in account currency"
          errors={errors}
        >
          {text('commissionFixed', { className: 'num' })}
        </Field>
        <Field
          label="Slippage bps"
          name="slippageBps"
          hint="Price moved against the trader on every fill"
          errors={errors}
        >
          {text('slippageBps', { className: 'num' })}
        </Field>
        <Field
          label="Fill rule"
          name="fill"
          hint="next open: a decision at bar i fills at bar i+1's open; same close: at bar i's close"
          errors={errors}
        >
          {choose('fill', [
            ['next-open', 'next open'],
            ['close', 'same close'],
          ])}
        </Field>
        <Field
          label="Intrabar"
          name="intrabar"
          hint="When a stop and a target are both touched in one bar: conservative takes the stop, optimistic the target (flagged ambiguous)"
          errors={errors}
        >
          {choose('intrabar', [
            ['conservative', 'conservative (stop first)'],
            ['optimistic', 'optimistic (target first)'],
          ])}
        </Field>
        <Field
          label="Adjustment"
          name="adjustment"
          hint="pit: splits and dividends applied as known at each date; raw: prices as traded"
          errors={errors}
        >
          {choose('adjustment', [
            ['pit', 'point in time'],
            ['raw', 'raw'],
          ])}
        </Field>
        <Field
          label="Signal prices"
          name="signalPrices"
          hint="What strategies see: adjusted (continuous across splits and dividends) or raw; fills and the trade list are always traded prices"
          errors={errors}
        >
          {choose('signalPrices', [
            ['adjusted', 'adjusted'],
            ['raw', 'raw (as traded)'],
          ])}
        </Field>
        <Field
          label="Instrument types"
          name="types"
          hint="With a universe: the types it holds, comma-separated (stock, etf, fund, future, crypto, …); empty means stocks. An index is a benchmark, never a holding"
          errors={errors}
        >
          {text('types', { placeholder: 'stock' })}
        </Field>
        <Field
          label="Bars per year"
          name="barsPerYear"
          hint="For annualising returns and volatility (252 for daily bars)"
          errors={errors}
        >
          {text('barsPerYear', { className: 'num' })}
        </Field>
      </Group>
      <Group
        title="Protective exits"
        note="Applied by the engine to every position of any strategy, checked against each bar's high and low."
        testId="exits-group"
      >
        {EXIT_KEYS.map(exitRow)}
      </Group>
      <Group title="End of run" note="Positions still open at the end are reported open unless closed here.">
        <Field
          label="Close at end"
          name="closeAtEnd"
          hint="Close positions still open at the end as trades"
          errors={errors}
        >
          {check('closeAtEnd')}
        </Field>
        {setup.closeAtEnd && (
          <Field
            label="At the last"
            name="endFill"
            hint="Price of the last bar at which positions close"
            errors={errors}
          >
            {choose('endFill', [
              ['close', 'close'],
              ['open', 'open'],
            ])}
          </Field>
        )}
      </Group>
      <div style={{ display: 'flex', gap: 6, marginTop: 10 }}>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!!running}
          data-testid="run-backtest"
          style={{ flex: 1 }}
        >
          {running ? 'Running…' : 'Run backtest'}
        </button>
        <button
          type="button"
          className="btn"
          disabled={!running}
          onClick={() => void cancelBacktest()}
          data-testid="cancel-backtest"
        >
          Cancel
        </button>
      </div>
    </form>
  );
}
