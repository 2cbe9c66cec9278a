import { describe, expect, it } from 'vitest';
import { openStore } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch } from './registry';
import { createServices, disposeServices } from './services';

describe('strategies:list', () => {
  it('returns the built-ins through the contract dispatch, and rejects input it does not take', async () => {
    const store = openStore(':memory:');
    const services = createServices({ store, dbPath: ':memory:', host: 'serve', emit: () => {} });
    const handlers = createHandlers(services);
    const ctx = { signal: new AbortController().signal };
    const r = await dispatch(handlers, 'strategies:list', undefined, ctx);
    expect(r.ok).toBe(true);
    const list = (r as { value: { name: string; kind: string; params: { properties: object } }[] }).value;
    expect(list.find((s) => s.name === 'factor-rank')?.kind).toBe('cross-sectional');
    expect(Object.keys(list.find((s) => s.name === 'macd-cross')!.params.properties)).toEqual(['fast', 'slow', 'signal']);
    const bad = await dispatch(handlers, 'strategies:list', { extra: 1 }, ctx);
    expect(bad.ok).toBe(false);
    await disposeServices(services);
    store.close();
  });
});
