/**
 * Form generation from a strategy's parameter description. Strategies declare their parameters as a
 * zod schema; across the API it travels as JSON Schema (`z.toJSONSchema`), an object schema whose
 * properties are numbers, integers, booleans, strings or enums with defaults and bounds.
 */

/** The subset of JSON Schema a parameter description uses. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly description?: string;
  readonly title?: string;
  readonly anyOf?: readonly JsonSchema[];
  readonly items?: JsonSchema;
  readonly minItems?: number;
}

/** `json`: arrays and objects (e.g. a factor list), edited as JSON text. */
export type FieldKind = 'number' | 'integer' | 'boolean' | 'enum' | 'string' | 'json';

/** One generated form field. Bounds are inclusive after folding exclusive ones into `minExclusive`. */
export interface ParamField {
  readonly name: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly defaultValue: string;
  readonly required: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly minExclusive?: boolean;
  readonly maxExclusive?: boolean;
  readonly options?: readonly string[];
  readonly description?: string;
  /** For `json` fields: whether the value must be an array, and its minimum length. */
  readonly isArray?: boolean;
  readonly minItems?: number;
  /** For `json` array fields: the schema of one item (a rule builder reads its `factor` enum). */
  readonly itemSchema?: JsonSchema;
}

/** `fastPeriod` / `fast_period` → `Fast period`. */
export function labelFor(name: string): string {
  const words = name
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function kindOf(s: JsonSchema): FieldKind {
  if (s.enum) return 'enum';
  const t = Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
  if (t === 'integer') return 'integer';
  if (t === 'number') return 'number';
  if (t === 'boolean') return 'boolean';
  if (t === 'array' || t === 'object') return 'json';
  if (!t && s.anyOf) {
    const inner = s.anyOf.find((x) => x.type !== 'null');
    return inner ? kindOf(inner) : 'string';
  }
  return 'string';
}

/** Turns an object schema into form fields, in declaration order, defaults as text ('' when none). */
export function fieldsFromSchema(schema: JsonSchema | null | undefined): ParamField[] {
  const props = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  return Object.entries(props).map(([name, s]) => {
    const kind = kindOf(s);
    const def = s.default;
    return {
      name,
      label: s.title ?? labelFor(name),
      kind,
      defaultValue: def === undefined || def === null ? '' : kind === 'json' ? JSON.stringify(def) : String(def),
      // A field with a default may be left as is, even if the schema lists it as required.
      required: required.has(name) && def === undefined,
      min: s.minimum ?? s.exclusiveMinimum,
      max: s.maximum ?? s.exclusiveMaximum,
      minExclusive: s.exclusiveMinimum !== undefined && s.minimum === undefined,
      maxExclusive: s.exclusiveMaximum !== undefined && s.maximum === undefined,
      options: s.enum?.map(String),
      description: s.description,
      isArray: kind === 'json' ? (Array.isArray(s.type) ? s.type.includes('array') : s.type === 'array') : undefined,
      minItems: s.minItems,
      itemSchema: kind === 'json' ? s.items : undefined,
    };
  });
}

/** Initial form values: every field's default. */
export function defaultValues(fields: readonly ParamField[]): Record<string, string> {
  return Object.fromEntries(fields.map((f) => [f.name, f.defaultValue]));
}

/** Validates one field's text; returns a message for the user, or null when valid. */
export function validateField(field: ParamField, text: string): string | null {
  const t = text.trim();
  if (t === '') return field.required ? `${field.label} is required` : null;
  switch (field.kind) {
    case 'boolean':
      return t === 'true' || t === 'false' ? null : `${field.label} must be true or false`;
    case 'enum':
      return field.options?.includes(t) ? null : `${field.label} must be one of ${field.options?.join(', ')}`;
    case 'string':
      return null;
    case 'json': {
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch {
        return `${field.label} must be valid JSON`;
      }
      if (field.isArray && !Array.isArray(v)) return `${field.label} must be a JSON array`;
      if (!field.isArray && (typeof v !== 'object' || v === null || Array.isArray(v)))
        return `${field.label} must be a JSON object`;
      if (field.isArray && field.minItems !== undefined && (v as unknown[]).length < field.minItems)
        return `${field.label} needs at least ${field.minItems} item${field.minItems === 1 ? '' : 's'}`;
      return null;
    }
    case 'number':
    case 'integer': {
      const n = Number(t);
      if (!Number.isFinite(n)) return `${field.label} must be a number`;
      if (field.kind === 'integer' && !Number.isInteger(n)) return `${field.label} must be a whole number`;
      if (field.min !== undefined && (field.minExclusive ? n <= field.min : n < field.min))
        return `${field.label} must be ${field.minExclusive ? 'greater than' : 'at least'} ${field.min}`;
      if (field.max !== undefined && (field.maxExclusive ? n >= field.max : n > field.max))
        return `${field.label} must be ${field.maxExclusive ? 'less than' : 'at most'} ${field.max}`;
      return null;
    }
  }
}

/**
 * Validates every field and converts the texts to typed values. Empty optional fields are left out
 * (the strategy's schema applies its default). `errors` is keyed by field name.
 */
export function parseValues(
  fields: readonly ParamField[],
  texts: Readonly<Record<string, string>>,
): { values: Record<string, unknown>; errors: Record<string, string> } {
  const values: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const text = (texts[f.name] ?? '').trim();
    const err = validateField(f, text);
    if (err) {
      errors[f.name] = err;
      continue;
    }
    if (text === '') continue;
    values[f.name] =
      f.kind === 'number' || f.kind === 'integer'
        ? Number(text)
        : f.kind === 'boolean'
          ? text === 'true'
          : f.kind === 'json'
            ? JSON.parse(text)
            : text;
  }
  return { values, errors };
}

/** Numeric fields, the ones a sweep can vary. */
export function sweepableFields(fields: readonly ParamField[]): ParamField[] {
  return fields.filter((f) => f.kind === 'number' || f.kind === 'integer');
}

/** Values of a range `from..to` by `step` (inclusive, rounded to avoid 0.30000000000000004); [] when invalid. */
export function rangeValues(from: number, to: number, step: number, maxCount = 10_000): number[] {
  if (!Number.isFinite(from) || !Number.isFinite(to) || !Number.isFinite(step) || step <= 0 || to < from) return [];
  const n = Math.floor((to - from) / step + 1e-9) + 1;
  if (n > maxCount) return [];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(Number((from + i * step).toPrecision(12)));
  return out;
}

/** The factor choices of a rule list field (an array of objects with a `factor` enum), or null for other fields. */
export function ruleFactors(field: ParamField): readonly string[] | null {
  const f = field.itemSchema?.properties?.factor;
  if (!field.isArray || !f?.enum) return null;
  return f.enum.map(String);
}

/** One rule as the builder edits it: a factor, a side (`top`/`bottom`/`min`/`max`, or `ascending`/`descending`) and a number. */
export interface RuleRow {
  readonly factor: string;
  readonly side: string;
  readonly value: string;
}

/** Whether a rule list ranks (items carry `order` and `weight`) rather than filters. */
export function isRankList(field: ParamField): boolean {
  return !!field.itemSchema?.properties?.order;
}

/** Sides a rule row may take. */
export function ruleSides(field: ParamField): readonly string[] {
  if (isRankList(field)) return ['descending', 'ascending'];
  const props = field.itemSchema?.properties ?? {};
  return ['top', 'bottom', 'min', 'max'].filter((k) => k in props);
}

/** Reads a rule list's JSON text into rows; null when it is not a list of rules the builder can show. */
export function rulesFromText(field: ParamField, text: string): RuleRow[] | null {
  let v: unknown;
  try {
    v = JSON.parse(text.trim() === '' ? field.defaultValue || '[]' : text);
  } catch {
    return null;
  }
  if (!Array.isArray(v)) return null;
  const rank = isRankList(field);
  const sides = ruleSides(field);
  const rows: RuleRow[] = [];
  for (const item of v) {
    if (typeof item !== 'object' || item === null) return null;
    const o = item as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => k !== 'factor');
    if (rank) {
      if (keys.some((k) => k !== 'order' && k !== 'weight')) return null;
      rows.push({
        factor: String(o.factor ?? ''),
        side: String(o.order ?? 'ascending'),
        value: o.weight === undefined ? '1' : String(o.weight),
      });
    } else {
      if (keys.length !== 1 || !sides.includes(keys[0])) return null;
      rows.push({ factor: String(o.factor ?? ''), side: keys[0], value: String(o[keys[0]]) });
    }
  }
  return rows;
}

/** Rows back to the JSON text the strategy reads (a number where the text is one). */
export function rulesToText(field: ParamField, rows: readonly RuleRow[]): string {
  const num = (t: string) => (t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : t);
  const out = rows.map((r) =>
    isRankList(field)
      ? { factor: r.factor, order: r.side, weight: num(r.value) }
      : { factor: r.factor, [r.side]: num(r.value) },
  );
  return JSON.stringify(out);
}
