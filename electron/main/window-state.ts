import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A window's saved placement. */
export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  isMaximized: boolean;
}

/** A display's usable area (Electron's `Display.workArea`). */
export interface Area {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The first-start size. */
export const DEFAULT_STATE: WindowState = { width: 1440, height: 900, isMaximized: false };

const MIN_W = 800;
const MIN_H = 560;

function num(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/**
 * Reads the saved state from `file` and fits it to the current displays: a window whose saved
 * position is on no display any more (a monitor was unplugged) keeps its size but is centred by the
 * OS; a corrupt or missing file gives {@link DEFAULT_STATE}.
 */
export function loadWindowState(file: string, displays: readonly Area[]): WindowState {
  let raw: unknown;
  try {
    raw = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  } catch {
    raw = undefined;
  }
  if (raw === null || typeof raw !== 'object') return { ...DEFAULT_STATE };
  const r = raw as Record<string, unknown>;
  if (!num(r.width) || !num(r.height)) return { ...DEFAULT_STATE };
  const state: WindowState = {
    width: Math.max(MIN_W, Math.round(r.width)),
    height: Math.max(MIN_H, Math.round(r.height)),
    isMaximized: r.isMaximized === true,
  };
  if (num(r.x) && num(r.y)) {
    const x = Math.round(r.x);
    const y = Math.round(r.y);
    // Visible enough to grab: the title bar's top-left 100×40 lies inside some display.
    const onScreen = displays.some((d) => x + 100 > d.x && x < d.x + d.width && y >= d.y && y + 40 <= d.y + d.height);
    if (onScreen) {
      state.x = x;
      state.y = y;
    }
  }
  return state;
}

/** Writes `state` atomically (temp file then rename), so a crash mid-write never leaves a broken file. */
export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
