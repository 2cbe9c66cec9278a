import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';

const root = join(__dirname, '..');

/** Where {@link App.screenshot} writes: `e2e/screenshots/NAME.png`. */
export const SCREENSHOTS = join(__dirname, 'screenshots');

/** Debian's Chromium, headless, with nothing that phones home. */
export const CHROMIUM = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-dev-shm-usage',
  ],
};

/** A running app: `quantdesk serve` on a fresh copy of the seeded store, and a browser page. */
export interface App {
  /** The URL printed by serve, with its token. */
  readonly url: string;
  /** `http://127.0.0.1:PORT` without the token. */
  readonly origin: string;
  readonly token: string;
  readonly page: Page;
  readonly browser: Browser;
  /** The temp folder holding the store (`qd.db`); deleted by `close()`. */
  readonly dir: string;
  /** Everything serve wrote to stderr so far (logs, progress). */
  stderr(): string;
  /** Opens the app page (with the token) and waits until the page says it is connected. */
  open(path?: string): Promise<void>;
  /** Saves a full-page screenshot to `e2e/screenshots/NAME.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Closes the browser, stops serve (SIGTERM, then SIGKILL after 5 s) and deletes the folder. */
  close(): Promise<void>;
}

/** Options for {@link startApp}. */
export interface StartOptions {
  /** Start from an empty store instead of the seeded one. */
  readonly empty?: boolean;
  /** Extra `quantdesk serve` arguments. */
  readonly args?: readonly string[];
  readonly viewport?: { width: number; height: number };
}

function waitForUrl(child: ChildProcessByStdio<null, Readable, Readable>, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no URL within 30 s; stderr:\n${stderr()}`)), 30_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /QuantDesk serving at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before printing its URL; stderr:\n${stderr()}`));
    });
  });
}

/**
 * Starts the app for one test: a temp folder with a copy of the seeded store, `bin/quantdesk.js
 * serve --port 0` on it, Chromium and a page. Always `close()` it (in `afterEach`/`finally`).
 */
export async function startApp(options: StartOptions = {}): Promise<App> {
  const dir = mkdtempSync(join(tmpdir(), 'qd-e2e-'));
  const db = join(dir, 'qd.db');
  if (!options.empty) copyFileSync(inject('seedDb'), db);
  const child = spawn(
    process.execPath,
    [join(root, 'bin/quantdesk.js'), 'serve', '--db', db, '--port', '0', ...(options.args ?? [])],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const stderr = () => err;
  let browser: Browser | undefined;
  try {
    const url = await waitForUrl(child, stderr);
    const parsed = new URL(url);
    browser = await chromium.launch({ headless: true, ...CHROMIUM });
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 } });
    const page = await context.newPage();
    const b = browser;
    return {
      url,
      origin: parsed.origin,
      token: parsed.searchParams.get('token') ?? '',
      page,
      browser: b,
      dir,
      stderr,
      async open(path = '/') {
        const target = new URL(path, parsed.origin);
        target.searchParams.set('token', parsed.searchParams.get('token') ?? '');
        await page.goto(target.toString());
        await page.waitForSelector('body[data-connected="true"]', { timeout: 30_000 });
      },
      async screenshot(name) {
        mkdirSync(SCREENSHOTS, { recursive: true });
        const path = join(SCREENSHOTS, `${name}.png`);
        await page.screenshot({ path, fullPage: true });
        return path;
      },
      async close() {
        await b.close().catch(() => {});
        await stop(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await browser?.close().catch(() => {});
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

function stop(child: ChildProcessByStdio<null, Readable, Readable>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
