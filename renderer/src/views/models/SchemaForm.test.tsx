import { cleanup, fireEvent, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { SchemaForm, type JsonSchema } from './SchemaForm';

afterEach(cleanup);

// The shape zod's toJSONSchema gives the model spec (core/models/spec.ts), trimmed.
const SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    universe: { type: 'string', default: 'all' },
    symbols: { type: 'array', items: { type: 'string' } },
    start: { type: 'string' },
    features: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
    model: {
      default: { kind: 'gbdt', trees: 100 },
      oneOf: [
        {
          type: 'object',
          properties: {
            kind: { type: 'string', const: 'gbdt' },
            trees: { type: 'integer', default: 100 },
            depth: { type: 'integer', default: 4 },
          },
        },
        {
          type: 'object',
          properties: { kind: { type: 'string', const: 'linear' }, lambda: { type: 'number', default: 1 } },
        },
      ],
    },
    walkForward: {
      type: 'object',
      properties: { train: { type: 'integer', default: 756 }, anchored: { type: 'boolean', default: false } },
    },
  },
};

describe('the spec form generated from the schema', () => {
  it('edits numbers, lists, a kind union (a new kind starts from its defaults) and features as JSON rows', () => {
    let spec: Record<string, unknown> = {
      start: '2016-01-01',
      features: [{ name: 'rsi', period: 14 }],
      model: { kind: 'gbdt', trees: 50, depth: 4 },
      walkForward: { train: 504, anchored: false },
    };
    const view = () => render(<SchemaForm schema={SCHEMA} value={spec} onChange={(v) => (spec = v)} />);
    let r = view();
    fireEvent.change(r.getByLabelText('model.trees'), { target: { value: '200' } });
    expect(spec.model).toEqual({ kind: 'gbdt', trees: 200, depth: 4 });
    fireEvent.click(r.getByLabelText('walkForward.anchored'));
    expect(spec.walkForward).toEqual({ train: 504, anchored: true });
    fireEvent.blur(r.getByLabelText('symbols'), { target: { value: 'AAA, BBB' } });
    expect(spec.symbols).toEqual(['AAA', 'BBB']);
    fireEvent.change(r.getByLabelText('model.kind'), { target: { value: 'linear' } });
    expect(spec.model).toEqual({ kind: 'linear', lambda: 1 });
    cleanup();
    r = view();
    expect((r.getByLabelText('model.lambda') as HTMLInputElement).value).toBe('1');
    fireEvent.blur(r.getByLabelText('features.0'), { target: { value: '{"name": "rsi", "period": 21}' } });
    expect(spec.features).toEqual([{ name: 'rsi', period: 21 }]);
    fireEvent.blur(r.getByLabelText('features.0'), { target: { value: '{"period": 21' } });
    expect(spec.features).toEqual([{ name: 'rsi', period: 21 }]);
    expect(r.getByLabelText('features.0').getAttribute('title')).toMatch(/^features\.0: /);
    fireEvent.click(r.getByTestId('add-features'));
    expect(spec.features).toHaveLength(2);
    fireEvent.change(r.getByLabelText('universe'), { target: { value: '' } });
    expect('universe' in spec).toBe(false);
  });
});
