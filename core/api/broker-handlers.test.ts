import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrokerPositionView, BrokerStatusView, EventChannel, Events } from '../contract';
import { FakeAlpaca } from '../live/brokers/fake-alpaca';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch, type Handlers } from './registry';
import { createServices, disposeServices, type Services } from './services';

const ctx = { signal: new AbortController().signal };
let store: Store;
let services: Services;
let handlers: Handlers;
let fake: FakeAlpaca;
const events: { channel: EventChannel; payload: unknown }[] = [];
const creds: Record<string, string> = { APCA_API_KEY_ID: 'test-key', APCA_API_SECRET_KEY: 'test-secret' };

beforeAll(async () => {
  fake = new FakeAlpaca();
  await fake.start();
  store = openStore(':memory:');
  const goog = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
  await importCsv(store, 'bars', {
    fileName: 'b.csv',
    content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
  });
  services = createServices({
    store,
    dbPath: ':memory:',
    host: 'serve',
    credentials: { get: () => creds },
    emit: <E extends EventChannel>(channel: E, payload: Events[E]) => void events.push({ channel, payload }),
  });
  handlers = createHandlers(services);
});
afterAll(async () => {
  await disposeServices(services);
  store.close();
  await fake.stop();
});

async function call<T>(channel: string, input?: unknown): Promise<T> {
  const r = await dispatch(handlers, channel, input, ctx);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('broker through dispatch', () => {
  it('lists brokers with whether keys are set, reads positions, and never returns a key', async () => {
    const list = await call<{ name: string; configured: boolean }[]>('broker:list');
    expect(list.map((b) => [b.name, b.configured])).toEqual([
      ['paper', true],
      ['alpaca', true],
      ['kis', false],
    ]);
    fake.setPosition('GOOG', 3, 100, 110);
    const pos = await call<BrokerPositionView[]>('broker:positions', { broker: 'alpaca', baseUrl: fake.url });
    expect(pos).toEqual([{ symbol: 'GOOG', qty: 3, avgCost: 100, last: 110, unrealized: 30 }]);
    const everything = JSON.stringify([list, pos, events]);
    expect(everything).not.toContain('test-secret');
    const bad = await dispatch(handlers, 'broker:account', { broker: 'kis' }, ctx);
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringMatching(/KIS_APP_KEY/) },
    });
    const stored = await dispatch(
      handlers,
      'broker:credentials-set',
      { broker: 'kis', values: { KIS_APP_KEY: 'x' } },
      ctx,
    );
    expect(stored).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('connects the running session: paper by default; a live account needs the typed confirmation', async () => {
    expect(await call<BrokerStatusView>('broker:status')).toMatchObject({
      connected: false,
      broker: 'paper',
      mode: 'paper',
    });
    const none = await dispatch(handlers, 'broker:connect', { broker: 'alpaca', baseUrl: fake.url }, ctx);
    expect(none).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await call('live:start', {
      spec: { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'], capital: 10_000 },
      feed: 'replay',
      speed: 1,
      session: 'b1',
    });
    const unarmed = await dispatch(
      handlers,
      'broker:connect',
      { broker: 'alpaca', baseUrl: fake.url, live: true },
      ctx,
    );
    expect(unarmed).toMatchObject({
      ok: false,
      error: { code: 'invalid-input', message: expect.stringContaining('type "LIVE PA0000FAKE"') },
    });
    const wrong = await dispatch(
      handlers,
      'broker:connect',
      { broker: 'alpaca', baseUrl: fake.url, live: true, confirm: 'LIVE' },
      ctx,
    );
    expect(wrong.ok).toBe(false);
    const st = await call<BrokerStatusView>('broker:connect', {
      broker: 'alpaca',
      baseUrl: fake.url,
      live: true,
      confirm: 'LIVE PA0000FAKE',
    });
    expect(st).toMatchObject({
      connected: true,
      broker: 'alpaca',
      mode: 'live',
      armed: true,
      accountId: 'PA0000FAKE',
      session: 'b1',
    });
    expect(st.reconcile?.ok).toBe(true);
    expect(events.some((e) => e.channel === 'broker:status-changed' && (e.payload as BrokerStatusView).armed)).toBe(
      true,
    );
    // A later reconciliation (periodic, or after a reconnect) pushes the status with its report.
    const pushed = events.length;
    fake.setPosition('QQQ', 1, 1);
    fake.dropStream();
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (
          events
            .slice(pushed)
            .some(
              (e) => e.channel === 'broker:status-changed' && (e.payload as BrokerStatusView).reconcile?.ok === false,
            )
        ) {
          clearInterval(t);
          resolve();
        }
      }, 10);
    });
    const back = await call<BrokerStatusView>('broker:disconnect');
    expect(back).toMatchObject({ connected: false, mode: 'paper', armed: false });
    await call('live:stop');
  });
});
