import { beforeEach, describe, expect, it } from 'vitest';
import { installFakeApi } from './test-api';
import { loadStrategies, selectStrategy, setParamText, useStrategiesStore } from './strategies-store';

const initial = useStrategiesStore.getState();

const catalogue = [
  {
    name: 'sma-cross',
    description: 'fast/slow SMA cross',
    kind: 'single' as const,
    params: {
      type: 'object',
      properties: {
        fast: { type: 'integer', minimum: 1, default: 10 },
        slow: { type: 'integer', minimum: 2, default: 50 },
      },
    },
  },
  {
    name: 'rsi-reversion',
    description: 'RSI',
    kind: 'single' as const,
    params: { type: 'object', properties: { period: { type: 'integer', default: 14 } } },
  },
];

describe('strategies store', () => {
  beforeEach(() => useStrategiesStore.setState(initial, true));

  it('loads the catalogue and generates the first strategy form with its defaults', async () => {
    installFakeApi({ 'strategies:list': () => ({ ok: true, value: catalogue }) });
    await loadStrategies();
    const s = useStrategiesStore.getState();
    expect(s.selected).toBe('sma-cross');
    expect(s.fields.map((f) => f.name)).toEqual(['fast', 'slow']);
    expect(s.paramTexts).toEqual({ fast: '10', slow: '50' });
  });

  it('regenerates the form on selection, applying overrides, and records typed text', async () => {
    installFakeApi({ 'strategies:list': () => ({ ok: true, value: catalogue }) });
    await loadStrategies();
    selectStrategy('rsi-reversion', { period: 7, unknown: 1 });
    expect(useStrategiesStore.getState().paramTexts).toEqual({ period: '7' });
    setParamText('period', '21');
    expect(useStrategiesStore.getState().paramTexts.period).toBe('21');
  });

  it('keeps the API error for the banner', async () => {
    installFakeApi({ 'strategies:list': () => ({ ok: false, error: { code: 'internal', message: 'boom' } }) });
    await loadStrategies();
    expect(useStrategiesStore.getState().error?.message).toBe('boom');
    expect(useStrategiesStore.getState().selected).toBeNull();
  });
});
