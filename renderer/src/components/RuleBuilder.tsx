import {
  ruleFactors,
  rulesFromText,
  rulesToText,
  ruleSides,
  isRankList,
  type ParamField,
  type RuleRow,
} from '../lib/param-form';

const SIDE_LABELS: Record<string, string> = {
  top: 'keep top fraction',
  bottom: 'keep bottom fraction',
  min: 'keep values ≥',
  max: 'keep values ≤',
  descending: 'highest ranks best',
  ascending: 'lowest ranks best',
};

/**
 * A rule list (factor-rank's `filters` and `rank`) edited as rows: pick a factor, a side and a number,
 * instead of typing JSON. Writes the JSON text the strategy reads; returns null when the text is not
 * a list it can show (the caller then keeps the JSON editor).
 */
export function RuleBuilder({
  field,
  text,
  onChange,
  id,
  onRaw,
}: {
  field: ParamField;
  text: string;
  onChange: (text: string) => void;
  id: string;
  onRaw: () => void;
}) {
  const factors = ruleFactors(field);
  const rows = factors ? rulesFromText(field, text) : null;
  if (!factors || !rows) return null;
  const sides = ruleSides(field);
  const rank = isRankList(field);
  const set = (next: RuleRow[]) => onChange(rulesToText(field, next));
  const patch = (i: number, p: Partial<RuleRow>) => set(rows.map((r, k) => (k === i ? { ...r, ...p } : r)));
  return (
    <div className="rule-builder" id={id} data-testid={`rules-${field.name}`}>
      {rows.length === 0 && <div className="muted form-note">No {rank ? 'ranking factor' : 'filter'}.</div>}
      {rows.map((r, i) => (
        <div className="rule-row" key={i}>
          <select
            aria-label={`${field.label} ${i + 1} factor`}
            value={r.factor}
            onChange={(e) => patch(i, { factor: e.target.value })}
          >
            {factors.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
          <select
            aria-label={`${field.label} ${i + 1} side`}
            value={r.side}
            onChange={(e) => patch(i, { side: e.target.value })}
          >
            {sides.map((s) => (
              <option key={s} value={s}>
                {SIDE_LABELS[s] ?? s}
              </option>
            ))}
          </select>
          <input
            aria-label={`${field.label} ${i + 1} ${rank ? 'weight' : 'value'}`}
            title={
              rank
                ? 'weight in the composite score'
                : r.side === 'top' || r.side === 'bottom'
                  ? 'fraction of names (0–1]'
                  : 'threshold'
            }
            className="num"
            value={r.value}
            onChange={(e) => patch(i, { value: e.target.value })}
          />
          <button
            type="button"
            className="btn-ghost"
            aria-label={`Remove ${field.label} ${i + 1}`}
            onClick={() => set(rows.filter((_, k) => k !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        type="button"
        className="btn-ghost"
        data-testid={`add-${field.name}`}
        onClick={() =>
          set([
            ...rows,
            {
              factor: factors[0],
              side: sides[0],
              value: rank ? '1' : sides[0] === 'top' || sides[0] === 'bottom' ? '0.2' : '0',
            },
          ])
        }
      >
        + add {rank ? 'ranking factor' : 'filter'}
      </button>
      <button
        type="button"
        className="btn-ghost"
        data-testid={`raw-${field.name}`}
        onClick={onRaw}
        title="Edit this list as JSON text"
      >
        JSON
      </button>
    </div>
  );
}
