import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connection } from '../../core/store/internal';

// Electron's binary is not here (and unit tests never start it): `ipcMain` is a recorder.
const registered = new Map<string, (event: unknown, raw: unknown) => Promise<unknown>>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, raw: unknown) => Promise<unknown>) => {
      if (registered.has(channel)) throw new Error(`second handler for ${channel}`);
      registered.set(channel, fn);
    },
    removeHandler: (channel: string) => registered.delete(channel),
  },
}));

const { registerApi } = await import('./ipc');
const { createHandlers } = await import('../../core/api/handlers');
const { createServices, disposeServices } = await import('../../core/api/services');
const { dispatch } = await import('../../core/api/registry');
const { API_CHANNELS, METHODS } = await import('../../core/contract');
const { openStore } = await import('../../core/store/sqlite-bar-store');
const { loadWindowState, saveWindowState, DEFAULT_STATE } = await import('./window-state');

type Listener = () => void;
function fakeSender(url: string) {
  const listeners = new Map<string, Listener[]>();
  const sender = {
    once: (ev: string, l: Listener) => void listeners.set(ev, [...(listeners.get(ev) ?? []), l]),
    on: (ev: string, l: Listener) => void listeners.set(ev, [...(listeners.get(ev) ?? []), l]),
  };
  return { sender, senderFrame: { url } };
}

const store = openStore(':memory:');
const services = createServices({ store, dbPath: ':memory:', host: 'electron', emit: () => {} });
const handlers = createHandlers(services);
const trusted = (e: unknown) => (e as { senderFrame: { url: string } }).senderFrame.url.startsWith('app://quantdesk/');
let unregister: () => void;

beforeAll(() => {
  unregister = registerApi(handlers, trusted as never);
});
afterAll(async () => {
  unregister();
  await disposeServices(services);
  store.close();
});

describe('IPC binding', () => {
  it('binds exactly the contract channels, the same table createHandlers makes for quantdesk serve', () => {
    const channels = [...registered.keys()].sort();
    expect(channels).toEqual(Object.keys(API_CHANNELS).sort());
    expect(channels).toEqual(Object.keys(handlers).sort());
    expect(channels).toEqual(Object.keys(METHODS).sort());
  });

  it('answers each call exactly as dispatch over the shared handler table does', async () => {
    const ev = fakeSender('app://quantdesk/');
    connection(store).prepare("INSERT INTO instruments (symbol) VALUES ('IPC1')").run();
    const viaIpc = await registered.get('app:info')!(ev, undefined);
    const direct = await dispatch(handlers, 'app:info', undefined, { signal: new AbortController().signal });
    expect(viaIpc).toEqual(direct);
    expect(viaIpc).toMatchObject({ ok: true, value: { host: 'electron', instruments: 1 } });
  });

  it('rejects invalid input with the schema before any handler runs', async () => {
    const ev = fakeSender('app://quantdesk/');
    const r = (await registered.get('app:info')!(ev, { injected: '<script>' })) as {
      ok: boolean;
      error: { code: string; message: string };
    };
    expect(r.ok).toBe(false);
    expect(r.error.code).toBe('invalid-input');
    expect(r.error.message).toContain('app:info');
  });

  it('refuses calls from a frame that is not our app origin', async () => {
    const r = (await registered.get('app:info')!(fakeSender('https://evil.example/'), undefined)) as {
      ok: boolean;
      error: { code: string };
    };
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });
});

describe('window state', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'qd-win-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('round-trips bounds and keeps a position only while it is on a display', () => {
    const file = join(dir, 'sub', 'window-state.json');
    expect(loadWindowState(file, screen)).toEqual(DEFAULT_STATE);
    saveWindowState(file, { x: 100, y: 50, width: 1200, height: 800, isMaximized: true });
    expect(loadWindowState(file, screen)).toEqual({ x: 100, y: 50, width: 1200, height: 800, isMaximized: true });
    saveWindowState(file, { x: 3000, y: 50, width: 1200, height: 800, isMaximized: false });
    expect(loadWindowState(file, screen)).toEqual({ width: 1200, height: 800, isMaximized: false });
  });

  it('falls back to defaults on a corrupt file and clamps tiny sizes', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"width": 10');
    expect(loadWindowState(file, screen)).toEqual(DEFAULT_STATE);
    writeFileSync(file, JSON.stringify({ width: 10, height: 10 }));
    expect(loadWindowState(file, screen)).toMatchObject({ width: 800, height: 560 });
  });
});
