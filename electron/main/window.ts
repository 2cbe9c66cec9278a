import { BrowserWindow, screen } from 'electron';
import { join } from 'node:path';
import { API_CHANNELS, EVENT_CHANNELS } from '../../core/contract';
import { APP_ORIGIN } from './security';
import { loadWindowState, saveWindowState } from './window-state';

/**
 * Opens the main window at its saved placement with the locked-down web preferences, loads
 * `app://quantdesk/`, and saves its placement on move, resize and close. With `view` (a torn-off view,
 * issue 16) it loads `app://quantdesk/#view=NAME`, the renderer's one-view layout.
 */
export function createMainWindow(stateFile: string, preload: string, view?: string): BrowserWindow {
  const state = loadWindowState(
    stateFile,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: 800,
    minHeight: 560,
    show: false,
    title: view ? `QuantDesk: ${view}` : 'QuantDesk',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      additionalArguments: channelArgs(),
    },
  });
  if (state.isMaximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (win.isDestroyed()) return;
    const b = win.getNormalBounds();
    saveWindowState(stateFile, { x: b.x, y: b.y, width: b.width, height: b.height, isMaximized: win.isMaximized() });
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', () => {
    clearTimeout(timer);
    save();
  });
  void win.loadURL(`${APP_ORIGIN}/${view ? `#view=${encodeURIComponent(view)}` : ''}`);
  return win;
}

/** The preload's allow-lists, from the contract (the preload reads them from `process.argv`). */
export function channelArgs(): string[] {
  return [
    `--quantdesk-methods=${Object.keys(API_CHANNELS).join(',')}`,
    `--quantdesk-events=${Object.keys(EVENT_CHANNELS).join(',')}`,
  ];
}

/** Where the preload bundle sits next to the main bundle (`out/main/index.js` → `out/preload/index.js`). */
export function preloadPath(mainDir: string): string {
  return join(mainDir, '..', 'preload', 'index.js');
}
