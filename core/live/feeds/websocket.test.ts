import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { StepBar } from '../runner';
import type { FeedStatus, Tick } from '../types';
import { binanceUrl, parseBinance, parseGeneric } from './parsers';
import type { FeedIssue, FeedSink } from './types';
import { WebSocketFeed } from './websocket';

/** A loopback WebSocket server; `conns` resolves each connection in order. */
async function server() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const queue: WebSocket[] = [];
  const waiters: ((ws: WebSocket) => void)[] = [];
  wss.on('connection', (ws) => {
    const w = waiters.shift();
    if (w) w(ws);
    else queue.push(ws);
  });
  return {
    url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`,
    next: () => new Promise<WebSocket>((r) => (queue.length ? r(queue.shift()!) : waiters.push(r))),
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

/** A sink that records everything and lets a test wait for a condition. */
function recorder() {
  const ticks: Tick[] = [];
  const bars: StepBar[] = [];
  const statuses: FeedStatus[] = [];
  const issues: FeedIssue[] = [];
  let check: (() => void) | null = null;
  const poke = () => check?.();
  const sink: FeedSink = {
    ticks: (b) => (ticks.push(...b), poke()),
    bars: (b) => (bars.push(...b), poke()),
    status: (s) => (statuses.push(s), poke()),
    issue: (i) => (issues.push(i), poke()),
  };
  const until = (cond: () => boolean) =>
    new Promise<void>((resolve) => {
      if (cond()) return resolve();
      check = () => {
        if (cond()) {
          check = null;
          resolve();
        }
      };
    });
  return { sink, ticks, bars, statuses, issues, until };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const T = Date.UTC(2024, 0, 2, 14, 30);

describe('WebSocketFeed (generic JSON)', () => {
  it('delivers trades and bars, detects gaps and out-of-order ids, reconnects with backoff after a drop', async () => {
    const srv = await server();
    const rec = recorder();
    const feed = new WebSocketFeed({ url: srv.url, reconnectBaseMs: 20, staleMs: 0 });
    cleanups.push(srv.close, () => feed.stop());
    feed.start(rec.sink);
    const c1 = await srv.next();
    c1.send(
      JSON.stringify([
        { type: 'trade', symbol: 'AAA', time: T, price: 10, size: 1, seq: 1 },
        { type: 'trade', symbol: 'AAA', time: T + 1, price: 10.5, size: 2, seq: 2 },
      ]),
    );
    c1.send(
      JSON.stringify({
        type: 'bar',
        symbol: 'AAA',
        time: new Date(T).toISOString(),
        open: 1,
        high: 2,
        low: 0.5,
        close: 1.5,
        volume: 9,
        interval: '1m',
      }),
    );
    await rec.until(() => rec.ticks.length === 2 && rec.bars.length === 1);
    expect(rec.bars[0]).toEqual({
      symbol: 'AAA',
      intervalMs: 60_000,
      time: T,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 9,
    });
    // The server drops the connection; the feed reconnects and a gap in ids is reported.
    c1.terminate();
    const c2 = await srv.next();
    await rec.until(() => rec.statuses.some((s) => s.state === 'open') && feed.connections === 2);
    c2.send(JSON.stringify({ type: 'trade', symbol: 'AAA', time: T + 5, price: 11, size: 1, seq: 5 }));
    c2.send(JSON.stringify({ type: 'trade', symbol: 'AAA', time: T + 3, price: 11, size: 1, seq: 3 }));
    c2.send(JSON.stringify({ type: 'bar', symbol: 'AAA', time: T + 180_000, open: 1, high: 1, low: 1, close: 1 }));
    c2.send(JSON.stringify({ type: 'bar', symbol: 'AAA', time: T + 60_000, open: 1, high: 1, low: 1, close: 1 }));
    c2.send('{"type":"trade","symbol":"AAA","time":1,"price":"abc"}');
    await rec.until(() => rec.issues.length === 5);
    expect(rec.issues.map((i) => i.kind)).toEqual(['gap', 'out-of-order', 'gap', 'out-of-order', 'bad-message']);
    expect(rec.issues[0].message).toContain('2 message(s) missing');
    expect(rec.issues[4].message).toMatch(/message 7: field "price": expected a number/);
    expect(rec.ticks.map((t) => t.seq)).toEqual([1, 2, 5]);
    expect(rec.bars.map((b) => b.time)).toEqual([T, T + 180_000]);
    const states = rec.statuses.map((s) => s.state);
    expect(states.slice(0, 4)).toEqual(['connecting', 'open', 'reconnecting', 'reconnecting']);
    expect(rec.statuses[2].detail).toBe('retry 1 in 20 ms');
  });

  it('backs off exponentially up to the cap while the server is down', () => {
    const feed = new WebSocketFeed({ url: 'ws://127.0.0.1:1', reconnectBaseMs: 100, reconnectMaxMs: 1_000 });
    expect([1, 2, 3, 4, 5].map((n) => feed.backoff(n))).toEqual([100, 200, 400, 800, 1_000]);
  });

  it('keeps retrying a refused connection and connects once the server is up', async () => {
    const srv = await server();
    const url = srv.url;
    await srv.close();
    const rec = recorder();
    const feed = new WebSocketFeed({ url, reconnectBaseMs: 10, reconnectMaxMs: 40, staleMs: 0 });
    cleanups.push(() => feed.stop());
    feed.start(rec.sink);
    await rec.until(
      () => rec.statuses.filter((s) => s.state === 'reconnecting' && s.detail?.startsWith('retry')).length >= 3,
    );
    const port = Number(new URL(url).port);
    const wss = new WebSocketServer({ host: '127.0.0.1', port });
    cleanups.push(
      () =>
        new Promise<void>((r) => {
          for (const c of wss.clients) c.terminate();
          wss.close(() => r());
        }),
    );
    await rec.until(() => feed.connections === 1);
    expect(rec.statuses.at(-1)!.state).toBe('open');
  });

  it('reports a stale feed when messages stop, and open again when they resume', async () => {
    const srv = await server();
    const rec = recorder();
    const feed = new WebSocketFeed({ url: srv.url, staleMs: 80 });
    cleanups.push(srv.close, () => feed.stop());
    feed.start(rec.sink);
    const c = await srv.next();
    await rec.until(() => rec.statuses.some((s) => s.state === 'stale'));
    c.send(JSON.stringify({ type: 'trade', symbol: 'A', time: T, price: 1 }));
    await rec.until(() => rec.ticks.length === 1);
    const states = rec.statuses.map((s) => s.state);
    expect(states.slice(states.indexOf('stale'))).toEqual(['stale', 'open']);
  });
});

describe('Binance format', () => {
  it('parses documented trade and kline events over a combined stream and ignores open klines', async () => {
    const srv = await server();
    const rec = recorder();
    const feed = new WebSocketFeed({ url: srv.url, name: 'binance', staleMs: 0 });
    cleanups.push(srv.close, () => feed.stop());
    feed.start(rec.sink);
    const c = await srv.next();
    const trade = (t: number, p: string) => ({
      stream: 'bnbbtc@trade',
      data: { e: 'trade', E: T + 10, s: 'BNBBTC', t, p, q: '100', T: T + t, m: true, M: true },
    });
    const kline = (x: boolean) => ({
      e: 'kline',
      E: T,
      s: 'BNBBTC',
      k: {
        t: T,
        T: T + 59_999,
        s: 'BNBBTC',
        i: '1m',
        f: 100,
        L: 200,
        o: '0.0010',
        c: '0.0020',
        h: '0.0025',
        l: '0.0015',
        v: '1000',
        n: 100,
        x,
        q: '1.0000',
        V: '500',
        Q: '0.500',
        B: '123456',
      },
    });
    c.send(JSON.stringify(trade(12345, '0.001')));
    c.send(JSON.stringify(trade(12347, '0.002')));
    c.send(JSON.stringify(kline(false)));
    c.send(JSON.stringify(kline(true)));
    c.send(JSON.stringify({ result: null, id: 1 }));
    await rec.until(() => rec.bars.length === 1 && rec.ticks.length === 2);
    expect(rec.ticks).toEqual([
      { symbol: 'BNBBTC', seq: 12345, price: 0.001, size: 100, time: T + 12345 },
      { symbol: 'BNBBTC', seq: 12347, price: 0.002, size: 100, time: T + 12347 },
    ]);
    expect(rec.issues.map((i) => i.kind)).toEqual(['gap']);
    expect(rec.bars[0]).toEqual({
      symbol: 'BNBBTC',
      intervalMs: 60_000,
      time: T,
      open: 0.001,
      high: 0.0025,
      low: 0.0015,
      close: 0.002,
      volume: 1000,
    });
  });

  it('names the field of a malformed event and builds stream URLs', () => {
    expect(parseBinance({ e: 'trade', s: 'X', t: 1, p: 'x', q: '1', T: 1 }).errors).toEqual([
      'field "p": expected a number, got "x"',
    ]);
    expect(
      parseGeneric({ type: 'bar', symbol: 'A', time: 0, open: 1, high: 1, low: 1, close: 1, interval: '7x' }).errors,
    ).toEqual(['field "interval": expected like "1m", "1h", "1d" or ms']);
    expect(binanceUrl(['BTCUSDT', 'ETHUSDT'], '1m')).toBe(
      'wss://stream.binance.com:9443/stream?streams=btcusdt@trade/btcusdt@kline_1m/ethusdt@trade/ethusdt@kline_1m',
    );
  });
});
