import { z } from 'zod';

/** One parameter as a JSON-Schema property: `{ "type": "integer", "default": 10, "minimum": 1 }`. */
export interface ParamProperty {
  readonly type?: 'integer' | 'number' | 'string' | 'boolean';
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly enum?: readonly (string | number)[];
  readonly description?: string;
}

/** Parameters as a plain object of JSON-Schema properties. */
export type ParamProperties = Readonly<Record<string, ParamProperty>>;

/** Whether `p` is a zod schema (it has `safeParse`) rather than a properties object. */
export function isZodSchema(p: unknown): p is z.ZodType {
  return p !== null && typeof p === 'object' && typeof (p as { safeParse?: unknown }).safeParse === 'function';
}

/**
 * The zod object schema equal to a JSON-Schema properties object: each property's type, bounds, enum,
 * default and description; unknown keys rejected (as the built-ins' `.strict()` schemas do).
 * @throws Error naming the property for an unsupported `type`.
 */
export function propertiesToZod(props: ParamProperties): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, p] of Object.entries(props)) {
    let t: z.ZodType;
    if (p.enum) {
      const vals = [...p.enum];
      t = vals.every((v) => typeof v === 'string')
        ? z.enum(vals as [string, ...string[]])
        : z.union(vals.map((v) => z.literal(v)) as unknown as [z.ZodType, z.ZodType]);
    } else if (p.type === 'integer' || p.type === 'number' || p.type === undefined) {
      let n = p.type === 'integer' ? z.number().int() : z.number();
      if (p.minimum !== undefined) n = n.min(p.minimum);
      if (p.maximum !== undefined) n = n.max(p.maximum);
      if (p.exclusiveMinimum !== undefined) n = n.gt(p.exclusiveMinimum);
      if (p.exclusiveMaximum !== undefined) n = n.lt(p.exclusiveMaximum);
      t = n;
    } else if (p.type === 'string') t = z.string();
    else if (p.type === 'boolean') t = z.boolean();
    else throw new Error(`params.${name}: unsupported type "${String(p.type)}" (integer, number, string, boolean)`);
    if (p.description) t = t.describe(p.description);
    shape[name] = p.default !== undefined ? (t as z.ZodType<unknown>).default(p.default as never) : t;
  }
  return z.object(shape).strict();
}
