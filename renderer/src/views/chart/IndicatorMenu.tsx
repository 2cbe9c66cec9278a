import { useEffect, useMemo, useState } from 'react';
import { ParamForm } from '../../components/ParamForm';
import { defaultValues, fieldsFromSchema, parseValues, type JsonSchema } from '../../lib/param-form';
import { addIndicator, OVERLAY_INDICATORS, useIndicatorsStore } from '../../stores/indicators-store';

const PREFERRED = ['sma', 'ema', 'bbands', 'ichimoku', 'rsi', 'macd', 'stoch'];

/** The "Indicators" menu: pick an overlay or a lower pane, set its parameters, add it. */
export function IndicatorMenu() {
  const catalog = useIndicatorsStore((s) => s.catalog);
  const [isOpen, setOpen] = useState(false);
  const [name, setName] = useState<string | null>(null);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const ordered = useMemo(
    () => [...catalog].sort((a, b) => (PREFERRED.indexOf(a.name) + 1 || 99) - (PREFERRED.indexOf(b.name) + 1 || 99)),
    [catalog],
  );
  // Esc closes the menu (and does not reach the view shortcuts).
  useEffect(() => {
    if (!isOpen) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        setOpen(false);
      }
    };
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [isOpen]);
  const desc = catalog.find((d) => d.name === name) ?? null;
  const fields = useMemo(() => fieldsFromSchema((desc?.paramsSchema ?? null) as JsonSchema | null), [desc]);
  const parsed = parseValues(fields, texts);
  const choose = (n: string) => {
    setName(n);
    const d = catalog.find((x) => x.name === n);
    setTexts(defaultValues(fieldsFromSchema((d?.paramsSchema ?? null) as JsonSchema | null)));
  };
  const add = () => {
    if (!name || Object.keys(parsed.errors).length > 0) return;
    void addIndicator(name, parsed.values as Record<string, number>);
    setOpen(false);
    setName(null);
  };
  return (
    <div className="menu">
      <button className="btn" onClick={() => setOpen((o) => !o)} data-testid="indicator-menu">
        Indicators ▾
      </button>
      {isOpen && (
        <div className="menu-pop" style={{ width: 340 }} data-testid="indicator-pop">
          <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 2 }}>
            {ordered.map((d) => (
              <button
                key={d.name}
                className={d.name === name ? 'btn btn-primary' : 'btn'}
                style={{ textAlign: 'left' }}
                title={d.description}
                onClick={() => choose(d.name)}
                data-indicator={d.name}
              >
                {d.name.toUpperCase()}{' '}
                <span className="muted">{OVERLAY_INDICATORS.has(d.name) ? 'overlay' : 'pane'}</span>
              </button>
            ))}
          </div>
          {desc && (
            <div style={{ marginTop: 8 }}>
              <div className="muted" style={{ marginBottom: 4 }}>
                {desc.description}
              </div>
              <ParamForm
                fields={fields}
                values={texts}
                onChange={(n, t) => setTexts((v) => ({ ...v, [n]: t }))}
                idPrefix="ind"
              />
              <div style={{ display: 'flex', justifyContent: 'flex-end', marginTop: 6 }}>
                <button
                  className="btn btn-primary"
                  disabled={Object.keys(parsed.errors).length > 0}
                  onClick={add}
                  data-testid="add-indicator"
                >
                  Add {desc.name.toUpperCase()}
                </button>
              </div>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
