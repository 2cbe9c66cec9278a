import { describe, expect, it } from 'vitest';
import { fieldsFromSchema, rulesFromText, rulesToText } from '../lib/param-form';
import { buildSpec, DEFAULT_SETUP, readDraft, specToForm, type SetupForm } from './backtest-form';
import { parseSpecFile } from './spec-file';

const fields = fieldsFromSchema({ type: 'object', properties: { fast: { type: 'integer', minimum: 1, default: 10 } } });

const full: SetupForm = {
  ...DEFAULT_SETUP,
  symbols: 'AAA, BBB',
  start: '2015-01-02',
  end: '2019-12-31',
  benchmark: 'SPY',
  sizingMethod: 'volatility-target',
  sizingTargetVol: '0.1',
  sizingLookback: '30',
  sizingMaxWeight: '0.5',
  wholeUnits: false,
  closeAtEnd: true,
  endFill: 'open',
  intrabar: 'optimistic',
  adjustment: 'raw',
  barsPerYear: '250',
  warmup: '60',
  stopLoss: { kind: 'pct', value: '5', period: '14' },
  takeProfit: { kind: 'atr', value: '3', period: '20' },
  trailingStop: { kind: 'pct', value: '8', period: '14' },
};

describe('the Backtest form covers the spec', () => {
  it('writes every engine option and the exits into the spec', () => {
    const { spec, errors } = buildSpec('sma-cross', fields, { fast: '12' }, full);
    expect(errors).toEqual({});
    expect(spec).toMatchObject({
      sizing: { method: 'volatility-target', targetVol: 0.1, lookback: 30, maxWeight: 0.5 },
      wholeUnits: false,
      closeAtEnd: true,
      endFill: 'open',
      intrabar: 'optimistic',
      adjustment: 'raw',
      barsPerYear: 250,
      warmup: 60,
      exits: { stopLoss: { pct: 5 }, takeProfit: { atr: 3, period: 20 }, trailingStop: { pct: 8 } },
    });
  });

  it('round-trips: spec → form → the same spec', () => {
    const { spec } = buildSpec('sma-cross', fields, { fast: '12' }, full);
    const back = specToForm(JSON.parse(JSON.stringify(spec)));
    if (!back.ok) throw new Error(back.error);
    expect(back.form.setup).toEqual(full);
    expect(back.form.params).toEqual({ fast: 12 });
    expect(buildSpec('sma-cross', fields, { fast: '12' }, back.form.setup).spec).toEqual(spec);
  });

  it('explains bad exits and sizing per field', () => {
    const { spec, errors } = buildSpec(
      'sma-cross',
      fields,
      {},
      {
        ...DEFAULT_SETUP,
        symbols: 'A',
        sizingMethod: 'fixed-qty',
        sizingQty: '0',
        warmup: '-1',
        stopLoss: { kind: 'pct', value: '100', period: '14' },
        trailingStop: { kind: 'atr', value: '2', period: '0' },
      },
    );
    expect(spec).toBeNull();
    expect(errors['setup.sizingQty']).toMatch(/Quantity/);
    expect(errors['setup.warmup']).toMatch(/whole number at least 0/);
    expect(errors['setup.stopLoss']).toMatch(/at most 99\.99/);
    expect(errors['setup.trailingStop']).toMatch(/ATR period/);
  });

  it('a spec file with bad JSON names the file and line; a bad field names the field', () => {
    const bad = parseSpecFile('my.spec.json', '{\n  "strategy": "sma-cross",\n  "symbols": [AAA]\n}');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/^my\.spec\.json, line 3: not valid JSON/);
    const field = parseSpecFile(
      'x.json',
      JSON.stringify({ strategy: 'sma-cross', symbols: ['A'], intrabar: 'sometimes' }),
    );
    expect(field).toEqual({ ok: false, error: 'x.json: intrabar: expected one of conservative, optimistic' });
    expect(parseSpecFile('y.json', JSON.stringify({ strategy: 'sma-cross', symbols: ['A'], stops: 1 }))).toEqual({
      ok: false,
      error: 'y.json: stops: not a field of a backtest spec',
    });
    expect(parseSpecFile('z.json', JSON.stringify({ strategy: 'x', exits: { stopLoss: 5 } }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/exits\.stopLoss/),
    });
  });

  it('a minimal spec fills the engine defaults (no costs when none are written)', () => {
    const r = specToForm({ strategy: 'sma-cross', symbols: ['A'] });
    if (!r.ok) throw new Error(r.error);
    expect(r.form.setup).toMatchObject({
      commissionBps: '0',
      slippageBps: '0',
      sizingMethod: 'all-in',
      stopLoss: { kind: 'off' },
    });
  });

  it('reads a draft, ignoring unknown keys and wrong types', () => {
    const d = readDraft(
      JSON.stringify({
        strategy: 's',
        paramTexts: { a: '1', b: 2 },
        setup: { capital: '5', closeAtEnd: 'yes', bogus: 1 },
      }),
    );
    expect(d?.paramTexts).toEqual({ a: '1' });
    expect(d?.setup.capital).toBe('5');
    expect(d?.setup.closeAtEnd).toBe(false);
    expect(readDraft('{broken')).toBeNull();
  });
});

describe('factor rule builder', () => {
  const schema = {
    type: 'object',
    properties: {
      filters: {
        type: 'array',
        default: [],
        items: {
          type: 'object',
          properties: {
            factor: { type: 'string', enum: ['pbr', 'market-cap'] },
            bottom: { type: 'number' },
            top: { type: 'number' },
            min: { type: 'number' },
            max: { type: 'number' },
          },
        },
      },
      rank: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            factor: { type: 'string', enum: ['pbr', 'market-cap'] },
            order: { type: 'string', enum: ['ascending', 'descending'] },
            weight: { type: 'number' },
          },
        },
      },
    },
  };
  const [filters, rank] = fieldsFromSchema(schema);

  it('turns filter rows into the JSON factor-rank reads, and back', () => {
    const text = rulesToText(filters, [
      { factor: 'market-cap', side: 'bottom', value: '0.2' },
      { factor: 'pbr', side: 'min', value: '0' },
    ]);
    expect(JSON.parse(text)).toEqual([
      { factor: 'market-cap', bottom: 0.2 },
      { factor: 'pbr', min: 0 },
    ]);
    expect(rulesFromText(filters, text)).toEqual([
      { factor: 'market-cap', side: 'bottom', value: '0.2' },
      { factor: 'pbr', side: 'min', value: '0' },
    ]);
  });

  it('ranks carry order and weight; a list it cannot show falls back to JSON (null)', () => {
    expect(JSON.parse(rulesToText(rank, [{ factor: 'pbr', side: 'ascending', value: '2' }]))).toEqual([
      { factor: 'pbr', order: 'ascending', weight: 2 },
    ]);
    expect(rulesFromText(filters, '[{"factor":"pbr","top":0.1,"bottom":0.1}]')).toBeNull();
    expect(rulesFromText(filters, 'not json')).toBeNull();
  });
});

describe('jsonErrorOffset', () => {
  it('finds the first syntax error', async () => {
    const { jsonErrorOffset } = await import('./spec-file');
    expect(jsonErrorOffset('{"a": [1, 2]}')).toBe(-1);
    expect(jsonErrorOffset('{"a": [1, 2,]}')).toBe(12);
    expect(jsonErrorOffset('{"a": "x\\"y", "b": tru}')).toBe(19);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
  });
});
