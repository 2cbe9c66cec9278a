// @vitest-environment node
/// <reference types="node" />
// The browser client against the real `quantdesk serve` host and a real store, in Node (with the `ws`
// package standing in for the browser's WebSocket, which has the same surface the client uses).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startServer, type RunningServer } from '../../../core/serve/server';
import { encodeFrame as hostEncode } from '../../../core/model/wire';
import { decodeFrame, encodeFrame } from '../../../core/model/wire';
import { createWsApi, type ConnectionState, type SocketLike, type WsApi } from './ws-client';

let dir: string;
let server: RunningServer;
// A browser always sends its page's Origin on an upgrade, and the host requires it.
const connect = (u: string) =>
  new WebSocket(u, { headers: { origin: `http://${new URL(u).host}` } }) as unknown as SocketLike;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-client-'));
  server = await startServer({ dbPath: join(dir, 'c.db'), staticDir: join(dir, 'none') });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function until(api: WsApi, state: ConnectionState): Promise<void> {
  if (api.getConnectionState() === state) return Promise.resolve();
  return new Promise((r) => {
    const off = api.onConnectionChange((s) => {
      if (s === state) {
        off();
        r();
      }
    });
  });
}

describe('codec', () => {
  it('carries Float64Array columns with NaN and -0 bit-exactly between host and browser', () => {
    const col = new Float64Array([1.5, Number.NaN, -0, 1e-300, Number.POSITIVE_INFINITY]);
    const back = decodeFrame(hostEncode({ value: { close: col } })) as { value: { close: Float64Array } };
    expect(back.value.close).toBeInstanceOf(Float64Array);
    expect(Array.from(back.value.close)).toEqual(Array.from(col));
    expect(Object.is(back.value.close[2], -0)).toBe(true);
    const sub = new Float64Array([9, 8, 7, 6]).subarray(1, 3);
    expect(Array.from(decodeFrame(encodeFrame(sub)) as Float64Array)).toEqual([8, 7]);
  });
});

describe('createWsApi against quantdesk serve', () => {
  it('queues calls until connected, then resolves them with the host Result', async () => {
    const api = createWsApi(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { connect });
    const states: ConnectionState[] = [];
    api.onConnectionChange((s) => states.push(s));
    const r = await api.invoke('app:info');
    expect(r.ok && r.value.host).toBe('serve');
    expect(api.getConnectionState()).toBe('connected');
    const bad = await api.invoke('app:info', { unexpected: 1 } as never);
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.code).toBe('invalid-input');
    api.close();
    expect(states).toEqual(['connected', 'disconnected']);
    expect((await api.invoke('app:info')).ok).toBe(false);
  });

  it('delivers subscribed events and stops after the listener is removed', async () => {
    const api = createWsApi(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { connect });
    await until(api, 'connected');
    const got: number[] = [];
    const off = api.on('app:ready', (p) => got.push(p.at));
    await api.invoke('app:info'); // the subscribe frame went first on the same socket
    server.services.emit('app:ready', { at: 7 });
    await api.invoke('app:info');
    expect(got).toEqual([7]);
    off();
    await api.invoke('app:info');
    server.services.emit('app:ready', { at: 8 });
    await api.invoke('app:info');
    expect(got).toEqual([7]);
    api.close();
  });

  it('never connects without the token and reports disconnected', async () => {
    const api = createWsApi(`ws://127.0.0.1:${server.port}/ws`, { connect, reconnectMs: 60_000 });
    await until(api, 'disconnected');
    api.close();
  });
});
