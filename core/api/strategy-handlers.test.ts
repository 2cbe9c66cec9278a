import { describe, expect, it } from 'vitest';
import { openStore } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch } from './registry';
import { createThreadPool } from '../pool/thread-pool';
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
    expect(Object.keys(list.find((s) => s.name === 'macd-cross')!.params.properties)).toEqual([
      'fast',
      'slow',
      'signal',
    ]);
    const bad = await dispatch(handlers, 'strategies:list', { extra: 1 }, ctx);
    expect(bad.ok).toBe(false);
    await disposeServices(services);
    store.close();
  });
});

describe('user strategies through the contract', () => {
  it('compile reports problems at the line; save stores versions; list and source show them', async () => {
    const store = openStore(':memory:');
    const services = createServices({ store, dbPath: ':memory:', host: 'serve', emit: () => {} });
    const handlers = createHandlers(services);
    const ctx = { signal: new AbortController().signal };
    const call = async (ch: string, input: unknown) =>
      (await dispatch(handlers, ch, input, ctx)) as { ok: boolean; value: any; error: any };
    const bad = await call('strategies:compile', { source: `import fs from 'fs';\nexport default 1;\n` });
    expect(bad.value).toMatchObject({
      ok: false,
      problems: [{ line: 1, column: 16, message: 'cannot import "fs": a strategy may import only quantdesk/sdk' }],
    });
    const v1 = `import { defineStrategy } from 'quantdesk/sdk';\nexport default defineStrategy({ name: 'mine', params: { n: { type: 'integer', default: 2 } }, init: () => ({}), onBar: () => null });\n`;
    expect((await call('strategies:compile', { source: v1 })).value).toEqual({
      ok: true,
      problems: [],
      name: 'mine',
      kind: 'single',
    });
    expect((await call('strategies:save', { source: v1 })).value).toEqual({ name: 'mine', version: 1, added: true });
    const v2 = v1.replace('default: 2', 'default: 3');
    expect((await call('strategies:save', { source: v2 })).value).toEqual({ name: 'mine', version: 2, added: true });
    const list = (await call('strategies:list', undefined)).value as { name: string; source: string; params: any }[];
    expect(list.find((x) => x.name === 'mine')).toMatchObject({
      source: 'user',
      params: { properties: { n: { default: 3 } } },
    });
    const src = (await call('strategies:source', { name: 'mine', version: 1 })).value;
    expect(src).toMatchObject({ name: 'mine', version: 1, source: v1 });
    expect(src.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await call('strategies:save', { source: v1.replace("'mine'", "'sma-cross'") })).ok).toBe(false);
    // A stored strategy runs through the quick backtest path by name.
    await disposeServices(services);
    store.close();
  });
});

describe('backtests of user strategies run on the pool, not the host thread', () => {
  it('a stored strategy backtests by name on a worker; an endless loop fails the run while the host keeps ticking', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { importCsv } = await import('../store/import');
    const { runSource } = await import('../store/strategy-sources');
    const dir = mkdtempSync(join(tmpdir(), 'qd-user-api-'));
    const dbPath = join(dir, 't.db');
    const store = openStore(dbPath);
    const goog = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
    await importCsv(store, 'instruments', {
      fileName: 'i.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on\nGOOG,,,USD,,\n',
    });
    await importCsv(store, 'bars', {
      fileName: 'b.csv',
      content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
    });
    const services = createServices({
      store,
      dbPath,
      host: 'serve',
      emit: () => {},
      createPool: (workers) => createThreadPool({ dbPath, workers: workers ?? 1 }),
    });
    const handlers = createHandlers(services);
    const ctx = { signal: new AbortController().signal };
    const call = async (ch: string, input: unknown) =>
      (await dispatch(handlers, ch, input, ctx)) as { ok: boolean; value: any; error: any };
    try {
      const sma = readFileSync(join(__dirname, '../sdk/testdata/my-sma.ts'), 'utf8');
      expect((await call('strategies:save', { source: sma })).ok).toBe(true);
      const user = await call('backtest:run', {
        spec: { strategy: 'my-sma', symbols: ['GOOG'], params: { fast: 10, slow: 30 } },
      });
      expect(user.ok).toBe(true);
      const builtin = await call('backtest:run', {
        spec: { strategy: 'sma-cross', symbols: ['GOOG'], params: { fast: 10, slow: 30 } },
        save: false,
      });
      expect(user.value.trades).toEqual(builtin.value.trades);
      expect(runSource(store, user.value.runId)?.source).toBe(sma);
      const loop = `import { defineStrategy } from 'quantdesk/sdk';\nexport default defineStrategy({ name: 'spin', init: () => ({}), onBar(s, bar) { if (bar.index === 5) { for (;;) {} } return null; } });\n`;
      expect((await call('strategies:save', { source: loop })).ok).toBe(true);
      process.env.QUANTDESK_STRATEGY_TIMEOUT_MS = '400';
      let ticks = 0;
      const timer = setInterval(() => ticks++, 20);
      const spun = await call('backtest:run', { spec: { strategy: 'spin', symbols: ['GOOG'] } });
      clearInterval(timer);
      expect(spun.ok).toBe(false);
      expect(spun.error.code).toBe('invalid-input');
      expect(spun.error.message).toMatch(/spin\.ts: the strategy was stopped after 0\.4 s/);
      expect(ticks, 'the host event loop kept running during the loop').toBeGreaterThan(5);
    } finally {
      delete process.env.QUANTDESK_STRATEGY_TIMEOUT_MS;
      await disposeServices(services);
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('strategies:typecheck through the contract', () => {
  it('gives TypeScript diagnostics at the line and refuses an oversized source', async () => {
    const store = openStore(':memory:');
    const services = createServices({ store, dbPath: ':memory:', host: 'serve', emit: () => {} });
    const handlers = createHandlers(services);
    const ctx = { signal: new AbortController().signal };
    const src = `import { defineStrategy, indicators } from 'quantdesk/sdk';\nexport default defineStrategy({\n  init: () => ({ f: indicators.smaa(10) }),\n  onBar: () => null,\n});\n`;
    const r = (await dispatch(handlers, 'strategies:typecheck', { source: src }, ctx)) as { ok: boolean; value: any };
    expect(r.ok).toBe(true);
    expect(r.value.timedOut).toBe(false);
    expect(r.value.diagnostics).toHaveLength(1);
    expect(r.value.diagnostics[0]).toMatchObject({ line: 3, col: 32, endLine: 3, endCol: 36, severity: 'error' });
    const big = await dispatch(handlers, 'strategies:typecheck', { source: 'x'.repeat(200_001) }, ctx);
    expect(big.ok).toBe(false);
    await disposeServices(services);
    store.close();
  }, 90_000);
});
