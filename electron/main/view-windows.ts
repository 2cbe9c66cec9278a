import type { BrowserWindow } from 'electron';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMainWindow } from './window';

/** A view name as the renderer's nav knows it (`watchlist`, `alerts`, ...): nothing else reaches a URL or a file name. */
const VIEW = /^[a-z][a-z-]{0,30}$/;

/** The torn-off views saved in `file` (a JSON array), valid names only; [] when absent or unreadable. */
export function readViewSet(file: string): string[] {
  try {
    const v: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(v)
      ? [...new Set(v.filter((x): x is string => typeof x === 'string' && VIEW.test(x)))].slice(0, 8)
      : [];
  } catch {
    return [];
  }
}

/** Writes the set atomically (temp + rename): a kill leaves the old set or the new one. */
export function writeViewSet(file: string, views: readonly string[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(views));
  renameSync(tmp, file);
}

/**
 * Views torn off into their own windows (issue 16: a second monitor). Each is the same locked-down window as
 * the main one (contextIsolation, sandbox, no nodeIntegration, the same preload) on `app://quantdesk/#view=NAME`,
 * with its own saved placement; the set of open ones is saved in `dir/view-windows.json` and reopened at start.
 * A window closed by the user leaves the set; windows closed by quitting stay in it.
 */
export class ViewWindows {
  readonly #open = new Map<string, BrowserWindow>();
  readonly #file: string;

  constructor(
    private readonly dir: string,
    private readonly preload: string,
    private readonly isQuitting: () => boolean,
  ) {
    this.#file = join(dir, 'view-windows.json');
  }

  /** Opens (or focuses) the window of `view`; false for a name that is not a view. */
  open(view: string): boolean {
    if (!VIEW.test(view)) return false;
    const have = this.#open.get(view);
    if (have && !have.isDestroyed()) {
      have.focus();
      return true;
    }
    const win = createMainWindow(join(this.dir, `window-state-${view}.json`), this.preload, view);
    this.#open.set(view, win);
    win.on('closed', () => {
      this.#open.delete(view);
      if (!this.isQuitting()) this.#save();
    });
    this.#save();
    return true;
  }

  /** Reopens the windows that were open when the app last quit. */
  restore(): void {
    for (const v of readViewSet(this.#file)) this.open(v);
  }

  #save(): void {
    try {
      writeViewSet(this.#file, [...this.#open.keys()]);
    } catch {
      // A read-only data folder only costs the restore at the next start.
    }
  }
}
