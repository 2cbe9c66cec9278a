import { useState } from 'react';
import { ruleFactors, rulesFromText, validateField, type ParamField } from '../lib/param-form';
import { RuleBuilder } from './RuleBuilder';

/**
 * A form generated from parameter fields: one input per field (select for enums and booleans), the
 * default shown, an inline message under an invalid value.
 */
export function ParamForm({
  fields,
  values,
  onChange,
  idPrefix = 'param',
}: {
  fields: readonly ParamField[];
  values: Readonly<Record<string, string>>;
  onChange: (name: string, text: string) => void;
  idPrefix?: string;
}) {
  // Rule lists shown as JSON text instead of rows (the builder's "JSON" switch).
  const [raw, setRaw] = useState<ReadonlySet<string>>(new Set());
  if (fields.length === 0) return <div className="muted">No parameters.</div>;
  return (
    <div data-testid="param-form">
      {fields.map((f) => {
        const text = values[f.name] ?? '';
        const err = validateField(f, text);
        const id = `${idPrefix}-${f.name}`;
        return (
          <label key={f.name} className="field" htmlFor={id} title={f.description ?? f.label}>
            <span>{f.label}</span>
            {f.kind === 'enum' || f.kind === 'boolean' ? (
              <select id={id} name={f.name} value={text} onChange={(e) => onChange(f.name, e.target.value)}>
                {!f.required && f.kind === 'enum' && <option value="">(default)</option>}
                {(f.kind === 'boolean' ? ['true', 'false'] : (f.options ?? [])).map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : f.kind === 'json' && !raw.has(f.name) && ruleFactors(f) && rulesFromText(f, text) ? (
              <RuleBuilder
                field={f}
                text={text}
                id={id}
                onChange={(t) => onChange(f.name, t)}
                onRaw={() => setRaw(new Set([...raw, f.name]))}
              />
            ) : f.kind === 'json' ? (
              <textarea
                id={id}
                name={f.name}
                className="mono"
                rows={Math.min(6, Math.max(2, Math.ceil(text.length / 34)))}
                value={text}
                spellCheck={false}
                aria-invalid={err ? 'true' : 'false'}
                onChange={(e) => onChange(f.name, e.target.value)}
              />
            ) : (
              <input
                id={id}
                name={f.name}
                className={f.kind === 'string' ? undefined : 'num'}
                value={text}
                placeholder={f.defaultValue}
                inputMode={f.kind === 'string' ? 'text' : 'decimal'}
                aria-invalid={err ? 'true' : 'false'}
                onChange={(e) => onChange(f.name, e.target.value)}
              />
            )}
            {err && (
              <span className="field-error" data-field-error={f.name}>
                {err}
              </span>
            )}
          </label>
        );
      })}
    </div>
  );
}
