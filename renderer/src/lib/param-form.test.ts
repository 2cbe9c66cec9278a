import { describe, expect, it } from 'vitest';
import {
  defaultValues,
  fieldsFromSchema,
  labelFor,
  parseValues,
  rangeValues,
  sweepableFields,
  validateField,
} from './param-form';

// What z.toJSONSchema(z.object({fast: z.number().int().min(2).default(10), ...})) produces.
const schema = {
  type: 'object',
  properties: {
    fastPeriod: { type: 'integer', minimum: 2, maximum: 500, default: 10 },
    threshold: { type: 'number', exclusiveMinimum: 0, default: 0.5 },
    allowShort: { type: 'boolean', default: false },
    mode: { type: 'string', enum: ['close', 'open'], default: 'close' },
    note: { type: 'string' },
  },
  required: ['fastPeriod', 'threshold', 'allowShort', 'mode'],
};

describe('param form generation', () => {
  it('generates one field per property, with kinds, bounds and defaults', () => {
    const f = fieldsFromSchema(schema);
    expect(f.map((x) => x.name)).toEqual(['fastPeriod', 'threshold', 'allowShort', 'mode', 'note']);
    expect(f.map((x) => x.kind)).toEqual(['integer', 'number', 'boolean', 'enum', 'string']);
    expect(f[0].label).toBe('Fast period');
    expect(f[0].min).toBe(2);
    expect(f[1].minExclusive).toBe(true);
    expect(defaultValues(f)).toEqual({
      fastPeriod: '10',
      threshold: '0.5',
      allowShort: 'false',
      mode: 'close',
      note: '',
    });
  });
  it('explains invalid input per field', () => {
    const [fast, thr, , mode] = fieldsFromSchema(schema);
    expect(validateField(fast, '1')).toBe('Fast period must be at least 2');
    expect(validateField(fast, '10.5')).toBe('Fast period must be a whole number');
    expect(validateField(fast, 'abc')).toBe('Fast period must be a number');
    expect(validateField(fast, '501')).toBe('Fast period must be at most 500');
    expect(validateField(thr, '0')).toBe('Threshold must be greater than 0');
    expect(validateField(mode, 'vwap')).toBe('Mode must be one of close, open');
    expect(validateField(fast, '20')).toBeNull();
  });
  it('parses texts to typed values and leaves empty optional fields out', () => {
    const f = fieldsFromSchema(schema);
    const { values, errors } = parseValues(f, {
      fastPeriod: '20',
      threshold: '1.5',
      allowShort: 'true',
      mode: 'open',
      note: '',
    });
    expect(errors).toEqual({});
    expect(values).toEqual({ fastPeriod: 20, threshold: 1.5, allowShort: true, mode: 'open' });
    const bad = parseValues(f, { ...defaultValues(f), fastPeriod: '0' });
    expect(Object.keys(bad.errors)).toEqual(['fastPeriod']);
  });
  it('labels snake and camel case', () => {
    expect(labelFor('slow_period')).toBe('Slow period');
    expect(labelFor('rsiOverbought')).toBe('Rsi overbought');
  });
  it('lists sweepable fields and expands ranges without float noise', () => {
    expect(sweepableFields(fieldsFromSchema(schema)).map((f) => f.name)).toEqual(['fastPeriod', 'threshold']);
    expect(rangeValues(0.1, 0.5, 0.1)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(rangeValues(5, 20, 5)).toEqual([5, 10, 15, 20]);
    expect(rangeValues(5, 1, 1)).toEqual([]);
    expect(rangeValues(0, 1, 0)).toEqual([]);
  });
});

describe('array and object params (factor lists)', () => {
  const f = fieldsFromSchema({
    type: 'object',
    properties: {
      rank: {
        type: 'array',
        minItems: 1,
        default: [{ factor: 'book-to-price', weight: 1 }],
        items: { type: 'object' },
      },
      opts: { type: 'object', default: { a: 1 } },
    },
  });
  it('edits them as JSON text with the default filled', () => {
    expect(f.map((x) => x.kind)).toEqual(['json', 'json']);
    expect(defaultValues(f).rank).toBe('[{"factor":"book-to-price","weight":1}]');
  });
  it('validates JSON, shape and minimum length, and parses to values', () => {
    expect(validateField(f[0], '[{')).toBe('Rank must be valid JSON');
    expect(validateField(f[0], '{}')).toBe('Rank must be a JSON array');
    expect(validateField(f[0], '[]')).toBe('Rank needs at least 1 item');
    expect(validateField(f[1], '[1]')).toBe('Opts must be a JSON object');
    expect(parseValues(f, defaultValues(f)).values).toEqual({
      rank: [{ factor: 'book-to-price', weight: 1 }],
      opts: { a: 1 },
    });
  });
});
