import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { createHandlers } from '../api/handlers';
import type { Emit, Handlers } from '../api/registry';
import { createServices, disposeServices, type ServiceOptions, type Services } from '../api/services';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { allowedHosts, authenticate, isAllowedHost, isAllowedOrigin, newToken, tokenCookie } from './auth';
import { createObservability } from './health';
import { sendText, serveStatic, SECURITY_HEADERS } from './static';
import { MAX_FRAME_BYTES, WsHost } from './ws-host';

/** Options for {@link startServer}. */
export interface ServerOptions {
  /** The SQLite store to serve; opened (and migrated) with `openStore`, closed by `close()`. */
  readonly dbPath: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Defaults to 127.0.0.1: the host is for this machine unless asked otherwise. */
  readonly host?: string;
  /** The built renderer (`out/renderer`). */
  readonly staticDir: string;
  /** Fixed token (tests); by default 32 random bytes. */
  readonly token?: string;
  /** The simulation pool factory (tests pass a pool on a freshly built worker); default: worker_threads. */
  readonly createPool?: ServiceOptions['createPool'];
  /** The bundled CSV import thread (tests pass a fresh build); default: beside the running bundle. */
  readonly importWorker?: string;
}

/** A running host. */
export interface RunningServer {
  /** The page URL with its token: `http://127.0.0.1:PORT/?token=TOKEN`. */
  readonly url: string;
  readonly token: string;
  readonly port: number;
  /** The services the handlers are bound to (its `emit` pushes to subscribed sockets). */
  readonly services: Services;
  readonly handlers: Handlers;
  /** Stops accepting, aborts running calls, closes sockets, disposes services and closes the store. */
  close(): Promise<void>;
}

/** WebSocket path. */
export const WS_PATH = '/ws';

/** The hard limit where `ws` drops the connection (1009) instead of replying; above it nothing is buffered. */
const HARD_MAX_PAYLOAD = 2 * MAX_FRAME_BYTES;

/** Most WebSocket connections at once (a browser tab holds one); more upgrades get 503. */
export const MAX_CONNECTIONS = 32;

/** Most TCP connections at once (WebSockets plus page and asset requests); the kernel queue holds the rest. */
const MAX_SOCKETS = MAX_CONNECTIONS + 32;

/** A request must send its headers within this, and its whole body within {@link REQUEST_TIMEOUT_MS}. */
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`,
  );
}

/**
 * Starts `quantdesk serve`'s host: one HTTP server for the built renderer and the contract over a
 * WebSocket at `/ws`. Every request without the token (query `?token=` or the HttpOnly,
 * SameSite=Strict cookie set when the page was loaded with it) is refused with 401, upgrades too.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? newToken();
  const hostName = options.host ?? '127.0.0.1';
  let store: Store | undefined = openStore(options.dbPath);
  let port = 0;
  let wsHost: WsHost | undefined;
  const emit: Emit = (channel, payload) => wsHost?.emit(channel, payload);
  const services = createServices({
    store,
    dbPath: options.dbPath,
    host: 'serve',
    emit,
    createPool: options.createPool,
    importWorker: options.importWorker,
  });
  const handlers = createHandlers(services);
  wsHost = new WsHost(handlers);
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD, perMessageDeflate: false });

  // Filled once the port is known; until then every Host is refused.
  let hosts: ReadonlySet<string> = new Set();
  const observe = createObservability(
    () => store,
    token,
    () => port,
  );
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (!isAllowedHost(req, hosts)) return sendText(res, 403, 'Forbidden: unknown Host header.');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (await observe(req, res, url)) return;
    const via = authenticate(req, url, token, port);
    if (via === null)
      return sendText(res, 401, 'Unauthorized: open the URL printed by `quantdesk serve`, with its token.');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
    const extra: Record<string, string> = via === 'query' ? { 'Set-Cookie': tokenCookie(token, port) } : {};
    serveStatic(options.staticDir, url.pathname, res, req.method === 'HEAD', extra);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!isAllowedHost(req, hosts)) return refuseUpgrade(socket, 403, 'Forbidden');
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (authenticate(req, url, token, port) === null) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (url.pathname !== WS_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    // A page on another origin must not drive the host even if it learnt the token; browsers always send one.
    if (!isAllowedOrigin(req)) return refuseUpgrade(socket, 403, 'Forbidden');
    if ((wsHost?.size ?? 0) >= MAX_CONNECTIONS) return refuseUpgrade(socket, 503, 'Too many connections');
    wss.handleUpgrade(req, socket, head, (ws) => wsHost?.accept(ws));
  });
  server.maxConnections = MAX_SOCKETS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, hostName, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    wsHost.closeAll();
    await disposeServices(services);
    store.close();
    throw e;
  }
  port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(hostName, port);
  const shownHost = hostName.includes(':') ? `[${hostName}]` : hostName;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    services,
    handlers,
    close() {
      closing ??= (async () => {
        wsHost?.closeAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        wss.close();
        await disposeServices(services);
        store?.close();
        store = undefined;
        wsHost = undefined;
      })();
      return closing;
    },
  };
}

export { SECURITY_HEADERS };
