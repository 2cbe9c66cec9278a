import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatasetStatus, EventChannel } from '../contract';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { bundledDataset, ensureDefaultDataset, type DatasetLoader } from './first-run';
import { createServices, disposeServices, type Services } from './services';
import { connection } from '../store/internal';

let store: Store;
let services: Services;
let pushed: DatasetStatus[];

beforeEach(() => {
  store = openStore(':memory:');
  pushed = [];
  services = createServices({
    store,
    dbPath: ':memory:',
    host: 'serve',
    emit: (ch: EventChannel, p: unknown) => {
      if (ch === 'app:dataset-progress') pushed.push(p as DatasetStatus);
    },
  });
});
afterEach(async () => {
  await disposeServices(services);
  store.close();
});

// A loader that writes real rows and reports per row, as a real one may.
const loader: DatasetLoader = async (s, { onProgress }) => {
  const ins = connection(s).prepare('INSERT INTO instruments (symbol) VALUES (?)');
  for (let i = 0; i < 500; i++) {
    ins.run(`S${i}`);
    onProgress?.({ done: i + 1, total: 500, message: 'instruments' });
  }
};

describe('ensureDefaultDataset', () => {
  it('loads an empty store, emits throttled progress ending ready, and app:dataset-status reports it', async () => {
    const status = await ensureDefaultDataset(services, loader);
    expect(status).toMatchObject({ state: 'ready', fraction: 1 });
    expect(status.message).toContain('500 instruments');
    expect(pushed[0].state).toBe('loading');
    expect(pushed.at(-1)).toEqual(status);
    // One push per whole percent at most (plus start and end), not one per row.
    expect(pushed.length).toBeLessThanOrEqual(103);
    expect(pushed.length).toBeGreaterThan(50);
    const fractions = pushed.filter((p) => p.state === 'loading').map((p) => p.fraction ?? 0);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    const r = await createHandlers(services)['app:dataset-status'](undefined, { signal: new AbortController().signal });
    expect(r).toEqual({ ok: true, value: status });
  });

  it('leaves a store that already has instruments alone', async () => {
    connection(store).prepare("INSERT INTO instruments (symbol) VALUES ('X')").run();
    let called = false;
    const status = await ensureDefaultDataset(services, async () => void (called = true));
    expect(called).toBe(false);
    expect(status.state).toBe('idle');
  });

  it('reports a failing or cancelled loader as failed instead of throwing', async () => {
    const failed = await ensureDefaultDataset(services, async () => {
      throw new Error('resources/dataset/bars.csv: line 3: close: not a number');
    });
    expect(failed.state).toBe('failed');
    expect(failed.message).toContain('bars.csv: line 3');
    const ac = new AbortController();
    ac.abort();
    const cancelled = await ensureDefaultDataset(services, async (_s, { signal }) => signal?.throwIfAborted(), {
      signal: ac.signal,
    });
    expect(cancelled).toMatchObject({ state: 'failed', message: 'Loading the default dataset was cancelled' });
  });
});

describe('ensureDefaultDataset with a Result-returning, step-reporting loader', () => {
  it('turns a failed Result into status failed and reports steps as messages', async () => {
    const status = await ensureDefaultDataset(services, async (_s, { onProgress }) => {
      onProgress?.({ step: 'bars', rows: 1000 });
      return {
        ok: false,
        error: { code: 'invalid-input', message: 'dataset/sp500-2000.csv: line 9: close: not a number' },
      };
    });
    expect(pushed.map((p) => p.message)).toContain('Loading bars (1,000 rows)');
    expect(status).toMatchObject({ state: 'failed' });
    expect(status.message).toContain('line 9: close');
  });
});

describe('an interrupted first load', () => {
  it('is finished on the next start even though instruments exist; a user store without it is left alone', async () => {
    const { isInterrupted } = bundledDataset();
    connection(store).prepare("INSERT INTO instruments (symbol) VALUES ('OWN')").run();
    expect(isInterrupted(store)).toBe(false);
    connection(store)
      .prepare(
        "INSERT INTO imports (kind, source, sha256, rows, changed, imported_at) VALUES ('instruments', 'quantdesk-default/v1/instruments', 'x', 1, 1, 0)",
      )
      .run();
    expect(isInterrupted(store)).toBe(true);
    let resumed = false;
    const status = await ensureDefaultDataset(services, async () => void (resumed = true), { isInterrupted });
    expect(resumed).toBe(true);
    expect(status.state).toBe('ready');
  });
});
