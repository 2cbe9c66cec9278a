import { useEffect, useState } from 'react';
import type { RiskLimitsValue } from '../../../../core/contract';
import { setRiskLimits, useLiveStore } from '../../stores/live-store';

type Texts = {
  maxGrossExposure: string;
  maxDailyLoss: string;
  maxPosition: string;
  maxOrderNotional: string;
  fatFingerPct: string;
};

function toTexts(r: RiskLimitsValue | null): Texts {
  const all = r?.symbols['*'] ?? {};
  const t = (v: number | undefined) => (v === undefined ? '' : String(v));
  return {
    maxGrossExposure: t(r?.maxGrossExposure),
    maxDailyLoss: t(r?.maxDailyLoss),
    maxPosition: t(all.maxPosition),
    maxOrderNotional: t(all.maxOrderNotional),
    fatFingerPct: all.fatFingerPct === undefined ? '' : String(all.fatFingerPct * 100),
  };
}

/**
 * Parses the risk form: empty = no limit; every value must be a positive number. Per-symbol limits
 * apply to every symbol (`*`), keeping the symbol-specific entries already set.
 */
export function limitsFromTexts(
  t: Texts,
  current: RiskLimitsValue | null,
): { limits: RiskLimitsValue | null; errors: Partial<Record<keyof Texts, string>> } {
  const errors: Partial<Record<keyof Texts, string>> = {};
  const num = (k: keyof Texts) => {
    const s = t[k].trim();
    if (s === '') return undefined;
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0) errors[k] = 'must be a positive number';
    return n;
  };
  const maxGrossExposure = num('maxGrossExposure');
  const maxDailyLoss = num('maxDailyLoss');
  const maxPosition = num('maxPosition');
  const maxOrderNotional = num('maxOrderNotional');
  const ff = num('fatFingerPct');
  if (Object.keys(errors).length > 0) return { limits: null, errors };
  const star = Object.fromEntries(
    Object.entries({ maxPosition, maxOrderNotional, fatFingerPct: ff === undefined ? undefined : ff / 100 }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const symbols = { ...(current?.symbols ?? {}) };
  if (Object.keys(star).length > 0) symbols['*'] = star;
  else delete symbols['*'];
  const limits: RiskLimitsValue = {
    symbols,
    ...(maxGrossExposure !== undefined ? { maxGrossExposure } : {}),
    ...(maxDailyLoss !== undefined ? { maxDailyLoss } : {}),
    ...(current?.hard ? { hard: current.hard } : {}),
  };
  return { limits, errors };
}

const LABELS: Record<keyof Texts, string> = {
  maxGrossExposure: 'Max gross exposure',
  maxDailyLoss: 'Max daily loss',
  maxPosition: 'Max position (units)',
  maxOrderNotional: 'Max order notional',
  fatFingerPct: 'Fat finger %',
};

/** Risk limits of the session: account-wide and for every symbol; a hard breach trips the kill switch. */
export function RiskPanel() {
  const risk = useLiveStore((s) => s.risk);
  const [texts, setTexts] = useState<Texts>(toTexts(risk));
  const [errors, setErrors] = useState<Partial<Record<keyof Texts, string>>>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => setTexts(toTexts(risk)), [risk]);
  return (
    <div className="panel">
      <div className="panel-title">
        Risk limits <span className="muted">empty = no limit · breaches of hard limits trip the kill switch</span>
      </div>
      <form
        className="toolbar"
        style={{ background: 'none', alignItems: 'flex-start' }}
        onSubmit={(e) => {
          e.preventDefault();
          const { limits, errors: errs } = limitsFromTexts(texts, risk);
          setErrors(errs);
          setSaved(false);
          if (limits) void setRiskLimits(limits).then(setSaved);
        }}
      >
        {(Object.keys(LABELS) as (keyof Texts)[]).map((k) => (
          <label key={k} style={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            <span className="muted">{LABELS[k]}</span>
            <input
              className="num"
              style={{ width: 120 }}
              value={texts[k]}
              aria-invalid={errors[k] ? 'true' : 'false'}
              onChange={(e) => setTexts({ ...texts, [k]: e.target.value })}
            />
            {errors[k] && <span className="field-error">{errors[k]}</span>}
          </label>
        ))}
        <button className="btn" type="submit" style={{ alignSelf: 'center' }}>
          Apply limits
        </button>
        {saved && (
          <span className="pos" style={{ alignSelf: 'center' }}>
            saved
          </span>
        )}
      </form>
    </div>
  );
}
