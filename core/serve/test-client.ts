import { WebSocket } from 'ws';
import { decodeFrame, encodeFrame } from '../model/wire';

/** A frame the host sends. */
export type HostFrame = {
  id?: unknown;
  ok?: boolean;
  value?: unknown;
  error?: { code: string; message: string };
  type?: string;
  topic?: string;
  payload?: unknown;
};

/**
 * A raw protocol client for tests and tools: sends frames, awaits replies by id, records events.
 * Deliberately not the renderer's client, so the host is tested against the protocol as written.
 */
export class TestClient {
  readonly socket: WebSocket;
  readonly events: HostFrame[] = [];
  /** Replies with `id: null` (malformed frames), in arrival order. */
  readonly orphans: HostFrame[] = [];
  readonly #waiting = new Map<unknown, (f: HostFrame) => void>();
  readonly #orphanWaiters: ((f: HostFrame) => void)[] = [];
  readonly #eventWaiters = new Set<(f: HostFrame) => boolean>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data) => {
      const f = decodeFrame(String(data)) as HostFrame;
      if (f.type === 'event') {
        this.events.push(f);
        for (const w of [...this.#eventWaiters]) if (w(f)) this.#eventWaiters.delete(w);
        return;
      }
      if (f.id === null) {
        const w = this.#orphanWaiters.shift();
        return w ? w(f) : void this.orphans.push(f);
      }
      const w = this.#waiting.get(f.id);
      this.#waiting.delete(f.id);
      w?.(f);
    });
  }

  /**
   * Opens a socket; resolves when open, rejects with the HTTP status on a refused upgrade. Sends the
   * `Origin` a page of the host would (`http://HOST:PORT` of `url`) unless `headers.origin` is given;
   * `origin: ''` sends none.
   */
  static connect(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const h: Record<string, string> = { origin: `http://${new URL(url).host}`, ...headers };
    if (h.origin === '') delete h.origin;
    return new Promise((resolve, reject) => {
      const s = new WebSocket(url, { headers: h });
      s.once('open', () => resolve(new TestClient(s)));
      s.once('unexpected-response', (_req, res) =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })),
      );
      s.once('error', reject);
    });
  }

  /** Sends `{id, method, params}` and resolves with the reply frame. */
  call(method: string, params?: unknown, id: number | string = this.#nextId++): Promise<HostFrame> {
    const reply = this.reply(id);
    this.socket.send(encodeFrame({ id, method, params }));
    return reply;
  }

  /** Resolves with the next reply carrying `id`. */
  reply(id: unknown): Promise<HostFrame> {
    return new Promise((resolve) => this.#waiting.set(id, resolve));
  }

  /** Resolves with the first event (already received or to come) that `match` accepts. */
  event(match: (f: HostFrame) => boolean): Promise<HostFrame> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      this.#eventWaiters.add((f) => {
        if (!match(f)) return false;
        resolve(f);
        return true;
      });
    });
  }

  /** Sends raw text (or bytes) and resolves with the next `id: null` error reply. */
  sendRaw(data: string | Buffer, binary = false): Promise<HostFrame> {
    const p = this.orphans.length
      ? Promise.resolve(this.orphans.shift()!)
      : new Promise<HostFrame>((r) => this.#orphanWaiters.push(r));
    this.socket.send(data, { binary });
    return p;
  }

  /** Sends any frame without waiting. */
  send(frame: unknown): void {
    this.socket.send(encodeFrame(frame));
  }

  /** Closes and resolves once closed. */
  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((r) => {
      this.socket.once('close', () => r());
      this.socket.close();
    });
  }
}
