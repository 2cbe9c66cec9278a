import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, Events } from '../contract';
import type { DeskAlert, UserAlertFire, UserAlertRule, Watchlist } from '../model/desk';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch, type Handlers } from './registry';
import { createServices, disposeServices, type Services } from './services';

const ctx = { signal: new AbortController().signal };
let store: Store;
let services: Services;
let handlers: Handlers;
const events: { channel: EventChannel; payload: unknown }[] = [];
const lines = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
const HEAD = 'symbol,date,open,high,low,close,volume\n';

beforeAll(async () => {
  store = openStore(':memory:');
  // The first half is stored before the rules exist; the rest arrives by an import through the API.
  await importCsv(store, 'bars', {
    fileName: 'b.csv',
    content: `${HEAD}${lines
      .slice(0, 1000)
      .map((l) => `GOOG,${l}`)
      .join('\n')}\n`,
  });
  services = createServices({
    store,
    dbPath: ':memory:',
    host: 'serve',
    emit: <E extends EventChannel>(channel: E, payload: Events[E]) => void events.push({ channel, payload }),
  });
  handlers = createHandlers(services);
});
afterAll(async () => {
  await disposeServices(services);
  store.close();
});

async function call<T>(channel: string, input?: unknown): Promise<T> {
  const r = await dispatch(handlers, channel, input, ctx);
  if (!r.ok) throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

describe('the desk through dispatch', () => {
  it('a user alert fires on an import and on a replay, with history, filters and ack-all', async () => {
    const bad = await dispatch(
      handlers,
      'user-alerts:save',
      {
        symbol: 'GOOG',
        condition: { op: 'above', left: { kind: 'indicator', name: 'rsi', params: { period: 0 } }, right: 1 },
      },
      ctx,
    );
    expect(bad.ok === false && bad.error.code).toBe('invalid-input');
    const rule = await call<UserAlertRule>('user-alerts:save', {
      name: 'RSI up',
      symbol: 'GOOG',
      mode: 'every',
      condition: { op: 'crosses-above', left: { kind: 'indicator', name: 'rsi', params: { period: 14 } }, right: 60 },
      webhooks: [{ kind: 'telegram', token: 'SECRET-TOKEN', chatId: 1, apiUrl: 'http://127.0.0.1:9/' }],
    });
    // The token never comes back.
    expect(JSON.stringify(rule)).not.toContain('SECRET-TOKEN');
    expect(rule.webhooks).toEqual([{ kind: 'telegram', host: '127.0.0.1:9' }]);
    await call('data:import', {
      kind: 'bars',
      fileName: 'more.csv',
      content: `${HEAD}${lines
        .slice(1000)
        .map((l) => `GOOG,${l}`)
        .join('\n')}\n`,
    });
    const fires = await call<UserAlertFire[]>('user-alerts:history', { id: rule.id });
    expect(fires.length).toBeGreaterThan(0);
    expect(fires.every((f) => f.source === 'import' && f.value > 60)).toBe(true);
    const firstStoredAfter = Date.parse(`${lines[1000].split(',')[0]}T00:00:00Z`);
    expect(Math.min(...fires.map((f) => f.time))).toBeGreaterThanOrEqual(firstStoredAfter);
    expect(events.filter((e) => e.channel === 'user-alert:fired')).toHaveLength(fires.length);
    const listed = await call<DeskAlert[]>('alerts:query', { book: 'user-alerts', kind: 'user-alert' });
    expect(listed.map((a) => a.id).sort()).toEqual(fires.map((f) => f.alertId).sort());
    // Paused, a replay fires nothing; resumed, the replay's bars fire in the replay's book.
    await call('user-alerts:pause', { id: rule.id, paused: true });
    expect((await call<UserAlertRule[]>('user-alerts:list'))[0].status).toBe('paused');
    await call('user-alerts:pause', { id: rule.id, paused: false });
    await call('live:start', {
      spec: { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'], capital: 10_000 },
      session: 'book-1',
      speed: 0,
    });
    for (
      let i = 0;
      i < 200 &&
      (await call<{ running: boolean; feed: { state: string } | null }>('live:status')).feed?.state !== 'closed';
      i++
    )
      await new Promise((r) => setTimeout(r, 25));
    await call('live:stop');
    const after = await call<UserAlertFire[]>('user-alerts:history', { id: rule.id, limit: 5000 });
    const live = after.filter((f) => f.source === 'live');
    expect(live.length).toBeGreaterThan(fires.length);
    expect(live.every((f) => f.book === 'book-1')).toBe(true);
    const facets = await call<{ books: string[]; kinds: string[] }>('alerts:facets');
    expect(facets.books).toEqual(expect.arrayContaining(['user-alerts', 'book-1']));
    const { acknowledged } = await call<{ acknowledged: number }>('alerts:ack-all', { kind: 'user-alert' });
    expect(acknowledged).toBe(after.length);
    expect(await call<DeskAlert[]>('alerts:query', { kind: 'user-alert', unacknowledged: true })).toEqual([]);
    // Other kinds of book-1 (its signals) stay unacknowledged.
    expect((await call<DeskAlert[]>('alerts:query', { book: 'book-1', unacknowledged: true })).length).toBeGreaterThan(
      0,
    );
  });

  it('watchlists, screens and workspaces persist in the store', async () => {
    const w = await call<Watchlist>('watchlists:save', {
      name: 'Tech',
      symbols: ['GOOG', 'NOPE'],
      columns: [{ kind: 'last' }, { kind: 'rsi' }, { kind: 'high-52w' }],
    });
    const table = await call<{ values: (number | null)[][]; labels: string[] }>('watchlists:table', { id: w.id });
    expect(table.labels).toEqual(['Last', 'RSI(14)', '52w high']);
    const closes = lines.map((l) => Number(l.split(',')[4]));
    expect(table.values[0][0]).toBe(closes[closes.length - 1]);
    expect(table.values[1]).toEqual([null, null, null]);
    const dup = await dispatch(handlers, 'watchlists:save', { name: 'x', symbols: ['A', 'A'] }, ctx);
    expect(dup.ok === false && dup.error.message).toMatch(/symbols: a symbol appears twice/);
    const run = await call<{ symbols: string[] }>('screener:run', {
      columns: [{ kind: 'rsi' }],
      filters: [{ column: 0, op: '>', value: 0 }],
    });
    expect(run.symbols).toEqual(['GOOG']);
    await call('screener:save', { name: 'RSI', screen: { columns: [{ kind: 'rsi' }] } });
    expect((await call<{ name: string }[]>('screener:list')).map((s) => s.name)).toEqual(['RSI']);
    await call('workspaces:save', {
      name: 'current',
      layout: { split: 'row', ratio: 0.4, a: { view: 'watchlist' }, b: { view: 'chart' } },
    });
    expect((await call<{ layout: unknown }[]>('workspaces:list'))[0].layout).toEqual({
      split: 'row',
      ratio: 0.4,
      a: { view: 'watchlist' },
      b: { view: 'chart' },
    });
    const deep = await dispatch(
      handlers,
      'workspaces:save',
      { name: 'x', layout: { split: 'row', ratio: 2, a: { view: 'a' }, b: { view: 'b' } } },
      ctx,
    );
    expect(deep.ok === false && deep.error.message).toMatch(/layout/);
  });
});
