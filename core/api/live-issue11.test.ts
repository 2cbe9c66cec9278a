import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, Events, LiveOrder, LivePosition, LiveStatus, LiveTick } from '../contract';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch, type Handlers } from './registry';
import { createServices, disposeServices, type Services } from './services';
import { connection } from '../store/internal';

// Issue 11, items 4 and 9: the positions table's marks, the day's change, and Flatten all, through the contract.
const ctx = { signal: new AbortController().signal };
const SPEC = { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'], capital: 10_000 };
let store: Store;
let services: Services;
let handlers: Handlers;
let closes: Map<number, number>;
const events: { channel: EventChannel; payload: unknown }[] = [];
let onEvent: (() => void) | null = null;

beforeAll(async () => {
  store = openStore(':memory:');
  const goog = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
  await importCsv(store, 'bars', {
    fileName: 'b.csv',
    content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
  });
  closes = new Map(
    connection(store)
      .prepare('SELECT ts, close FROM bars ORDER BY ts')
      .all()
      .map((r) => [(r as { ts: number }).ts, (r as { close: number }).close]),
  );
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

describe('live marks, day change and flatten all', () => {
  it('ticks carry the previous bar close; positions keep their last mark after Stop; Flatten all closes through the order path', async () => {
    const noSession = await dispatch(handlers, 'positions:flatten', undefined, ctx);
    expect(noSession.ok === false && noSession.error.code).toBe('unavailable');
    await call<LiveStatus>('live:start', { spec: SPEC, feed: 'replay', session: 'i11' });
    await until(() =>
      events.some((e) => e.channel === 'feed:status-changed' && (e.payload as { state: string }).state === 'closed'),
    );
    const times = [...closes.keys()];
    const ticks = events.filter((e) => e.channel === 'live:ticked').map((e) => e.payload as LiveTick);
    expect(ticks.length).toBeGreaterThan(0);
    for (const t of ticks) {
      for (const p of t.prices) {
        expect(p.price).toBe(closes.get(p.time));
        const i = times.indexOf(p.time);
        // The reference of the day's change is the previous bar's close (NaN for the first bar).
        if (i > 0) expect(p.prevClose).toBe(closes.get(times[i - 1]));
      }
    }
    const open = (await call<LivePosition[]>('positions:list')).filter((p) => p.qty !== 0);
    expect(open.length).toBe(1);
    const lastClose = closes.get(times[times.length - 1])!;

    // Flatten all: a reduce-only market order per open position, journaled, accepted with the kill switch tripped.
    await call('killswitch:trip', { reason: 'test' });
    const bad = await dispatch(handlers, 'positions:flatten', { reason: '' }, ctx);
    expect(bad.ok === false && bad.error.code).toBe('invalid-input');
    const flat = await call<LiveOrder[]>('positions:flatten', { reason: 'end of test' });
    expect(flat.map((o) => [o.symbol, o.side, o.qty, o.type, o.status])).toEqual(
      open.map((p) => [p.symbol, p.qty > 0 ? 'sell' : 'buy', Math.abs(p.qty), 'market', 'new']),
    );
    for (const o of flat)
      expect(connection(store).prepare('SELECT status FROM orders WHERE id = ?').pluck().get(o.id)).toBe('new');

    await call<LiveStatus>('live:stop');
    const after = await call<LivePosition[]>('positions:list');
    expect(after.length).toBeGreaterThan(0);
    // Stopped: the positions keep the last price they were marked at, not 0.
    for (const p of after) {
      expect(p.last).toBe(lastClose);
      if (p.qty !== 0) expect(p.unrealized).toBeCloseTo(p.qty * (lastClose - p.avgCost), 6);
    }
  });
});
