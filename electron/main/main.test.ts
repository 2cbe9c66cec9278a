// The real main-process entry (index.ts) run against a recording fake of Electron: proves the
// window's web preferences, the app:// protocol, the session's locks, and that IPC is bound to the
// shared handler table over a store in userData.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connection } from '../../core/store/internal';

type Fn = (...args: any[]) => any;
const rec = vi.hoisted(() => ({
  userData: '',
  schemes: [] as unknown[],
  windows: [] as { options: any; url?: string; sent: [string, unknown][] }[],
  ipc: new Map<string, Fn>(),
  appEvents: new Map<string, Fn[]>(),
  protocolHandlers: new Map<string, Fn>(),
  headers: null as Fn | null,
  beforeRequest: null as { filter: any; fn: Fn } | null,
  permission: null as Fn | null,
  permissionCheck: null as Fn | null,
  quit: 0,
  contentsEvents: new Map<string, Fn>(),
}));

vi.mock('electron', () => {
  class BrowserWindow {
    static all: BrowserWindow[] = [];
    static getAllWindows = () => BrowserWindow.all;
    entry: { options: any; url?: string; sent: [string, unknown][] };
    webContents: { send: Fn; isDestroyed: Fn; on: Fn };
    constructor(options: any) {
      this.entry = { options, sent: [] };
      rec.windows.push(this.entry);
      BrowserWindow.all.push(this);
      this.webContents = {
        send: (ch: string, p: unknown) => this.entry.sent.push([ch, p]),
        isDestroyed: () => false,
        on: (ev: string, fn: Fn) => void rec.contentsEvents.set(ev, fn),
      };
    }
    maximize() {}
    once() {}
    on() {}
    show() {}
    isDestroyed = () => false;
    isMaximized = () => false;
    getNormalBounds = () => ({ x: 0, y: 0, width: 1440, height: 900 });
    loadURL(url: string) {
      this.entry.url = url;
      return Promise.resolve();
    }
  }
  const on = (ev: string, fn: Fn) => void rec.appEvents.set(ev, [...(rec.appEvents.get(ev) ?? []), fn]);
  return {
    app: {
      setPath: (_k: string, v: string) => void (rec.userData = v),
      getPath: () => rec.userData,
      requestSingleInstanceLock: () => true,
      whenReady: () => Promise.resolve(),
      on,
      isPackaged: false,
      quit: () => void rec.quit++,
      exit: () => {},
    },
    dialog: { showErrorBox: () => {} },
    powerMonitor: { on: () => {} },
    utilityProcess: { fork: () => ({}) },
    protocol: { registerSchemesAsPrivileged: (s: unknown[]) => rec.schemes.push(...s) },
    BrowserWindow,
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    ipcMain: {
      handle: (ch: string, fn: Fn) => void rec.ipc.set(ch, fn),
      removeHandler: (ch: string) => void rec.ipc.delete(ch),
    },
    net: { fetch: () => Promise.resolve(new Response('x')) },
    session: {
      defaultSession: {
        protocol: { handle: (scheme: string, fn: Fn) => void rec.protocolHandlers.set(scheme, fn) },
        webRequest: {
          onHeadersReceived: (fn: Fn) => void (rec.headers = fn),
          onBeforeRequest: (filter: any, fn: Fn) => void (rec.beforeRequest = { filter, fn }),
        },
        setPermissionRequestHandler: (fn: Fn) => void (rec.permission = fn),
        setPermissionCheckHandler: (fn: Fn) => void (rec.permissionCheck = fn),
      },
    },
  };
});

const { METHODS } = await import('../../core/contract');
const { openStore } = await import('../../core/store/sqlite-bar-store');
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qd-main-'));
  // A store that already has the user's own data: first start leaves it alone (no 30 s dataset load here).
  const s = openStore(join(dir, 'quantdesk.db'));
  connection(s).prepare("INSERT INTO instruments (symbol) VALUES ('MINE')").run();
  s.close();
  process.env.QUANTDESK_DATA_DIR = dir;
  await import('./index');
  await new Promise((r) => setTimeout(r, 0));
});

afterAll(async () => {
  for (const fn of rec.appEvents.get('before-quit') ?? []) fn({ preventDefault: () => {} });
  await vi.waitFor(() => expect(rec.quit).toBeGreaterThan(0));
  delete process.env.QUANTDESK_DATA_DIR;
  rmSync(dir, { recursive: true, force: true });
});

describe('Electron main process', () => {
  it('opens one locked-down window on app://quantdesk/ with the preload', () => {
    expect(rec.schemes).toEqual([
      expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }),
    ]);
    expect(rec.windows).toHaveLength(1);
    const prefs = rec.windows[0].options.webPreferences;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(prefs.preload).toMatch(/preload[\\/]index\.js$/);
    expect(prefs.additionalArguments).toContain(`--quantdesk-methods=${Object.keys(METHODS).join(',')}`);
    expect(rec.windows[0].url).toBe('app://quantdesk/');
  });

  it('binds every contract channel to the shared handlers over the store in userData', async () => {
    expect([...rec.ipc.keys()].sort()).toEqual(Object.keys(METHODS).sort());
    const ev = { senderFrame: { url: 'app://quantdesk/' }, sender: { once() {}, on() {} } };
    const info = await rec.ipc.get('app:info')!(ev, undefined);
    expect(info).toMatchObject({
      ok: true,
      value: { host: 'electron', dbPath: join(dir, 'quantdesk.db'), instruments: 1 },
    });
    expect(await rec.ipc.get('app:info')!(ev, { x: 1 })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const foreign = { ...ev, senderFrame: { url: 'https://evil.example/' } };
    expect(await rec.ipc.get('app:info')!(foreign, undefined)).toMatchObject({ ok: false });
    // First start found the user's data and left it alone; the page learns that over IPC.
    expect(await rec.ipc.get('app:dataset-status')!(ev, undefined)).toMatchObject({
      ok: true,
      value: { state: 'idle' },
    });
    expect(rec.windows[0].sent.some(([ch]) => ch === 'app:dataset-progress')).toBe(true);
  });

  it('tells the page it is ready once loaded', () => {
    rec.contentsEvents.get('did-finish-load')!();
    expect(rec.windows[0].sent.some(([ch]) => ch === 'app:ready')).toBe(true);
  });

  it('denies permissions but notifications from our own origin, cancels remote requests, and sets the CSP header', () => {
    const answer = (p: string, requestingUrl = 'app://quantdesk/index.html') => {
      let granted: boolean | undefined;
      rec.permission!(null, p, (g: boolean) => (granted = g), { requestingUrl });
      return granted;
    };
    expect(answer('notifications')).toBe(true);
    for (const p of ['media', 'geolocation', 'clipboard-read', 'openExternal']) expect(answer(p)).toBe(false);
    for (const url of ['https://evil.example/', 'app://quantdesk.evil/', 'file:///etc/passwd', ''])
      expect(answer('notifications', url), url).toBe(false);
    expect(rec.permissionCheck!(null, 'camera', 'app://quantdesk')).toBe(false);
    expect(rec.permissionCheck!(null, 'notifications', 'app://quantdesk')).toBe(true);
    expect(rec.permissionCheck!(null, 'notifications', 'https://evil.example')).toBe(false);
    expect(rec.beforeRequest!.filter.urls).toEqual(
      expect.arrayContaining(['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*']),
    );
    let cancelled: unknown;
    rec.beforeRequest!.fn({ url: 'https://cdn.example/x.js' }, (r: unknown) => (cancelled = r));
    expect(cancelled).toEqual({ cancel: true });
    let headers: any;
    rec.headers!({ responseHeaders: { 'X-A': ['1'] } }, (r: any) => (headers = r.responseHeaders));
    expect(headers['Content-Security-Policy'][0]).toContain("script-src 'self'");
    expect(headers['X-A']).toEqual(['1']);
    expect(rec.protocolHandlers.has('app')).toBe(true);
  });

  it('blocks navigation away from the app, new windows and webviews in every web contents', () => {
    const handlers = new Map<string, Fn>();
    let openHandler: Fn | undefined;
    const contents = {
      on: (ev: string, fn: Fn) => void handlers.set(ev, fn),
      setWindowOpenHandler: (fn: Fn) => void (openHandler = fn),
    };
    for (const fn of rec.appEvents.get('web-contents-created') ?? []) fn({}, contents);
    const prevented = (ev: string, url?: string) => {
      let p = false;
      handlers.get(ev)!({ preventDefault: () => (p = true) }, url);
      return p;
    };
    expect(prevented('will-navigate', 'https://evil.example/')).toBe(true);
    expect(prevented('will-navigate', 'app://quantdesk/backtest')).toBe(false);
    expect(prevented('will-redirect', 'http://127.0.0.1:1/')).toBe(true);
    expect(prevented('will-attach-webview')).toBe(true);
    expect(openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });
  });
});
