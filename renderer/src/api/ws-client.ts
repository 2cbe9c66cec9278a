import type { Channel, EventChannel, Events, OutputOf, Result, WindowApi } from '../../../core/contract';
import { decodeFrame, encodeFrame } from '../../../core/model/wire';

/** Where the client is: the status indicator shows this. */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

/** The subset of the WebSocket API the client uses (the browser's, or `ws` in Node tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

/** Options for {@link createWsApi}. */
export interface WsApiOptions {
  /** Builds a socket for `url`; defaults to the global `WebSocket`. */
  readonly connect?: (url: string) => SocketLike;
  /** First reconnect delay; doubles up to `maxReconnectMs`. */
  readonly reconnectMs?: number;
  readonly maxReconnectMs?: number;
}

/** A `window.api` over WebSocket, plus connection state and `close()`. */
export interface WsApi extends WindowApi {
  getConnectionState(): ConnectionState;
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** Invokes with a signal: aborting sends `{id, type: 'cancel'}` and the server aborts the handler. */
  invokeWithSignal<K extends Channel>(channel: K, input: unknown, signal: AbortSignal): Promise<Result<OutputOf<K>>>;
  /** Closes for good (no reconnect); pending calls resolve `unavailable`. */
  close(): void;
}

const OPEN = 1;

interface Pending {
  readonly frame: string;
  readonly resolve: (r: Result<unknown>) => void;
  sent: boolean;
}

function unavailable(message: string): Result<never> {
  return { ok: false, error: { code: 'unavailable', message } };
}

/**
 * Connects to a `quantdesk serve` host at `url` (`ws://host/ws?token=…`) and returns a `WindowApi`.
 * Calls made before the socket opens are queued; calls in flight when the connection drops resolve
 * with an `unavailable` error (never hang). The client reconnects with backoff and re-subscribes its
 * topics. Never throws for a server error: every call resolves to a `Result`.
 */
export function createWsApi(url: string, options: WsApiOptions = {}): WsApi {
  const connect = options.connect ?? ((u: string) => new WebSocket(u) as unknown as SocketLike);
  const baseDelay = options.reconnectMs ?? 500;
  const maxDelay = options.maxReconnectMs ?? 10_000;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  let state: ConnectionState = 'connecting';
  let socket: SocketLike | null = null;
  let nextId = 1;
  let delay = baseDelay;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function setState(s: ConnectionState): void {
    if (s === state) return;
    state = s;
    for (const l of [...stateListeners]) l(s);
  }

  function sendRaw(text: string): boolean {
    if (socket === null || socket.readyState !== OPEN) return false;
    socket.send(text);
    return true;
  }

  function open(): void {
    setState('connecting');
    const s = connect(url);
    socket = s;
    s.onopen = () => {
      delay = baseDelay;
      setState('connected');
      for (const topic of listeners.keys()) sendRaw(JSON.stringify({ type: 'subscribe', topic }));
      for (const p of pending.values()) if (!p.sent) p.sent = sendRaw(p.frame);
    };
    s.onmessage = (ev) => onFrame(ev.data);
    s.onerror = () => {};
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      // Calls already on the wire are lost with the connection: answer them rather than hang.
      for (const [id, p] of pending) {
        if (!p.sent) continue;
        pending.delete(id);
        p.resolve(unavailable('Connection to the QuantDesk host was lost'));
      }
      setState('disconnected');
      if (!closed) {
        timer = setTimeout(open, delay);
        delay = Math.min(delay * 2, maxDelay);
      }
    };
  }

  function onFrame(data: unknown): void {
    let msg: {
      id?: unknown;
      ok?: unknown;
      value?: unknown;
      error?: unknown;
      type?: unknown;
      topic?: unknown;
      payload?: unknown;
    };
    try {
      msg = decodeFrame(String(data)) as typeof msg;
    } catch {
      return;
    }
    if (msg.type === 'event' && typeof msg.topic === 'string') {
      for (const l of [...(listeners.get(msg.topic) ?? [])]) l(msg.payload);
      return;
    }
    if (typeof msg.id !== 'number') return;
    const p = pending.get(msg.id);
    if (!p) return;
    pending.delete(msg.id);
    p.resolve(msg.ok === true ? { ok: true, value: msg.value } : { ok: false, error: msg.error as never });
  }

  function call(channel: string, input: unknown, signal?: AbortSignal): Promise<Result<unknown>> {
    if (closed) return Promise.resolve(unavailable('The QuantDesk client is closed'));
    if (signal?.aborted)
      return Promise.resolve({ ok: false, error: { code: 'cancelled', message: `${channel} was cancelled` } });
    const id = nextId++;
    const frame = encodeFrame({ id, method: channel, params: input });
    return new Promise((resolve) => {
      const p: Pending = { frame, resolve, sent: false };
      pending.set(id, p);
      p.sent = sendRaw(frame);
      signal?.addEventListener(
        'abort',
        () => {
          if (!pending.has(id)) return;
          if (p.sent) sendRaw(JSON.stringify({ id, type: 'cancel' }));
          else {
            pending.delete(id);
            resolve({ ok: false, error: { code: 'cancelled', message: `${channel} was cancelled` } });
          }
        },
        { once: true },
      );
    });
  }

  open();

  const api: WsApi = {
    invoke: ((channel: Channel, input?: unknown) => call(channel, input)) as WindowApi['invoke'],
    invokeWithSignal: (channel, input, signal) => call(channel, input, signal) as never,
    on<E extends EventChannel>(channel: E, listener: (payload: Events[E]) => void): () => void {
      let set = listeners.get(channel);
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
        sendRaw(JSON.stringify({ type: 'subscribe', topic: channel }));
      }
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => {
        const s = listeners.get(channel);
        if (!s || !s.delete(l) || s.size > 0) return;
        listeners.delete(channel);
        sendRaw(JSON.stringify({ type: 'unsubscribe', topic: channel }));
      };
    },
    getConnectionState: () => state,
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      socket?.close(1000, 'client closed');
      for (const [id, p] of pending) {
        pending.delete(id);
        p.resolve(unavailable('The QuantDesk client is closed'));
      }
      setState('disconnected');
    },
  };
  return api;
}
