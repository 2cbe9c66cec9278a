import type { WebSocket } from 'ws';
import { dispatch, type Handlers } from '../api/registry';
import { isEventChannel, type EventChannel } from '../contract';
import { fail, type AppError } from '../model/result';
import { decodeFrame, encodeFrame } from '../model/wire';

/**
 * Largest text frame the host accepts; a larger one gets an `invalid-input` reply (up to the socket's
 * hard limit, twice this, where the connection is closed with 1009 and nothing more is read). The
 * contract's inputs are specs, ids and small arrays: the largest real one (a sweep file) is a few KB.
 */
export const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * A client whose unsent replies and events exceed this is disconnected (close 1008): a tab or a
 * script that stops reading must not grow the host's memory. One reply larger than this still goes
 * out whole when the buffer is empty, so the bound is this plus the largest single reply.
 */
export const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Most calls one connection may have running at once; more are answered `unavailable` without running. */
export const MAX_CALLS_PER_CONNECTION = 64;

/** A client that does not answer a ping within this is dropped (half-open TCP), aborting its calls. */
export const HEARTBEAT_MS = 30_000;

type Id = string | number;

interface Conn {
  readonly socket: WebSocket;
  readonly topics: Set<EventChannel>;
  readonly calls: Map<Id, AbortController>;
  isAlive: boolean;
}

function isId(x: unknown): x is Id {
  return (
    (typeof x === 'string' && x.length > 0 && x.length <= 128) || (typeof x === 'number' && Number.isSafeInteger(x))
  );
}

/**
 * The WebSocket side of `quantdesk serve`: one instance per host, shared by every connection.
 *
 * Protocol (JSON text frames):
 * - `{id, method, params}` → `{id, ok: true, value}` | `{id, ok: false, error: {code, message, details?}}`;
 *   every call goes through {@link dispatch} (schema validation, then the handler).
 * - `{id, type: 'cancel'}` aborts the call `id`'s signal (its reply is then usually `cancelled`).
 * - `{type: 'subscribe' | 'unsubscribe', topic, id?}`: with an `id`, acknowledged as `{id, ok: true, value: null}`.
 * - pushes: `{type: 'event', topic, payload}`, to subscribers of `topic` only.
 * Malformed JSON, unknown methods or topics, bad params, binary or oversized frames get an error
 * reply (`id: null` when no id could be read) and never close the socket. A socket that closes
 * aborts its calls' signals.
 */
export class WsHost {
  readonly #handlers: Handlers;
  readonly #conns = new Set<Conn>();
  readonly #heartbeat: NodeJS.Timeout;

  constructor(handlers: Handlers, heartbeatMs = HEARTBEAT_MS) {
    this.#handlers = handlers;
    this.#heartbeat = setInterval(() => {
      for (const c of this.#conns) {
        if (!c.isAlive) {
          c.socket.terminate();
          continue;
        }
        c.isAlive = false;
        c.socket.ping();
      }
    }, heartbeatMs);
    this.#heartbeat.unref();
  }

  /** Number of open connections. */
  get size(): number {
    return this.#conns.size;
  }

  /** Takes over an authenticated socket. */
  accept(socket: WebSocket): void {
    const conn: Conn = { socket, topics: new Set(), calls: new Map(), isAlive: true };
    this.#conns.add(conn);
    socket.on('pong', () => (conn.isAlive = true));
    socket.on('message', (data, isBinary) => this.#onMessage(conn, data as Buffer | Buffer[] | ArrayBuffer, isBinary));
    socket.on('close', () => {
      this.#conns.delete(conn);
      // The caller is gone: stop its work instead of computing answers nobody will read.
      for (const c of conn.calls.values()) c.abort();
      conn.calls.clear();
    });
    socket.on('error', () => socket.terminate());
  }

  /** Pushes an event to the connections subscribed to `topic`. */
  emit(topic: EventChannel, payload: unknown): void {
    let text: string | undefined;
    for (const c of this.#conns) {
      if (!c.topics.has(topic) || !this.#writable(c)) continue;
      text ??= encodeFrame({ type: 'event', topic, payload });
      c.socket.send(text);
    }
  }

  /** Whether `conn` can take another frame; a slow reader over {@link MAX_BUFFERED_BYTES} is dropped here. */
  #writable(conn: Conn): boolean {
    if (conn.socket.readyState !== conn.socket.OPEN) return false;
    if (conn.socket.bufferedAmount <= MAX_BUFFERED_BYTES) return true;
    // Its 'close' handler aborts its calls; terminate (not close) frees the buffer now.
    conn.socket.terminate();
    return false;
  }

  /** Aborts every call and closes every socket (server shutdown). */
  closeAll(code = 1001, reason = 'server shutting down'): void {
    clearInterval(this.#heartbeat);
    for (const c of this.#conns) {
      for (const a of c.calls.values()) a.abort();
      c.socket.close(code, reason);
    }
  }

  #reply(conn: Conn, id: Id | null, frame: { ok: true; value: unknown } | { ok: false; error: AppError }): void {
    if (!this.#writable(conn)) return;
    let text: string;
    try {
      text = encodeFrame({ id, ...frame });
    } catch (e) {
      text = encodeFrame({
        id,
        ok: false,
        error: { code: 'internal', message: `Reply could not be serialised: ${(e as Error).message}` },
      });
    }
    conn.socket.send(text);
  }

  #error(conn: Conn, id: Id | null, code: AppError['code'], message: string): void {
    const r = fail(code, message);
    if (!r.ok) this.#reply(conn, id, r);
  }

  #onMessage(conn: Conn, data: Buffer | Buffer[] | ArrayBuffer, isBinary: boolean): void {
    const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    if (bytes > MAX_FRAME_BYTES)
      return this.#error(conn, null, 'invalid-input', `Frame too large: ${bytes} bytes (max ${MAX_FRAME_BYTES})`);
    if (isBinary) return this.#error(conn, null, 'invalid-input', 'Binary frames are not supported; send JSON text');
    const text = Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data as ArrayBuffer).toString('utf8');
    let msg: unknown;
    try {
      msg = decodeFrame(text);
    } catch (e) {
      return this.#error(conn, null, 'invalid-input', `Malformed JSON frame: ${(e as Error).message}`);
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) {
      return this.#error(conn, null, 'invalid-input', 'A frame must be a JSON object');
    }
    const m = msg as { id?: unknown; method?: unknown; params?: unknown; type?: unknown; topic?: unknown };
    const id = isId(m.id) ? m.id : null;
    if (m.id !== undefined && id === null)
      return this.#error(conn, null, 'invalid-input', 'id must be a safe integer or a short string');
    if (m.type === 'cancel') {
      if (id !== null) conn.calls.get(id)?.abort();
      return;
    }
    if (m.type === 'subscribe' || m.type === 'unsubscribe') {
      if (!isEventChannel(m.topic)) return this.#error(conn, id, 'invalid-input', `Unknown topic: ${String(m.topic)}`);
      if (m.type === 'subscribe') conn.topics.add(m.topic);
      else conn.topics.delete(m.topic);
      if (id !== null) this.#reply(conn, id, { ok: true, value: null });
      return;
    }
    if (m.type !== undefined) return this.#error(conn, id, 'invalid-input', `Unknown frame type: ${String(m.type)}`);
    if (id === null) return this.#error(conn, null, 'invalid-input', 'A call needs an id');
    if (conn.calls.has(id)) return this.#error(conn, id, 'conflict', `A call with id ${id} is already running`);
    if (conn.calls.size >= MAX_CALLS_PER_CONNECTION) {
      return this.#error(
        conn,
        id,
        'unavailable',
        `Too many calls running on this connection (max ${MAX_CALLS_PER_CONNECTION}); wait for replies`,
      );
    }
    void this.#call(conn, id, m.method, m.params);
  }

  async #call(conn: Conn, id: Id, method: unknown, params: unknown): Promise<void> {
    const controller = new AbortController();
    conn.calls.set(id, controller);
    try {
      const result = await dispatch(this.#handlers, method, params, { signal: controller.signal });
      this.#reply(conn, id, result.ok ? { ok: true, value: result.value } : { ok: false, error: result.error });
    } finally {
      conn.calls.delete(id);
    }
  }
}
