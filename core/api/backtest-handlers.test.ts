import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventChannel, Events } from '../contract';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch, type Handlers } from './registry';
import { createServices, disposeServices, type Services } from './services';

const ctx = { signal: new AbortController().signal };
const PARITY = { strategy: 'sma-cross', params: { fast: 10, slow: 30 }, symbols: ['GOOG'], capital: 10_000 };
let store: Store;
let services: Services;
let handlers: Handlers;
const events: { channel: EventChannel; payload: unknown }[] = [];

beforeAll(async () => {
  store = openStore(':memory:');
  await importCsv(store, 'instruments', {
    fileName: 'i.csv',
    content: 'symbol,name,sector,currency,listed_on,delisted_on\nGOOG,Alphabet,Tech,USD,,\n',
  });
  const goog = readFileSync(join(__dirname, '../backtest/testdata/GOOG.csv'), 'utf8').trim().split('\n').slice(1);
  await importCsv(store, 'bars', {
    fileName: 'b.csv',
    content: `symbol,date,open,high,low,close,volume\n${goog.map((l) => `GOOG,${l}`).join('\n')}\n`,
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

describe('backtest and runs through dispatch', () => {
  it('backtest:run returns the CLI shape and stores the run; runs:list/get/export read it back', async () => {
    const r = await dispatch(handlers, 'backtest:run', { spec: PARITY }, ctx);
    if (!r.ok) throw new Error(r.error.message);
    const out = r.value as { runId: string; trades: unknown[]; metrics: { finalEquity: number } };
    expect(out.trades).toHaveLength(65);
    expect(out.metrics.finalEquity).toBeCloseTo(51959.95, 2);
    const list = await dispatch(handlers, 'runs:list', undefined, ctx);
    expect(list.ok && (list.value as { id: string }[]).map((x) => x.id)).toContain(out.runId);
    const got = await dispatch(handlers, 'runs:get', { id: out.runId }, ctx);
    expect(got.ok && (got.value as { result: unknown }).result).toEqual(out);
    const csv = await dispatch(handlers, 'runs:export', { id: out.runId, format: 'csv' }, ctx);
    expect(csv.ok && (csv.value as string).trim().split('\n')).toHaveLength(66);
    const html = await dispatch(handlers, 'runs:export', { id: out.runId, format: 'html' }, ctx);
    expect(html.ok && (html.value as string).startsWith('<!doctype html>')).toBe(true);
    const missing = await dispatch(handlers, 'runs:get', { id: 'bt-none' }, ctx);
    expect(missing.ok ? null : missing.error.code).toBe('not-found');
  });

  it('rejects a bad spec naming the field', async () => {
    const r = await dispatch(handlers, 'backtest:run', { spec: { ...PARITY, fill: 'whenever' } }, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('invalid-input');
      expect(r.error.details?.[0]).toMatch(/^spec\.fill:/);
    }
    // Unknown names are refused before a run is accepted, naming each field, and no run starts.
    const s = await dispatch(
      handlers,
      'backtest:start',
      { spec: { ...PARITY, symbols: ['NOPE', 'GOOG'], benchmark: 'NADA' } },
      ctx,
    );
    expect(s.ok).toBe(false);
    if (!s.ok) {
      expect(s.error.code).toBe('invalid-input');
      expect(s.error.details).toEqual(['spec.symbols: unknown symbol "NOPE"', 'spec.benchmark: unknown symbol "NADA"']);
    }
    expect(events.some((e) => e.channel === 'backtest:progressed' || e.channel === 'backtest:finished')).toBe(false);
  });

  it('backtest:start runs in the background with progress and a finished event; cancel stops a run', async () => {
    const s = await dispatch(handlers, 'backtest:start', { spec: PARITY }, ctx);
    const runId = s.ok ? (s.value as { runId: string }).runId : '';
    await services.backtest.settled(runId);
    const mine = events.filter((e) => (e.payload as { runId?: string }).runId === runId);
    expect(mine.some((e) => e.channel === 'backtest:progressed')).toBe(true);
    expect(mine.at(-1)).toMatchObject({ channel: 'backtest:finished', payload: { status: 'finished', error: null } });
    const got = await dispatch(handlers, 'runs:get', { id: runId }, ctx);
    expect(got.ok && (got.value as { result: { trades: unknown[] } }).result.trades).toHaveLength(65);

    const c = await dispatch(handlers, 'backtest:start', { spec: PARITY }, ctx);
    const cid = c.ok ? (c.value as { runId: string }).runId : '';
    const cancel = await dispatch(handlers, 'backtest:cancel', { runId: cid }, ctx);
    expect(cancel.ok && cancel.value).toEqual({ cancelled: true });
    await services.backtest.settled(cid);
    expect(events.filter((e) => (e.payload as { runId?: string }).runId === cid).at(-1)?.payload).toMatchObject({
      status: 'cancelled',
    });
    expect((await dispatch(handlers, 'runs:get', { id: cid }, ctx)).ok).toBe(false);
    expect(await dispatch(handlers, 'backtest:cancel', { runId: cid }, ctx)).toEqual({
      ok: true,
      value: { cancelled: false },
    });
  });

  it('results cross as typed columns with ms times; backtest:finished carries them with the benchmark (no second and third call)', async () => {
    const r = await dispatch(handlers, 'backtest:run', { spec: PARITY, save: false }, ctx);
    if (!r.ok) throw new Error(r.error.message);
    const cols = r.value as {
      equity: { time: Float64Array; value: Float64Array; drawdown: Float64Array };
      trades: { entryTime: unknown }[];
    };
    expect(cols.equity.time).toBeInstanceOf(Float64Array);
    expect(cols.equity.time[0]).toBe(Date.UTC(2004, 7, 19));
    expect(Math.min(...cols.equity.drawdown)).toBeLessThan(0);
    expect(typeof cols.trades[0].entryTime).toBe('number');

    const s = await dispatch(handlers, 'backtest:start', { spec: { ...PARITY, benchmark: 'GOOG' } }, ctx);
    const runId = s.ok ? (s.value as { runId: string }).runId : '';
    await services.backtest.settled(runId);
    const fin = events.find(
      (e) => e.channel === 'backtest:finished' && (e.payload as { runId: string }).runId === runId,
    )?.payload as Events['backtest:finished'];
    expect(fin.status).toBe('finished');
    const got = await dispatch(handlers, 'runs:get', { id: runId }, ctx);
    const stored = got.ok ? (got.value as { result: NonNullable<Events['backtest:finished']['result']> }).result : null;
    expect(fin.result?.equity.value).toEqual(stored?.equity.value);
    expect(fin.result?.trades).toEqual(stored?.trades);
    expect(fin.result?.benchmark?.symbol).toBe('GOOG');
    expect(fin.result?.benchmark?.time).toEqual(fin.result?.equity.time);
    expect(fin.result?.benchmark?.close[0]).toBeGreaterThan(0);
  });
});
