import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

/** A fault the next matching request gets. `timeout`: no answer; `accept-then-timeout`: acts on it, answers nothing. */
export type AlpacaFault = 'timeout' | 'accept-then-timeout' | 429 | 500 | 503;

interface FakeOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  qty: string;
  filled_qty: string;
  filled_avg_price: string | null;
  limit_price: string | null;
  stop_price: string | null;
  status: string;
  time_in_force: string;
  created_at: string;
  submitted_at: string;
  updated_at: string;
}

/**
 * A local server speaking Alpaca's REST v2 and `trade_updates` stream formats, for tests: orders are
 * held until the test fills, partially fills, rejects or cancels them; faults are injected per route
 * (timeouts, 429, 5xx, an order accepted but never answered), and the stream can duplicate, reorder or
 * drop updates. Only loopback. Keys are checked like the real service (401 otherwise).
 */
export class FakeAlpaca {
  readonly orders = new Map<string, FakeOrder>();
  readonly positions = new Map<string, { qty: number; avg: number; last: number }>();
  cash = 100_000;
  /** When set, every market order is filled whole at this price right after it is accepted (like a liquid market). */
  autoFillPrice: number | null = null;
  /** Every order POST that reached the server (accepted or not): a test counts doubles with it. */
  posts = 0;
  readonly #faults: { route: string; fault: AlpacaFault }[] = [];
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #clients = new Set<WebSocket>();
  readonly #sent: string[] = [];
  #clock = Date.parse('2026-01-05T14:30:00Z');
  url = '';

  constructor(
    readonly keyId = 'test-key',
    readonly secret = 'test-secret',
  ) {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#wss = new WebSocketServer({ noServer: true });
    this.#server.on('upgrade', (req, socket, head) => {
      if (req.url !== '/stream') return socket.destroy();
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#stream(ws));
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    for (const c of this.#clients) c.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  /** The next request to `route` (e.g. `POST /v2/orders`, `GET /v2/positions`) gets `fault`. */
  fault(route: string, fault: AlpacaFault): void {
    this.#faults.push({ route, fault });
  }

  /** Open stream connections. */
  get streamClients(): number {
    return this.#clients.size;
  }

  /** Closes every stream connection (a dropped stream). */
  dropStream(): void {
    for (const c of this.#clients) c.terminate();
  }

  /** Changes a position behind the client's back (a trade made elsewhere). */
  setPosition(symbol: string, qty: number, avg: number, last = avg): void {
    if (qty === 0) this.positions.delete(symbol);
    else this.positions.set(symbol, { qty, avg, last });
  }

  #now(): string {
    this.#clock += 1_000;
    return new Date(this.#clock).toISOString();
  }

  /** Fills `qty` of an order at `price` (a partial fill when some remains), pushing the update. */
  fill(id: string, qty: number, price: number): void {
    const o = this.orders.get(id)!;
    const filled = Number(o.filled_qty);
    const total = Number(o.qty);
    const q = Math.min(qty, total - filled);
    const avg = o.filled_avg_price === null ? price : (Number(o.filled_avg_price) * filled + price * q) / (filled + q);
    o.filled_qty = String(filled + q);
    o.filled_avg_price = String(avg);
    o.status = filled + q >= total ? 'filled' : 'partially_filled';
    o.updated_at = this.#now();
    const p = this.positions.get(o.symbol) ?? { qty: 0, avg: 0, last: price };
    const signed = o.side === 'buy' ? q : -q;
    if (p.qty === 0 || Math.sign(p.qty) === Math.sign(signed))
      p.avg = (Math.abs(p.qty) * p.avg + q * price) / (Math.abs(p.qty) + q);
    p.qty += signed;
    p.last = price;
    if (Math.abs(p.qty) < 1e-9) this.positions.delete(o.symbol);
    else this.positions.set(o.symbol, p);
    this.cash -= signed * price;
    this.push(o.status === 'filled' ? 'fill' : 'partial_fill', o, {
      execution_id: randomUUID(),
      qty: String(q),
      price: String(price),
      position_qty: String(p.qty),
    });
  }

  /** Rejects a new order. */
  reject(id: string, reason = 'insufficient buying power'): void {
    const o = this.orders.get(id)!;
    o.status = 'rejected';
    o.updated_at = this.#now();
    this.push('rejected', o, { reason });
  }

  /** Sends the last stream message again (a duplicated update). */
  repeatLast(): void {
    const m = this.#sent.at(-1);
    if (m) for (const c of this.#clients) c.send(m);
  }

  /** Sends the `back`-th last message again (an update arriving after newer ones). */
  replayOld(back: number): void {
    const m = this.#sent.at(-back);
    if (m) for (const c of this.#clients) c.send(m);
  }

  /** Pushes one `trade_updates` message for `o` (as a binary frame, like Alpaca). */
  push(event: string, o: FakeOrder, extra: Record<string, unknown> = {}): void {
    const m = JSON.stringify({
      stream: 'trade_updates',
      data: { event, timestamp: o.updated_at, order: { ...o }, ...extra },
    });
    this.#sent.push(m);
    for (const c of this.#clients) c.send(Buffer.from(m));
  }

  #stream(ws: WebSocket): void {
    let authed = false;
    ws.on('message', (raw) => {
      let m: { action?: string; key?: string; secret?: string; data?: { streams?: string[] } };
      try {
        m = JSON.parse(raw.toString());
      } catch {
        return;
      }
      if (m.action === 'auth') {
        authed = m.key === this.keyId && m.secret === this.secret;
        ws.send(
          JSON.stringify({
            stream: 'authorization',
            data: { action: 'authenticate', status: authed ? 'authorized' : 'unauthorized' },
          }),
        );
        if (!authed) ws.close();
      } else if (m.action === 'listen' && authed) {
        this.#clients.add(ws);
        ws.send(JSON.stringify({ stream: 'listening', data: { streams: m.data?.streams ?? [] } }));
      }
    });
    ws.on('close', () => this.#clients.delete(ws));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const route = `${req.method} ${url.pathname.replace(/\/v2\/orders\/[^/]+$/, '/v2/orders/:id')}`;
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    if (req.headers['apca-api-key-id'] !== this.keyId || req.headers['apca-api-secret-key'] !== this.secret)
      return send(401, { code: 40110000, message: 'request is not authorized' });
    const fi = this.#faults.findIndex((f) => f.route === route);
    const fault = fi >= 0 ? this.#faults.splice(fi, 1)[0].fault : null;
    if (fault === 'timeout') return; // never answered: the client's timeout fires
    if (typeof fault === 'number')
      return send(fault, { message: fault === 429 ? 'rate limit exceeded' : 'internal server error' });
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {};
    const answer = this.#route(req.method!, url, body);
    if (fault === 'accept-then-timeout') return;
    send(answer[0], answer[1]);
  }

  #route(method: string, url: URL, body: Record<string, string>): [number, unknown?] {
    const path = url.pathname;
    if (method === 'GET' && path === '/v2/account') {
      let mv = 0;
      for (const p of this.positions.values()) mv += p.qty * p.last;
      return [
        200,
        {
          id: 'fake-account',
          account_number: 'PA0000FAKE',
          status: 'ACTIVE',
          currency: 'USD',
          cash: String(this.cash),
          equity: String(this.cash + mv),
          portfolio_value: String(this.cash + mv),
          buying_power: String(this.cash * 2),
        },
      ];
    }
    if (method === 'GET' && path === '/v2/positions') {
      return [
        200,
        [...this.positions].map(([symbol, p]) => ({
          symbol,
          qty: String(p.qty),
          side: p.qty < 0 ? 'short' : 'long',
          avg_entry_price: String(p.avg),
          current_price: String(p.last),
          market_value: String(p.qty * p.last),
          unrealized_pl: String(p.qty * (p.last - p.avg)),
        })),
      ];
    }
    if (method === 'GET' && path === '/v2/orders') {
      const open = [...this.orders.values()].filter((o) =>
        ['new', 'accepted', 'partially_filled', 'pending_new'].includes(o.status),
      );
      return [200, open];
    }
    if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
      const o = [...this.orders.values()].find((x) => x.client_order_id === url.searchParams.get('client_order_id'));
      return o ? [200, o] : [404, { code: 40410000, message: 'order not found' }];
    }
    if (method === 'POST' && path === '/v2/orders') {
      this.posts++;
      const cid = body.client_order_id ?? randomUUID();
      if ([...this.orders.values()].some((x) => x.client_order_id === cid))
        return [422, { code: 40010001, message: 'client_order_id must be unique' }];
      if (!(Number(body.qty) > 0)) return [422, { code: 40010001, message: 'qty must be > 0' }];
      const now = this.#now();
      const o: FakeOrder = {
        id: randomUUID(),
        client_order_id: cid,
        symbol: body.symbol,
        side: body.side as 'buy' | 'sell',
        type: body.type,
        qty: body.qty,
        filled_qty: '0',
        filled_avg_price: null,
        limit_price: body.limit_price ?? null,
        stop_price: body.stop_price ?? null,
        status: 'new',
        time_in_force: body.time_in_force ?? 'day',
        created_at: now,
        submitted_at: now,
        updated_at: now,
      };
      this.orders.set(o.id, o);
      this.push('new', o);
      const px = this.autoFillPrice;
      if (px !== null && o.type === 'market') setImmediate(() => this.fill(o.id, Number(o.qty), px));
      return [200, { ...o }];
    }
    const m = /^\/v2\/orders\/([^/]+)$/.exec(path);
    const o = m ? this.orders.get(m[1]) : undefined;
    if (m && !o) return [404, { message: 'order not found' }];
    if (method === 'DELETE' && o) {
      if (!['new', 'accepted', 'partially_filled'].includes(o.status))
        return [422, { message: 'order is not cancelable' }];
      o.status = 'canceled';
      o.updated_at = this.#now();
      this.push('canceled', o);
      return [204];
    }
    if (method === 'PATCH' && o) {
      if (!['new', 'accepted'].includes(o.status)) return [422, { message: 'order is not replaceable' }];
      o.status = 'replaced';
      o.updated_at = this.#now();
      const now = this.#now();
      const n: FakeOrder = {
        ...o,
        id: randomUUID(),
        client_order_id: body.client_order_id ?? randomUUID(),
        qty: body.qty ?? o.qty,
        limit_price: body.limit_price ?? o.limit_price,
        stop_price: body.stop_price ?? o.stop_price,
        status: 'new',
        created_at: now,
        submitted_at: now,
        updated_at: now,
      };
      this.orders.set(n.id, n);
      this.push('replaced', o);
      this.push('new', n);
      return [200, n];
    }
    return [404, { message: `no route ${method} ${path}` }];
  }
}
