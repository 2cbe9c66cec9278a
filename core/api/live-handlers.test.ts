import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  EventChannel,
  Events,
  LiveAlert,
  LiveHistory,
  LiveOrder,
  LivePosition,
  LiveSignal,
  LiveStatus,
  KillSwitch,
} from '../contract';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch, type Handlers } from './registry';
import { createServices, disposeServices, type Services } from './services';
import { connection } from '../store/internal';

const ctx = { signal: new AbortController().signal };
const SPEC = { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'], capital: 10_000 };
let store: Store;
let services: Services;
let handlers: Handlers;
const events: { channel: EventChannel; payload: unknown }[] = [];
let onEvent: (() => void) | null = null;

beforeAll(async () => {
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
    emit: <E extends EventChannel>(channel: E, payload: Events[E]) => {
      events.push({ channel, payload });
      onEvent?.();
    },
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

const until = (cond: () => boolean) =>
  new Promise<void>((resolve) => {
    if (cond()) return resolve();
    onEvent = () => {
      if (cond()) {
        onEvent = null;
        resolve();
      }
    };
  });

describe('live through dispatch', () => {
  it('rejects a bad spec and bad risk limits at the boundary, naming the field', async () => {
    const r = await dispatch(handlers, 'live:start', { spec: { strategy: 'sma-cross' } }, ctx);
    expect(r.ok === false && r.error.code).toBe('invalid-input');
    expect(r.ok === false && r.error.message).toMatch(/symbols/);
    const r2 = await dispatch(handlers, 'risk:set', { symbols: { '*': { maxPosition: -1 } } }, ctx);
    expect(r2.ok === false && r2.error.code).toBe('invalid-input');
    const r3 = await dispatch(handlers, 'live:start', { spec: SPEC, feed: 'websocket' }, ctx);
    expect(r3.ok === false && r3.error.message).toMatch(/url/);
    for (const session of ['a\u0000b', 'tab\there', 'bell\u0007', 'del\u007f', '']) {
      const r4 = await dispatch(handlers, 'live:start', { spec: SPEC, session }, ctx);
      expect(r4.ok === false && r4.error.details?.[0], JSON.stringify(session)).toMatch(/^session: /);
    }
    // Spec-level exits are a backtest engine feature for now: a live session refuses them rather than ignore them.
    const r5 = await dispatch(
      handlers,
      'live:start',
      { spec: { ...SPEC, exits: { stopLoss: { pct: 5 } } }, feed: 'replay' },
      ctx,
    );
    expect(r5.ok === false && r5.error.code).toBe('invalid-input');
    expect(r5.ok === false && r5.error.message).toMatch(/^spec\.exits:/);
  });

  it('runs a replay session, pushes events after journaling, and serves positions, orders, alerts, risk and the kill switch', async () => {
    const started = await call<LiveStatus>('live:start', { spec: SPEC, feed: 'replay', session: 'api' });
    expect(started).toMatchObject({ running: true, session: 'api', strategy: 'sma-cross', symbols: ['GOOG'] });
    const again = await dispatch(handlers, 'live:start', { spec: SPEC }, ctx);
    expect(again.ok === false && again.error.code).toBe('conflict');
    await until(() =>
      events.some((e) => e.channel === 'feed:status-changed' && (e.payload as { state: string }).state === 'closed'),
    );
    const positions = await call<LivePosition[]>('positions:list');
    const orders = await call<LiveOrder[]>('orders:list');
    expect(orders.length).toBeGreaterThan(10);
    expect(orders.every((o) => o.status === 'filled')).toBe(true);
    expect(orders.length).toBe(
      connection(store).prepare("SELECT count(*) FROM fills WHERE session = 'api'").pluck().get(),
    );
    expect(positions.map((p) => p.symbol)).toEqual(['GOOG']);
    const journaled = connection(store).prepare("SELECT count(*) FROM orders WHERE session = 'api'").pluck().get();
    expect(journaled).toBe(orders.length);
    expect(events.some((e) => e.channel === 'positions:changed')).toBe(true);
    expect(events.some((e) => e.channel === 'live:ticked')).toBe(true);
    // Every strategy signal was journaled as a `signal` alert and pushed as signal:fired; signals:list reads the journal.
    const fired = events.filter((e) => e.channel === 'signal:fired').map((e) => e.payload as LiveSignal);
    expect(fired.length).toBeGreaterThan(5);
    const listed = await call<LiveSignal[]>('signals:list', { limit: 5000 });
    expect(listed).toEqual([...fired].reverse());
    expect(listed.every((x) => x.strategy === 'sma-cross' && x.symbol === 'GOOG')).toBe(true);
    expect(await call<LiveSignal[]>('signals:list', { limit: 2, symbol: 'GOOG' })).toEqual(listed.slice(0, 2));
    expect(await call<LiveSignal[]>('signals:list', { symbol: 'MSFT' })).toEqual([]);
    const bad = await dispatch(handlers, 'signals:list', { limit: 0 }, ctx);
    expect(bad.ok === false && bad.error.code).toBe('invalid-input');
    const signalAlerts = (await call<LiveAlert[]>('alerts:list', { limit: 5000 })).filter((a) => a.kind === 'signal');
    expect(signalAlerts.map((a) => a.id)).toEqual(listed.map((x) => x.alertId));
    expect(await call<LiveAlert[]>('alerts:list', { limit: 5000, category: 'signal' })).toEqual(signalAlerts);

    expect(await call('risk:set', { symbols: { '*': { maxOrderNotional: 1 } }, maxDailyLoss: 500 })).toMatchObject({
      maxDailyLoss: 500,
    });
    expect(await call('risk:get')).toEqual({ symbols: { '*': { maxOrderNotional: 1 } }, maxDailyLoss: 500 });

    const k = await call<KillSwitch>('killswitch:trip', { reason: 'operator test' });
    expect(k).toMatchObject({ tripped: true, reason: 'operator test' });
    expect(events.filter((e) => e.channel === 'killswitch:changed').at(-1)!.payload).toMatchObject({ tripped: true });
    const alerts = await call<LiveAlert[]>('alerts:list');
    const kill = alerts.find((a) => a.kind === 'kill-switch')!;
    // The two categories split the list: signals, and the rest (which a flood of signals cannot crowd out of a page).
    const all = await call<LiveAlert[]>('alerts:list', { limit: 5000 });
    const other = await call<LiveAlert[]>('alerts:list', { limit: 5000, category: 'other' });
    const sig = await call<LiveAlert[]>('alerts:list', { limit: 5000, category: 'signal' });
    expect(sig.length).toBeGreaterThan(5);
    expect(other.map((a) => a.kind)).toContain('kill-switch');
    expect(other.some((a) => a.kind === 'signal')).toBe(false);
    expect([...sig, ...other].map((a) => a.id).sort()).toEqual(all.map((a) => a.id).sort());
    expect(kill).toMatchObject({ severity: 'critical', acknowledgedAt: null });
    expect(events.some((e) => e.channel === 'alert:raised' && (e.payload as LiveAlert).id === kill.id)).toBe(true);
    expect(await call('alerts:ack', { id: kill.id })).toEqual({ acknowledged: true });
    expect(await call('alerts:ack', { id: kill.id })).toEqual({ acknowledged: false });
    expect((await call<KillSwitch>('killswitch:rearm')).tripped).toBe(false);

    // A manual ticket: journaled before it returns, cancellable while working; the risk limit above refuses a big one.
    const limit = await call<LiveOrder>('orders:submit', {
      symbol: 'GOOG',
      side: 'buy',
      qty: 10,
      type: 'limit',
      price: 0.5,
    });
    expect(limit.status).toBe('rejected');
    expect(limit.reason).toMatch(/notional/);
    // The limit is hard (the default): the breach tripped the kill switch; re-arming is explicit.
    expect((await call<LiveStatus>('live:status')).killSwitch).toMatchObject({ tripped: true });
    await call('killswitch:rearm');
    await call('risk:set', { symbols: {} });
    const resting = await call<LiveOrder>('orders:submit', {
      symbol: 'GOOG',
      side: 'buy',
      qty: 1,
      type: 'limit',
      price: 0.5,
    });
    expect(resting.status).toBe('new');
    expect(connection(store).prepare('SELECT status FROM orders WHERE id = ?').pluck().get(resting.id)).toBe('new');
    expect(await call('orders:cancel', { id: resting.id })).toEqual({ cancelled: true });
    expect(await call('orders:cancel', { id: resting.id })).toEqual({ cancelled: false });
    expect(connection(store).prepare('SELECT status FROM orders WHERE id = ?').pluck().get(resting.id)).toBe(
      'cancelled',
    );
    const noPrice = await dispatch(
      handlers,
      'orders:submit',
      { symbol: 'GOOG', side: 'buy', qty: 1, type: 'stop' },
      ctx,
    );
    expect(noPrice.ok === false && noPrice.error.message).toMatch(/price/);

    const stopped = await call<LiveStatus>('live:stop');
    expect(stopped.running).toBe(false);
    // With no session running, the lists read the last session's journal.
    expect((await call<LivePosition[]>('positions:list')).map((p) => [p.symbol, p.qty])).toEqual(
      positions.map((p) => [p.symbol, p.qty]),
    );
    expect((await call<LiveOrder[]>('orders:list')).length).toBe(orders.length + 2);
    expect(await call<LiveSignal[]>('signals:list', { limit: 5000 })).toEqual(listed);
    const none = await dispatch(handlers, 'orders:submit', { symbol: 'GOOG', side: 'buy', qty: 1 }, ctx);
    expect(none.ok === false && none.error.code).toBe('unavailable');
  });

  it("serves the session's equity and last prices to a view opened after it started, from the batches pushed", async () => {
    const from = events.length;
    await call<LiveStatus>('live:start', { spec: SPEC, feed: 'replay', session: 'history' });
    await until(() =>
      events
        .slice(from)
        .some((e) => e.channel === 'feed:status-changed' && (e.payload as { state: string }).state === 'closed'),
    );
    await call('live:stop');
    const pushed = events
      .slice(from)
      .filter((e) => e.channel === 'live:ticked')
      .map((e) => e.payload as Events['live:ticked']);
    const hist = await call<LiveHistory>('live:history');
    expect(hist.session).toBe('history');
    // One point per replayed day (however fast the replay ran), in order; every batch pushed is on the curve at its
    // market time (its latest bar) with the equity it carried, and the last point is the last batch's.
    const days = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').length - 1;
    expect(hist.equity.time).toHaveLength(days);
    expect(pushed.length).toBeLessThan(days);
    for (let i = 1; i < hist.equity.time.length; i++)
      expect(hist.equity.time[i]).toBeGreaterThan(hist.equity.time[i - 1]);
    for (const b of pushed) {
      const at = Math.max(...b.prices.map((p) => p.time));
      expect(hist.equity.value[hist.equity.time.indexOf(at)]).toBe(b.account.equity);
    }
    const last = pushed.at(-1)!;
    expect(hist.equity.value.at(-1)).toBe(last.account.equity);
    expect(hist.equity.value.at(-1)).not.toBe(hist.equity.value[0]);
    // The watchlist's row: GOOG at its last pushed price, which is the replay's last close.
    const goog = pushed
      .flatMap((b) => b.prices)
      .filter((p) => p.symbol === 'GOOG')
      .at(-1)!;
    expect(hist.prices).toEqual([goog]);
    // The tick count: every bar the pushed batches carried, one per replayed day of the one symbol.
    expect(hist.ticks).toBe(pushed.reduce((n, b) => n + b.count, 0));
    expect(hist.ticks).toBe(days);
    // A new start forgets the last session's history.
    await call<LiveStatus>('live:start', { spec: SPEC, feed: 'replay', session: 'history 2', speed: 0.001 });
    const fresh = await call<LiveHistory>('live:history');
    expect(fresh.session).toBe('history 2');
    // (One step a thousand seconds: at most its first step so far, not the 2,000-odd days above.)
    expect(fresh.equity.time.length).toBeLessThanOrEqual(1);
    await call('live:stop');
  });
});
