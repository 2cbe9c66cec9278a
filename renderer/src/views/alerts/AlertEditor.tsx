import { useState } from 'react';
import type { AlertCondition, AlertSeries, UserAlertRule } from '../../../../core/model/desk';
import { editRule, saveRule, useUserAlertsStore } from '../../stores/user-alerts-store';
import { useNavStore } from '../../stores/nav-store';

type SeriesKind = 'price' | 'change' | 'volume' | 'indicator';
type Op = AlertCondition['op'];

const OPS: readonly [Op, string][] = [
  ['crosses-above', 'crosses above'],
  ['crosses-below', 'crosses below'],
  ['crosses', 'crosses'],
  ['above', 'is above'],
  ['below', 'is below'],
  ['enters-band', 'enters band'],
  ['exits-band', 'exits band'],
  ['moves-up-pct', 'moves up %'],
  ['moves-down-pct', 'moves down %'],
  ['moves-pct', 'moves up or down %'],
];

/** A series picker's state: kind, indicator name, `k=v` parameters, output. */
interface SeriesForm {
  kind: SeriesKind;
  name: string;
  params: string;
  output: string;
}

const PRICE: SeriesForm = { kind: 'price', name: 'rsi', params: 'period=14', output: '' };

function toSeries(f: SeriesForm): AlertSeries {
  if (f.kind !== 'indicator') return { kind: f.kind };
  const params: Record<string, number> = {};
  for (const part of f.params.split(/[,\s]+/).filter(Boolean)) {
    const [k, v] = part.split('=');
    params[k] = Number(v);
  }
  return { kind: 'indicator', name: f.name.trim(), params, ...(f.output.trim() ? { output: f.output.trim() } : {}) };
}

function fromSeries(s: AlertSeries): SeriesForm {
  if (s.kind !== 'indicator') return { ...PRICE, kind: s.kind };
  return {
    kind: 'indicator',
    name: s.name,
    params: Object.entries(s.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
    output: s.output ?? '',
  };
}

function SeriesPicker({
  value,
  onChange,
  testid,
}: {
  value: SeriesForm;
  onChange: (f: SeriesForm) => void;
  testid: string;
}) {
  return (
    <span className="desk-row" data-testid={testid}>
      <select
        value={value.kind}
        onChange={(e) => onChange({ ...value, kind: e.target.value as SeriesKind })}
        data-testid={`${testid}-kind`}
      >
        <option value="price">Price (close)</option>
        <option value="change">Change %</option>
        <option value="volume">Volume</option>
        <option value="indicator">Indicator…</option>
      </select>
      {value.kind === 'indicator' && (
        <>
          <input
            value={value.name}
            onChange={(e) => onChange({ ...value, name: e.target.value })}
            placeholder="rsi"
            style={{ width: 70 }}
            data-testid={`${testid}-name`}
            aria-label="Indicator"
          />
          <input
            value={value.params}
            onChange={(e) => onChange({ ...value, params: e.target.value })}
            placeholder="period=14"
            style={{ width: 100 }}
            data-testid={`${testid}-params`}
            aria-label="Parameters"
          />
          <input
            value={value.output}
            onChange={(e) => onChange({ ...value, output: e.target.value })}
            placeholder="output"
            style={{ width: 60 }}
            aria-label="Output"
          />
        </>
      )}
    </span>
  );
}

function toLocalInput(ms: number | null): string {
  if (ms === null) return '';
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** The alert editor: symbol, condition (series, operator, value or series, band, % move), once/every, expiry, severity, webhook. */
export function AlertEditor({ rule }: { rule: UserAlertRule | null }) {
  const chartSymbol = useNavStore((s) => s.symbol);
  const errors = useUserAlertsStore((s) => s.errors);
  const c = rule?.condition;
  const [symbol, setSymbol] = useState(rule?.symbol ?? chartSymbol ?? '');
  const [name, setName] = useState(rule?.name ?? '');
  const [op, setOp] = useState<Op>(c?.op ?? 'crosses-above');
  const [left, setLeft] = useState<SeriesForm>(c ? fromSeries(c.left) : PRICE);
  const [rightIsSeries, setRightIsSeries] = useState(c !== undefined && 'right' in c && typeof c.right !== 'number');
  const [right, setRight] = useState<SeriesForm>(
    c && 'right' in c && typeof c.right !== 'number'
      ? fromSeries(c.right)
      : { ...PRICE, kind: 'indicator', name: 'sma', params: 'period=50' },
  );
  const [value, setValue] = useState(c && 'right' in c && typeof c.right === 'number' ? String(c.right) : '');
  const [lower, setLower] = useState(c && 'lower' in c && typeof c.lower === 'number' ? String(c.lower) : '');
  const [upper, setUpper] = useState(c && 'upper' in c && typeof c.upper === 'number' ? String(c.upper) : '');
  const [pct, setPct] = useState(c && 'pct' in c ? String(c.pct) : '5');
  const [bars, setBars] = useState(c && 'bars' in c ? String(c.bars) : '5');
  const [mode, setMode] = useState<'once' | 'every'>(rule?.mode ?? 'once');
  const [expires, setExpires] = useState(toLocalInput(rule?.expiresAt ?? null));
  const [severity, setSeverity] = useState(rule?.severity ?? 'warning');
  const [message, setMessage] = useState(rule?.message ?? '');
  const [webhook, setWebhook] = useState('');
  const isBand = op === 'enters-band' || op === 'exits-band';
  const isMove = op.startsWith('moves');

  const condition = (): AlertCondition => {
    if (isBand) return { op: op as 'enters-band', left: toSeries(left), lower: Number(lower), upper: Number(upper) };
    if (isMove) return { op: op as 'moves-pct', left: toSeries(left), pct: Number(pct), bars: Number(bars) };
    return { op: op as 'above', left: toSeries(left), right: rightIsSeries ? toSeries(right) : Number(value) };
  };
  const submit = () =>
    void saveRule({
      ...(rule ? { id: rule.id } : {}),
      name,
      symbol: symbol.trim().toUpperCase(),
      condition: condition(),
      mode,
      severity,
      message,
      expiresAt: expires ? new Date(expires).getTime() : null,
      ...(webhook.trim() ? { webhooks: [{ kind: 'json' as const, url: webhook.trim() }] } : {}),
      paused: rule?.status === 'paused',
    });

  return (
    <div className="panel" data-testid="alert-editor">
      <div className="panel-title">
        {rule ? `Edit alert: ${rule.name || rule.symbol}` : 'New alert'}
        <span className="spacer" />
        {rule && (
          <button className="btn-ghost" onClick={() => editRule(null)}>
            New instead
          </button>
        )}
      </div>
      <div className="panel-body desk-view" style={{ overflow: 'visible' }}>
        <div className="desk-row">
          <label>
            Symbol
            <input
              value={symbol}
              onChange={(e) => setSymbol(e.target.value)}
              placeholder="AAPL"
              style={{ width: 90 }}
              data-testid="alert-symbol"
            />
          </label>
          <label>
            Name
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="optional"
              style={{ width: 160 }}
              data-testid="alert-name"
            />
          </label>
        </div>
        <div className="desk-row">
          <SeriesPicker value={left} onChange={setLeft} testid="alert-left" />
          <select
            value={op}
            onChange={(e) => setOp(e.target.value as Op)}
            data-testid="alert-op"
            aria-label="Condition"
          >
            {OPS.map(([k, l]) => (
              <option key={k} value={k}>
                {l}
              </option>
            ))}
          </select>
          {!isBand && !isMove && (
            <>
              <select
                value={rightIsSeries ? 'series' : 'value'}
                onChange={(e) => setRightIsSeries(e.target.value === 'series')}
                data-testid="alert-right-kind"
                aria-label="Compare with"
              >
                <option value="value">value</option>
                <option value="series">series</option>
              </select>
              {rightIsSeries ? (
                <SeriesPicker value={right} onChange={setRight} testid="alert-right" />
              ) : (
                <input
                  className="num"
                  value={value}
                  onChange={(e) => setValue(e.target.value)}
                  placeholder="level"
                  data-testid="alert-value"
                />
              )}
            </>
          )}
          {isBand && (
            <>
              <input
                className="num"
                value={lower}
                onChange={(e) => setLower(e.target.value)}
                placeholder="lower"
                data-testid="alert-lower"
              />
              <input
                className="num"
                value={upper}
                onChange={(e) => setUpper(e.target.value)}
                placeholder="upper"
                data-testid="alert-upper"
              />
            </>
          )}
          {isMove && (
            <>
              <input
                className="num"
                value={pct}
                onChange={(e) => setPct(e.target.value)}
                aria-label="Percent"
                data-testid="alert-pct"
              />
              <span className="muted">% in</span>
              <input
                className="num"
                value={bars}
                onChange={(e) => setBars(e.target.value)}
                aria-label="Bars"
                data-testid="alert-bars"
              />
              <span className="muted">bars</span>
            </>
          )}
        </div>
        <div className="desk-row">
          <label>
            Fires
            <select value={mode} onChange={(e) => setMode(e.target.value as 'once' | 'every')} data-testid="alert-mode">
              <option value="once">once</option>
              <option value="every">every time</option>
            </select>
          </label>
          <label>
            Expires
            <input
              type="datetime-local"
              value={expires}
              onChange={(e) => setExpires(e.target.value)}
              data-testid="alert-expires"
            />
          </label>
          <label>
            Severity
            <select
              value={severity}
              onChange={(e) => setSeverity(e.target.value as 'warning')}
              data-testid="alert-severity"
            >
              <option value="info">info</option>
              <option value="warning">warning</option>
              <option value="critical">critical</option>
            </select>
          </label>
          <label>
            Message
            <input
              value={message}
              onChange={(e) => setMessage(e.target.value)}
              style={{ width: 180 }}
              data-testid="alert-message"
            />
          </label>
          <label title="A JSON webhook (POSTed through the outbox, retried). Kept when left empty on an edit.">
            Webhook URL
            <input
              value={webhook}
              onChange={(e) => setWebhook(e.target.value)}
              placeholder={
                rule?.webhooks.length ? `${rule.webhooks.map((w) => w.host).join(', ')} (kept)` : 'https://…'
              }
              style={{ width: 180 }}
              data-testid="alert-webhook"
            />
          </label>
        </div>
        <div className="desk-row">
          <button className="btn" onClick={submit} disabled={!symbol.trim()} data-testid="alert-save">
            {rule ? 'Save changes' : 'Create alert'}
          </button>
          {errors.map((e) => (
            <span key={e} className="neg" data-testid="alert-error">
              {e}
            </span>
          ))}
        </div>
      </div>
    </div>
  );
}
