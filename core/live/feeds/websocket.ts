import WebSocket from 'ws';
import type { FeedStatus } from '../types';
import { parseBinance, parseGeneric, type MessageParser } from './parsers';
import { SequenceChecker } from './sequence';
import type { Feed, FeedSink } from './types';

/** Options of {@link WebSocketFeed}. */
export interface WebSocketFeedOptions {
  readonly url: string;
  /** `websocket` (generic JSON, default) or `binance`. */
  readonly name?: string;
  readonly parse?: MessageParser;
  /** Reconnect delays: `baseMs × 2^(attempt-1)` capped at `maxMs`. Defaults 500 and 30,000 ms. */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** No message for this long marks the feed stale (status `stale`); default 30,000 ms. 0 disables. */
  readonly staleMs?: number;
  /** Text sent after each (re)connect, e.g. a subscription request. */
  readonly subscribe?: string;
}

/**
 * A streaming feed over a WebSocket: parses each message with `parse`, checks continuity per symbol
 * (see {@link SequenceChecker}), reconnects with exponential backoff after any close or error until
 * stopped, and reports `stale` when no message arrives for `staleMs` (and `open` again on the next one).
 */
export class WebSocketFeed implements Feed {
  readonly name: string;
  readonly #o: WebSocketFeedOptions;
  readonly #parse: MessageParser;
  readonly seq: SequenceChecker;
  #ws: WebSocket | null = null;
  #sink: FeedSink | null = null;
  #stopped = false;
  #attempt = 0;
  #retry: NodeJS.Timeout | null = null;
  #staleTimer: NodeJS.Timeout | null = null;
  #lastMessageAt = 0;
  #isStale = false;
  #messages = 0;
  #resolve!: () => void;
  readonly done: Promise<void>;
  /** Successful connections so far (1 + reconnects). */
  connections = 0;

  constructor(o: WebSocketFeedOptions) {
    this.#o = o;
    this.name = o.name ?? 'websocket';
    this.#parse = o.parse ?? (this.name === 'binance' ? parseBinance : parseGeneric);
    this.seq = new SequenceChecker(this.name);
    this.done = new Promise((r) => (this.#resolve = r));
  }

  #status(state: FeedStatus['state'], detail?: string): void {
    this.#sink?.status(
      detail === undefined
        ? { feed: this.name, state, at: Date.now() }
        : { feed: this.name, state, at: Date.now(), detail },
    );
  }

  /** The delay before reconnect attempt `n` (1-based). */
  backoff(n: number): number {
    return Math.min(this.#o.reconnectMaxMs ?? 30_000, (this.#o.reconnectBaseMs ?? 500) * 2 ** (n - 1));
  }

  /** Connects (and keeps reconnecting) and delivers parsed messages to `sink` until {@link stop}. */
  start(sink: FeedSink): void {
    this.#sink = sink;
    this.#connect();
    const staleMs = this.#o.staleMs ?? 30_000;
    if (staleMs > 0) {
      this.#lastMessageAt = Date.now();
      this.#staleTimer = setInterval(
        () => {
          if (!this.#isStale && Date.now() - this.#lastMessageAt >= staleMs) {
            this.#isStale = true;
            this.#status('stale', `no message for ${Math.round((Date.now() - this.#lastMessageAt) / 1000)} s`);
          }
        },
        Math.max(10, Math.floor(staleMs / 4)),
      );
      this.#staleTimer.unref?.();
    }
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#status(
      this.#attempt === 0 ? 'connecting' : 'reconnecting',
      this.#attempt === 0 ? this.#o.url : `attempt ${this.#attempt}`,
    );
    const ws = new WebSocket(this.#o.url);
    this.#ws = ws;
    ws.on('open', () => {
      this.#attempt = 0;
      this.connections++;
      this.#lastMessageAt = Date.now();
      this.#status('open');
      if (this.#o.subscribe !== undefined) ws.send(this.#o.subscribe);
    });
    ws.on('message', (data) => this.#onMessage(data.toString()));
    ws.on('error', () => {
      // 'close' follows every 'error'; reconnecting happens there.
    });
    ws.on('close', () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      if (this.#stopped) return;
      this.#attempt++;
      const delay = this.backoff(this.#attempt);
      this.#status('reconnecting', `retry ${this.#attempt} in ${delay} ms`);
      this.#retry = setTimeout(() => this.#connect(), delay);
    });
  }

  #onMessage(text: string): void {
    const sink = this.#sink!;
    this.#messages++;
    this.#lastMessageAt = Date.now();
    if (this.#isStale) {
      this.#isStale = false;
      this.#status('open', 'messages resumed');
    }
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      sink.issue({
        kind: 'bad-message',
        feed: this.name,
        symbol: null,
        time: Date.now(),
        message: `message ${this.#messages}: not JSON`,
      });
      return;
    }
    const p = this.#parse(msg);
    for (const e of p.errors)
      sink.issue({
        kind: 'bad-message',
        feed: this.name,
        symbol: null,
        time: Date.now(),
        message: `message ${this.#messages}: ${e}`,
      });
    const issue = sink.issue.bind(sink);
    const ticks = p.ticks.filter((t) => this.seq.tick(t, issue));
    if (ticks.length > 0) sink.ticks(ticks);
    for (const b of p.bars) if (this.seq.bar(b, issue)) sink.bars([b]);
  }

  /** Closes the connection, cancels any pending reconnect and the stale timer; resolves once closed. */
  async stop(): Promise<void> {
    if (this.#stopped) return this.done;
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    if (this.#staleTimer) clearInterval(this.#staleTimer);
    const ws = this.#ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((r) => {
        ws.once('close', () => r());
        ws.terminate();
      });
    }
    this.#status('closed', 'stopped');
    this.#resolve();
    return this.done;
  }
}
