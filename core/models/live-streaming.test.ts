import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseSpec } from '../backtest/spec';
import { loadPanel } from '../data/panel';
import type { Panel } from '../data/panel-types';
import { replay } from '../live/replay';
import { LiveService } from '../live/service';
import { StepAssembler } from '../live/step-assembler';
import { formatDate } from '../model/time';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { outOfSamplePredictions } from './predictions';
import { trainAndRegister } from './service';
import { modelSpecSchema } from './spec';
import { seedPlanted } from './test-store';

let dir: string;
let store: Store;
let modelId: string;
let panel: Panel;
const START = 290;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-model-stream-'));
  store = openStore(join(dir, 'stream.db'));
  await seedPlanted(store);
  panel = loadPanel(store, { adjustment: 'pit' });
  const spec = modelSpecSchema.parse({
    universe: 'all',
    start: formatDate(panel.time[0]),
    end: formatDate(panel.time[329]),
    features: [
      { name: 'return', window: 5 },
      { name: 'rsi', period: 14 },
      { name: 'cs-rank', feature: { name: 'return', window: 5 } },
    ],
    label: { kind: 'forward-return', horizon: 5 },
    model: { kind: 'gbdt', trees: 20, depth: 3, learningRate: 0.1, seed: 1, minLeaf: 20 },
    walkForward: { train: 150, test: 60, embargo: 5, anchored: false },
  });
  modelId = (await trainAndRegister(store, spec)).record.id;
});

afterAll(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The local fake feed server (generic JSON, as the WebSocket feed's tests use). */
async function fakeFeed() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const conn = new Promise<WebSocket>((r) => wss.once('connection', r));
  return {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    conn,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

describe('model-signal on a streaming feed', () => {
  it('warms its features on stored history, then predicts each live bar as the batch does and trades as the replay does', async () => {
    const srv = await fakeFeed();
    const live = new LiveService(store, () => undefined, 60_000);
    try {
      const spec = {
        strategy: 'model-signal',
        params: { modelId, mode: 'threshold', threshold: 0, short: true },
        symbols: panel.symbols,
        capital: 100_000,
      };
      const from = formatDate(panel.time[START]);
      const started = live.start({
        spec,
        feed: 'websocket',
        url: srv.url,
        from,
        speed: 0,
        session: 'stream',
        webhooks: [],
      });
      expect(started.ok, started.ok ? '' : started.error.message).toBe(true);
      const ws = await srv.conn;
      // Each symbol's bar in its own message, symbols in a shuffled order each day (as a real stream interleaves them).
      for (let t = START; t < panel.nDays; t++) {
        const order = panel.symbols.map((_, s) => s).sort((a, b) => ((a * 7 + t) % 8) - ((b * 7 + t) % 8));
        for (const s of order) {
          const k = s * panel.nDays + t;
          ws.send(
            JSON.stringify({
              type: 'bar',
              symbol: panel.symbols[s],
              time: panel.time[t],
              open: panel.open[k],
              high: panel.high[k],
              low: panel.low[k],
              close: panel.close[k],
              volume: panel.volume[k],
              interval: '1d',
            }),
          );
        }
      }
      const last = panel.time[panel.nDays - 1];
      const stepped = () => live.sessions().find((x) => x.name === 'stream')?.lastTime;
      for (let i = 0; i < 400 && stepped() !== last; i++) await new Promise((r) => setTimeout(r, 25));
      expect(stepped()).toBe(last);
      const session = live.session!;
      const decided = session.signals.filter((s) => s.reason === 'signal');
      expect(decided.length).toBeGreaterThan(10);
      // The features warmed on the stored history before `from`: the first live bars already predict, as the batch does.
      const oos = outOfSamplePredictions(store, modelId, panel);
      expect(decided[0].time).toBe(panel.time[START]);
      for (const s of decided) {
        expect(Math.abs(s.explanation!.prediction - oos.at(s.symbol, s.time))).toBeLessThan(1e-9);
        expect(s.target).toBe(Math.sign(s.explanation!.prediction));
      }
      // The same bars replayed from the store trade the same way (the replay closes everything at the data's end).
      const parsed = parseSpec(spec);
      if (!parsed.ok) throw new Error(parsed.errors.join('; '));
      const ref = await replay(store, parsed.spec, { from });
      const view = (f: { symbol: string; time: number; side: string; qty: number; price: number }) =>
        [f.symbol, f.time, f.side, f.qty, f.price].join(' ');
      expect(session.fills.map(view)).toEqual(ref.fills.filter((f) => f.time < last).map(view));
    } finally {
      await live.dispose();
      await srv.close();
    }
  });

  it('on a trade feed, groups the bars its aggregator closes into steps and predicts each as the batch does', async () => {
    const srv = await fakeFeed();
    const live = new LiveService(store, () => undefined, 60_000);
    let closed = 0;
    live.onBar = () => void closed++;
    try {
      const spec = {
        strategy: 'model-signal',
        params: { modelId, mode: 'threshold', threshold: 0, short: true },
        symbols: panel.symbols,
        capital: 100_000,
      };
      const from = formatDate(panel.time[START]);
      const started = live.start({
        spec,
        feed: 'websocket',
        url: srv.url,
        from,
        speed: 0,
        interval: '1d',
        session: 'ticks',
        webhooks: [],
      });
      expect(started.ok, started.ok ? '' : started.error.message).toBe(true);
      const ws = await srv.conn;
      const HOUR = 3_600_000;
      // Each day, each symbol's trades at its open, high, low and close; a last print the day after closes the last bars.
      for (let t = START; t <= panel.nDays; t++) {
        const msgs = [];
        for (let s = 0; s < panel.symbols.length; s++) {
          const symbol = panel.symbols[s];
          if (t === panel.nDays) {
            msgs.push({ type: 'trade', symbol, time: panel.time[t - 1] + 24 * HOUR + HOUR, price: 1, size: 1 });
            continue;
          }
          const k = s * panel.nDays + t;
          const px = [panel.open[k], panel.high[k], panel.low[k], panel.close[k]];
          px.forEach((price, j) =>
            msgs.push({ type: 'trade', symbol, time: panel.time[t] + (j + 1) * HOUR, price, size: 1 }),
          );
        }
        ws.send(JSON.stringify(msgs));
      }
      const want = panel.symbols.length * (panel.nDays - START);
      for (let i = 0; i < 400 && closed < want; i++) await new Promise((r) => setTimeout(r, 25));
      expect(closed).toBe(want);
      const decided = live.session!.signals.filter((x) => x.reason === 'signal');
      expect(decided.length).toBeGreaterThan(10);
      const oos = outOfSamplePredictions(store, modelId, panel);
      for (const x of decided) {
        expect(Math.abs(x.explanation!.prediction - oos.at(x.symbol, x.time))).toBeLessThan(1e-9);
        expect(x.target).toBe(Math.sign(x.explanation!.prediction));
      }
    } finally {
      await live.dispose();
      await srv.close();
    }
  });

  it('groups bars that arrive one by one into time steps', () => {
    const steps: string[][] = [];
    const a = new StepAssembler(['A', 'B', 'C'], (s) => steps.push(s.map((b) => `${b.symbol}${b.time}`)));
    const bar = (symbol: string, time: number) => ({
      symbol,
      time,
      intervalMs: 60_000,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 1,
    });
    a.push(bar('B', 1));
    a.push(bar('A', 1));
    a.push(bar('C', 1)); // complete: delivered at once
    a.push(bar('A', 2));
    a.push(bar('B', 2));
    expect(steps).toEqual([['A1', 'B1', 'C1']]);
    a.push(bar('A', 3)); // C sent nothing at 2: the later bar closes that step
    a.push(bar('C', 2)); // late: alone
    a.push(bar('X', 3)); // not a session symbol
    a.flush();
    expect(steps).toEqual([['A1', 'B1', 'C1'], ['A2', 'B2'], ['C2'], ['A3']]);
  });
});
