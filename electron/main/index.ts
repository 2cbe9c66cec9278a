// QuantDesk's Electron main process: one window, the contract bound to IPC, the store in userData.
// A thin shell: everything that computes lives in core/ (see STYLE.md).
import { app, BrowserWindow, dialog, powerMonitor, session } from 'electron';
import { join } from 'node:path';
import { createHandlers } from '../../core/api/handlers';
import type { Emit } from '../../core/api/registry';
import type { Events } from '../../core/contract';
import { createServices, disposeServices, type Services } from '../../core/api/services';
import { safeStorageCredentials } from './credentials';
import { startHostScheduler } from '../../core/scheduler/host';
import type { Scheduler } from '../../core/scheduler/scheduler';
import { openStore, type Store } from '../../core/store/sqlite-bar-store';
import { startFirstRun } from './first-run';
import { registerApi } from './ipc';
import { notifyDesktop } from './notify';
import { hardenSession, isTrustedSender, lockNavigation, registerAppScheme } from './security';
import { createUtilityPool } from './utility-pool';
import { createMainWindow, preloadPath } from './window';
import { ViewWindows } from './view-windows';
import { ok } from '../../core/model/result';

// Tests and portable installs point the app at another data folder.
const dataDir = process.env.QUANTDESK_DATA_DIR ?? process.env.APP_DATA_DIR;
if (dataDir) app.setPath('userData', dataDir);

registerAppScheme();
lockNavigation();

let win: BrowserWindow | null = null;
let store: Store | null = null;
let services: Services | null = null;
let scheduler: Scheduler | null = null;
const firstRun = new AbortController();
let firstRunDone: Promise<unknown> = Promise.resolve();

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      // E.g. a store written by a newer QuantDesk, or a userData folder that cannot be written.
      const message = e instanceof Error ? e.message : String(e);
      console.error('QuantDesk failed to start:', e);
      dialog.showErrorBox('QuantDesk cannot start', message);
      app.exit(1);
    });
}

function start(): void {
  const userData = app.getPath('userData');
  const dbPath = join(userData, 'quantdesk.db');
  store = openStore(dbPath);
  const emit: Emit = (channel, payload) => {
    for (const w of BrowserWindow.getAllWindows())
      if (!w.webContents.isDestroyed()) w.webContents.send(channel, payload);
    if (channel === 'alert:raised') notifyDesktop(payload as Events['alert:raised']);
  };
  // Sweeps, walk-forward and Monte Carlo run in utility processes, each with its own read-only store.
  services = createServices({
    store,
    dbPath,
    host: 'electron',
    emit,
    createPool: (workers) => createUtilityPool({ dbPath, workers }),
    // Broker and connector keys: encrypted with safeStorage under userData (the file keeps its first
    // name, brokers.bin, so keys stored before still load); the environment still wins, as in the CLI.
    credentials: safeStorageCredentials(join(userData, 'brokers.bin')),
  });
  // Views torn off into their own windows (issue 16), reopened at start.
  const viewWindows = new ViewWindows(userData, preloadPath(__dirname), () => quitting);
  const handlers = createHandlers(services);
  handlers['app:open-view'] = (input) => ok({ opened: viewWindows.open(input.view) });
  registerApi(handlers, isTrustedSender);
  // Scheduled jobs (fetches, the daily report) run here while the app is open; missed slots run once on start or wake.
  const credentials = services.credentials;
  // Bars a scheduled fetch stores are judged by the user's alert rules right after the run (issue 16).
  const userAlerts = services.userAlerts;
  scheduler = startHostScheduler(
    store,
    () => credentials.get(),
    () => userAlerts.onStored(),
  );
  powerMonitor?.on?.('resume', () => scheduler?.wake());
  hardenSession(session.defaultSession, join(__dirname, '..', 'renderer'));
  win = createMainWindow(join(userData, 'window-state.json'), preloadPath(__dirname));
  win.on('closed', () => (win = null));
  viewWindows.restore();
  win.webContents.on('did-finish-load', () => emit('app:ready', { at: Date.now() }));
  firstRunDone = startFirstRun(services, firstRun.signal, app.isPackaged ? process.resourcesPath : undefined);
}

app.on('window-all-closed', () => app.quit());

let quitting = false;
app.on('before-quit', (e) => {
  if (quitting || !services) return;
  e.preventDefault();
  quitting = true;
  // Stop a first-start load between files and let its transaction finish before the store closes.
  firstRun.abort();
  const s = services;
  void firstRunDone
    .then(() => scheduler?.stop())
    .then(() => disposeServices(s))
    .finally(() => {
      store?.close();
      app.quit();
    });
});
