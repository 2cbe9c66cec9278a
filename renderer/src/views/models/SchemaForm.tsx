import { useState } from 'react';

/** The JSON Schema subset zod's `toJSONSchema` gives a model spec: objects, one-of unions on a `kind` const, scalars, arrays. */
export interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

type Value = unknown;

const ROW: React.CSSProperties = {
  display: 'grid',
  gridTemplateColumns: '110px 1fr auto',
  alignItems: 'center',
  gap: 6,
  margin: '2px 0',
  fontSize: 12,
};
const GROUP: React.CSSProperties = { border: '1px solid var(--border)', padding: '4px 6px', margin: '4px 0' };
type Obj = Record<string, Value>;

/** The defaults of an object schema's properties (what a new union branch starts from). */
export function defaultsOf(schema: JsonSchema): Obj {
  const out: Obj = {};
  for (const [k, p] of Object.entries(schema.properties ?? {})) {
    if (p.const !== undefined) out[k] = p.const;
    else if (p.default !== undefined) out[k] = p.default;
  }
  return out;
}

/** The branch of a `oneOf` whose `kind` const equals `value.kind` (else the first). */
export function branchOf(schema: JsonSchema, value: Value): JsonSchema {
  const kind = (value as Obj | null)?.kind;
  return schema.oneOf?.find((b) => b.properties?.kind?.const === kind) ?? schema.oneOf![0];
}

function listText(v: Value): string {
  return Array.isArray(v) ? v.join(', ') : '';
}

/**
 * One field generated from its schema: a select for a `kind` union (switching kind starts from that kind's
 * defaults), a fieldset per object, number / text / checkbox inputs, comma lists for arrays of scalars, and one
 * JSON line per item for arrays of objects (features: `{"name": "rsi", "period": 14}`).
 */
export function SchemaField({
  name,
  schema,
  value,
  onChange,
}: {
  name: string;
  schema: JsonSchema;
  value: Value;
  onChange: (v: Value) => void;
}) {
  const v = value === undefined ? schema.default : value;
  if (schema.oneOf) {
    const branch = branchOf(schema, v);
    const kinds = schema.oneOf.map((b) => String(b.properties?.kind?.const));
    return (
      <fieldset style={GROUP} aria-label={name}>
        <legend>{name}</legend>
        <label style={ROW}>
          <span>kind</span>
          <select
            aria-label={`${name}.kind`}
            value={String(branch.properties?.kind?.const)}
            onChange={(e) =>
              onChange(defaultsOf(schema.oneOf!.find((b) => b.properties?.kind?.const === e.target.value)!))
            }
          >
            {kinds.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <ObjectFields schema={branch} value={(v ?? {}) as Obj} path={name} onChange={onChange} skip="kind" />
      </fieldset>
    );
  }
  if (schema.type === 'object' && schema.properties) {
    return (
      <fieldset style={GROUP} aria-label={name}>
        <legend>{name}</legend>
        <ObjectFields schema={schema} value={(v ?? {}) as Obj} path={name} onChange={onChange} />
      </fieldset>
    );
  }
  if (schema.type === 'array' && schema.items?.type === 'object')
    return <ObjectList name={name} value={(v ?? []) as Obj[]} onChange={onChange} />;
  const label = (input: React.ReactNode) => (
    <label style={ROW} title={schema.description}>
      <span>{name.split('.').pop()}</span>
      {input}
    </label>
  );
  if (schema.type === 'array') {
    const numeric = schema.items?.type === 'number' || schema.items?.type === 'integer';
    return label(
      <input
        aria-label={name}
        defaultValue={listText(v)}
        placeholder={schema.description ?? 'comma-separated'}
        onBlur={(e) => {
          const parts = e.target.value
            .split(',')
            .map((x) => x.trim())
            .filter((x) => x !== '');
          onChange(parts.length === 0 ? undefined : numeric ? parts.map(Number) : parts);
        }}
      />,
    );
  }
  if (schema.type === 'boolean')
    return label(
      <input type="checkbox" aria-label={name} checked={v === true} onChange={(e) => onChange(e.target.checked)} />,
    );
  if (schema.type === 'number' || schema.type === 'integer') {
    return label(
      <input
        type="number"
        aria-label={name}
        value={typeof v === 'number' ? v : ''}
        step={schema.type === 'integer' ? 1 : 'any'}
        min={schema.minimum}
        max={schema.maximum}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
      />,
    );
  }
  return label(
    <input
      aria-label={name}
      value={typeof v === 'string' ? v : ''}
      placeholder={schema.description}
      onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
    />,
  );
}

function ObjectFields({
  schema,
  value,
  path,
  onChange,
  skip,
}: {
  schema: JsonSchema;
  value: Obj;
  path: string;
  onChange: (v: Value) => void;
  skip?: string;
}) {
  return (
    <>
      {Object.entries(schema.properties ?? {})
        .filter(([k]) => k !== skip)
        .map(([k, p]) => (
          <SchemaField
            key={`${path}.${k}.${String(value.kind ?? '')}`}
            name={path === '' ? k : `${path}.${k}`}
            schema={p}
            value={value[k]}
            onChange={(nv) => {
              const next = { ...value };
              if (nv === undefined) delete next[k];
              else next[k] = nv;
              onChange(next);
            }}
          />
        ))}
    </>
  );
}

/** An array of open objects (features): one JSON line per item, checked on blur; add and remove rows. */
function ObjectList({ name, value, onChange }: { name: string; value: Obj[]; onChange: (v: Value) => void }) {
  const [bad, setBad] = useState<Record<number, string>>({});
  return (
    <fieldset style={GROUP} aria-label={name}>
      <legend>{name}</legend>
      {value.map((item, i) => (
        <div key={`${i}:${JSON.stringify(item)}`} style={{ ...ROW, gridTemplateColumns: '1fr auto' }}>
          <input
            aria-label={`${name}.${i}`}
            className="mono"
            defaultValue={JSON.stringify(item)}
            style={bad[i] ? { borderColor: 'var(--bad, #e5534b)' } : undefined}
            title={bad[i] ?? 'a feature: {"name": …, …params} (quantdesk features list)'}
            onBlur={(e) => {
              try {
                const parsed = JSON.parse(e.target.value) as unknown;
                if (
                  typeof parsed !== 'object' ||
                  parsed === null ||
                  Array.isArray(parsed) ||
                  typeof (parsed as Obj).name !== 'string'
                )
                  throw new Error('expected {"name": …, …params}');
                setBad(({ [i]: _, ...rest }) => rest);
                onChange(value.map((x, j) => (j === i ? (parsed as Obj) : x)));
              } catch (err) {
                setBad((b) => ({ ...b, [i]: `${name}.${i}: ${(err as Error).message}` }));
              }
            }}
          />
          <button
            className="btn-ghost"
            aria-label={`remove ${name}.${i}`}
            onClick={() => onChange(value.filter((_, j) => j !== i))}
          >
            ×
          </button>
        </div>
      ))}
      <button
        className="btn-ghost"
        onClick={() => onChange([...value, { name: 'return', window: 5 }])}
        data-testid={`add-${name}`}
      >
        + add
      </button>
    </fieldset>
  );
}

/** The whole spec form: every top-level property of `schema`, generated. */
export function SchemaForm({
  schema,
  value,
  onChange,
}: {
  schema: JsonSchema;
  value: Obj;
  onChange: (v: Obj) => void;
}) {
  return (
    <div className="schema-form" data-testid="spec-form">
      <ObjectFields schema={schema} value={value} path="" onChange={(v) => onChange(v as Obj)} />
    </div>
  );
}
