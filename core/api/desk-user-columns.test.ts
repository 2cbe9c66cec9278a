import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Watchlist } from '../model/desk';
import { buildWorkerEntry } from '../pool/test-support';
import { createThreadPool } from '../pool/thread-pool';
import { sourceHash } from '../sdk/sandbox';
import { addUserFeature } from '../store/feature-sources';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch, type Handlers } from './registry';
import { createServices, disposeServices, type Services } from './services';

const ctx = { signal: new AbortController().signal };
const lines = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1, 400);
const featureFile = join(__dirname, '..', 'features', 'testdata', 'range-mean.ts');
const source = readFileSync(featureFile, 'utf8');
const columns = [
  { kind: 'indicator', name: 'range-mean', params: { period: 5 } },
  { kind: 'expr', expr: 'Mean(($high - $low) / $close, 5)' },
];

async function hostWith(
  path: string,
  pool: boolean,
): Promise<{ store: Store; services: Services; handlers: Handlers }> {
  const store = openStore(path);
  await importCsv(store, 'bars', {
    fileName: 'b.csv',
    content: `symbol,date,open,high,low,close,volume\n${lines.map((l) => `GOOG,${l}`).join('\n')}\n`,
  });
  addUserFeature(store, { name: 'range-mean', file: featureFile, source, hash: sourceHash(source) });
  const workerEntry = pool ? await buildWorkerEntry() : '';
  const services = createServices({
    store,
    dbPath: path,
    host: 'serve',
    emit: () => undefined,
    ...(pool ? { createPool: (w?: number) => createThreadPool({ workers: w ?? 1, dbPath: path, workerEntry }) } : {}),
    poolSize: 1,
  });
  return { store, services, handlers: createHandlers(services) };
}

describe('desk tables with a user feature, through dispatch', () => {
  let dir: string;
  let host: Awaited<ReturnType<typeof hostWith>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qd-desk-user-'));
    host = await hostWith(join(dir, 'desk.db'), true);
  }, 60_000);
  afterAll(async () => {
    await disposeServices(host.services);
    host.store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('watchlists:table and screener:run compute the user feature on the pool', async () => {
    const saved = await dispatch(host.handlers, 'watchlists:save', { name: 'U', symbols: ['GOOG'], columns }, ctx);
    expect(saved.ok).toBe(true);
    const t = await dispatch(host.handlers, 'watchlists:table', { id: (saved as { value: Watchlist }).value.id }, ctx);
    if (!t.ok) throw new Error(t.error.message);
    const v = (t.value as { values: (number | null)[][] }).values[0];
    expect(v[0]).not.toBeNull();
    expect(v[0]!).toBeCloseTo(v[1]!, 12);
    const run = await dispatch(
      host.handlers,
      'screener:run',
      { columns, filters: [{ column: 0, op: '>', value: 0 }] },
      ctx,
    );
    if (!run.ok) throw new Error(run.error.message);
    expect((run.value as { symbols: string[] }).symbols).toEqual(['GOOG']);
  }, 60_000);
});

describe('desk tables with a user feature, on a store in memory (no pool)', () => {
  it('answers invalid-input naming the column', async () => {
    const mem = await hostWith(':memory:', false);
    try {
      const r = await dispatch(mem.handlers, 'screener:run', { columns }, ctx);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('invalid-input');
      expect(r.error.message).toMatch(/^columns\.0: user feature "range-mean" runs only on the simulation pool/);
    } finally {
      await disposeServices(mem.services);
      mem.store.close();
    }
  });
});
