import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { plantedMarket } from '../models/planted';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch } from './registry';
import { createServices, disposeServices, type Services } from './services';
import { connection } from '../store/internal';

let store: Store | undefined;
let services: Services | undefined;
afterEach(async () => {
  if (services) await disposeServices(services);
  services = undefined;
  store?.close();
});

function setup() {
  store = openStore(':memory:');
  const { panel } = plantedMarket(8, 360, 4, true);
  const ins = connection(store).prepare('INSERT INTO bars VALUES (?, ?, ?, ?, ?, ?, ?)');
  panel.symbols.forEach((sym, s) => {
    connection(store!)
      .prepare('INSERT INTO instruments (id, symbol) VALUES (?, ?)')
      .run(s + 1, sym);
    for (let t = 0; t < panel.nDays; t++) {
      const k = s * panel.nDays + t;
      ins.run(s + 1, panel.time[t], panel.open[k], panel.high[k], panel.low[k], panel.close[k], panel.volume[k]);
    }
  });
  const events: unknown[] = [];
  services = createServices({
    store,
    dbPath: ':memory:',
    host: 'serve',
    emit: (ch, p) => void (ch === 'models:progressed' && events.push(p)),
  });
  const handlers = createHandlers(services);
  const call = (ch: string, input?: unknown) => dispatch(handlers, ch, input, { signal: new AbortController().signal });
  return { call, events };
}

const SPEC = {
  start: '2020-01-01',
  end: '2020-12-25',
  features: [
    { name: 'expr', expr: 'Log($volume)', label: 'logvol' },
    { name: 'return', window: 5 },
  ],
  model: { kind: 'gbdt', trees: 20, depth: 3, learningRate: 0.1, seed: 1, minLeaf: 20 },
  walkForward: { train: 200, test: 50, embargo: 5, anchored: false },
};

describe('models:* handlers', () => {
  it('trains with progress, lists, gets and explains a model', async () => {
    const { call, events } = setup();
    const r = (await call('models:train', { spec: SPEC })) as {
      ok: true;
      value: { modelId: string; windows: unknown[] };
    };
    expect(r.ok).toBe(true);
    expect(events.length).toBeGreaterThan(0);
    const list = (await call('models:list')) as { ok: true; value: { id: string }[] };
    expect(list.value.map((m) => m.id)).toEqual([r.value.modelId]);
    const got = (await call('models:get', { id: r.value.modelId })) as {
      ok: true;
      value: { windows: unknown[]; importance: unknown[] };
    };
    expect(got.value.windows).toHaveLength(r.value.windows.length);
    expect(got.value.importance).toHaveLength(2);
    const e = (await call('models:explain', { id: r.value.modelId, symbol: 'P002', date: '2020-12-01' })) as {
      ok: true;
      value: { prediction: number; base: number; contributions: { contribution: number }[] };
    };
    expect(
      Math.abs(e.value.base + e.value.contributions.reduce((a, c) => a + c.contribution, 0) - e.value.prediction),
    ).toBeLessThan(1e-9);
    const bad = (await call('models:train', { spec: { ...SPEC, features: [{ name: 'nope' }] } })) as {
      ok: false;
      error: { code: string; message: string };
    };
    expect(bad.ok).toBe(false);
    expect(bad.error.code).toBe('invalid-input');
    expect((await call('models:get', { id: 'm-none' })) as { ok: boolean }).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });

  // Cancelling needs the worker-thread path (the CLI bundle's worker.js, built before the test run).
  it.skipIf(!existsSync(join(__dirname, '../../out/cli/worker.js')))('cancels a training run on the pool', async () => {
    const { call } = setup();
    const pending = call('models:train', { spec: { ...SPEC, model: { ...SPEC.model, trees: 400 } } });
    await new Promise((r) => setTimeout(r, 50));
    expect(await call('models:cancel')).toMatchObject({ ok: true, value: { cancelled: true } });
    expect(await pending).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });
});
