#!/usr/bin/env node
// `npm start`: builds QuantDesk, then launches the Electron app. Where Electron's binary is not
// installed (an offline install, a server, CI), it says so in one sentence and runs
// `quantdesk serve` on the same user-data store instead, opening the printed URL in a browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const skipBuild = args.includes('--no-build');

/** The same folder Electron's `app.getPath('userData')` gives for productName QuantDesk. */
function userDataDir() {
  if (process.env.QUANTDESK_DATA_DIR) return process.env.QUANTDESK_DATA_DIR;
  const home = homedir();
  if (platform() === 'win32') return join(process.env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'QuantDesk');
  if (platform() === 'darwin') return join(home, 'Library', 'Application Support', 'QuantDesk');
  return join(process.env.XDG_CONFIG_HOME ?? join(home, '.config'), 'QuantDesk');
}

/**
 * The Electron binary's path, or null when the package's binary was never downloaded. Reads what
 * `require('electron')` reads (path.txt, dist/, ELECTRON_OVERRIDE_DIST_PATH) without requiring it:
 * since Electron 4x, requiring it tries to download a missing binary, which offline only fails slowly.
 */
function electronBinary() {
  let pkgDir;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = join(pkgDir, 'path.txt');
  const exe = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkgDir, 'dist');
  if (!exe && !process.env.ELECTRON_OVERRIDE_DIST_PATH) return null;
  const full = join(dist, exe || 'electron');
  return existsSync(full) ? full : null;
}

function which(cmd) {
  const r = spawnSync(platform() === 'win32' ? 'where' : 'which', [cmd], { stdio: 'ignore' });
  return r.status === 0;
}

function openInBrowser(url) {
  const opener = platform() === 'darwin' ? 'open' : platform() === 'win32' ? null : 'xdg-open';
  if (platform() === 'win32') {
    spawn('cmd', ['/c', 'start', '', url], { stdio: 'ignore', detached: true }).unref();
    return true;
  }
  if (!opener || !which(opener)) return false;
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => {});
  child.unref();
  return true;
}

function run(cmd, argv, options = {}) {
  const child = spawn(cmd, argv, { stdio: 'inherit', cwd: root, ...options });
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  return child;
}

if (!skipBuild) {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), 'all'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

/**
 * Electron 45's package downloads its binary on first use rather than at install. Do that once here,
 * so a normal machine gets the desktop app from `npm start`; offline it fails within a second and we
 * fall back to the browser.
 */
function fetchElectron() {
  let installer;
  try {
    installer = join(dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return null;
  }
  if (!existsSync(installer)) return null;
  console.log("Fetching Electron's binary (first start only)…");
  spawnSync(process.execPath, [installer], { stdio: ['ignore', 'ignore', 'ignore'], cwd: root, timeout: 300_000 });
  return electronBinary();
}

const electron = electronBinary() ?? fetchElectron();
if (electron) {
  run(electron, [root]);
} else {
  console.log(
    "Electron's binary is not installed on this machine and could not be downloaded, so QuantDesk will run in your browser through `quantdesk serve` instead.",
  );
  const dataDir = userDataDir();
  mkdirSync(dataDir, { recursive: true });
  const db = join(dataDir, 'quantdesk.db');
  const serve = run(process.execPath, [join(root, 'bin/quantdesk.js'), 'serve', '--db', db, '--load-default'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  let opened = false;
  serve.stdout.on('data', (b) => {
    process.stdout.write(b);
    if (opened) return;
    out += b.toString();
    const m = /QuantDesk serving at (\S+)/.exec(out);
    if (!m) return;
    opened = true;
    if (!openInBrowser(m[1])) console.log('Open that URL in a browser on this machine.');
  });
}
