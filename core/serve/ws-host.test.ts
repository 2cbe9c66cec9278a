import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createHandlers } from '../api/handlers';
import type { Handlers } from '../api/registry';
import { createServices, disposeServices, type Services } from '../api/services';
import { fail } from '../model/result';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { TestClient } from './test-client';
import { WsHost } from './ws-host';

// The real handler table, with `app:info` replaced by a call that runs until its signal aborts:
// the transport's job is to abort that signal when the caller cancels or goes away.
let store: Store;
let services: Services;
let http: Server;
let url: string;
let started: () => void;
const aborts: string[] = [];
let onAbort: (() => void) | undefined;

function waitStarted(): Promise<void> {
  return new Promise((r) => (started = r));
}

beforeAll(async () => {
  store = openStore(':memory:');
  services = createServices({ store, dbPath: ':memory:', host: 'serve', emit: () => {} });
  const real = createHandlers(services);
  const handlers: Handlers = {
    ...real,
    'app:info': (_input, ctx) =>
      new Promise((resolve) => {
        started();
        ctx.signal.addEventListener('abort', () => {
          aborts.push('aborted');
          onAbort?.();
          resolve(fail('cancelled', 'app:info was cancelled'));
        });
        if (ctx.signal.aborted) resolve(fail('cancelled', 'already'));
      }),
  };
  const host = new WsHost(handlers);
  const wss = new WebSocketServer({ noServer: true });
  http = createServer();
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => host.accept(ws)));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/ws`;
});

afterAll(async () => {
  http.closeAllConnections();
  await new Promise((r) => http.close(r));
  await disposeServices(services);
  store.close();
});

describe('WsHost call lifecycle', () => {
  it('aborts a call\'s signal on {id, type: "cancel"} and replies cancelled', async () => {
    const c = await TestClient.connect(url);
    const s = waitStarted();
    const reply = c.call('app:info', undefined, 11);
    await s;
    c.send({ id: 11, type: 'cancel' });
    expect(await reply).toMatchObject({ id: 11, ok: false, error: { code: 'cancelled' } });
    await c.close();
  });

  it('rejects a second call with an id already running', async () => {
    const c = await TestClient.connect(url);
    const s = waitStarted();
    const first = c.call('app:info', undefined, 5);
    await s;
    const dup = await new Promise((resolve) => {
      // The duplicate's reply and the first's share an id; the conflict comes back first.
      void c.call('app:info', undefined, 5).then(resolve);
    });
    expect(dup).toMatchObject({ id: 5, ok: false, error: { code: 'conflict' } });
    c.send({ id: 5, type: 'cancel' });
    void first;
    await c.close();
  });

  it('aborts the signals of a client that disconnects mid-request, and keeps serving others', async () => {
    const before = aborts.length;
    const c = await TestClient.connect(url);
    const s = waitStarted();
    void c.call('app:info', undefined, 1);
    await s;
    const aborted = new Promise<void>((r) => (onAbort = r));
    c.socket.terminate();
    await aborted;
    expect(aborts.length).toBe(before + 1);
    const other = await TestClient.connect(url);
    const r = await other.call('nope:x', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    await other.close();
  });
});

describe('WsHost heartbeat', () => {
  it('drops a client that stops answering pings and aborts its calls', async () => {
    let aborted!: () => void;
    const wasAborted = new Promise<void>((r) => (aborted = r));
    const handlers: Handlers = {
      ...createHandlers(services),
      'app:info': (_input, ctx) =>
        new Promise((resolve) =>
          ctx.signal.addEventListener('abort', () => (aborted(), resolve(fail('cancelled', 'gone')))),
        ),
    };
    const host = new WsHost(handlers, 20);
    const wss = new WebSocketServer({ noServer: true });
    const server = createServer();
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => host.accept(ws)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    // A client whose network died: it never answers a ping.
    const dead = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { autoPong: false });
    await new Promise((r) => dead.once('open', r));
    const closed = new Promise((r) => dead.once('close', r));
    dead.send(JSON.stringify({ id: 1, method: 'app:info' }));
    await wasAborted;
    await closed;
    expect(host.size).toBe(0);
    host.closeAll();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
});
