import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import nodePath, { join, type PlatformPath } from 'node:path';
import type { Panel, PanelActions } from './panel-types';

// QDP3: raw price columns after priceFactor, corporate actions in the header.
const MAGIC = 'QDP3';
/** Cache files kept per data fingerprint (most recently written first). */
const MAX_FILES = 8;

/** The cache directory beside a database file: `<db>.qdcache/`. */
export function panelCacheDir(dbPath: string): string {
  return `${dbPath}.qdcache`;
}

/** The cache file for a key. */
export function panelCacheFile(dbPath: string, key: string): string {
  return join(panelCacheDir(dbPath), `${key}.bin`);
}

interface Header {
  symbols: string[];
  sectors: string[];
  adjustment: Panel['adjustment'];
  fingerprint: string;
  nInst: number;
  nDays: number;
  /** A `priceFactor` column follows `delistedOn`. */
  hasFactor: boolean;
  /** The panel's corporate actions as plain arrays (`Panel.actions`), or null. */
  actions: { inst: number[]; bar: number[]; kind: number[]; value: number[] } | null;
}

/**
 * The folder holding a cache file, by the platform's path rules (`path` by default; tests pass `path.win32`).
 * A `lastIndexOf('/')` here once cut one character off a Windows path's name and silently disabled the cache.
 */
export function cacheFolderOf(file: string, paths: Pick<PlatformPath, 'dirname'> = nodePath): string {
  return paths.dirname(file);
}

/**
 * Writes a panel atomically (temp file + rename, so a reader sees the whole file or none) and removes
 * cache files of other data fingerprints. Layout: `QDP2`, u32 header length, JSON header, padding to
 * 8 bytes, then float64 columns time, open, high, low, close, volume, listedOn, delistedOn and, when
 * the panel has one, priceFactor (native little-endian). Keeps at most 8 files per fingerprint. Failures (read-only directory, full disk) are ignored: the cache is an optimisation.
 */
export function writePanelFile(file: string, panel: Panel, fingerprint: string): void {
  const dir = cacheFolderOf(file);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    const header: Header = {
      symbols: [...panel.symbols],
      sectors: [...panel.sectors],
      adjustment: panel.adjustment,
      fingerprint,
      nInst: panel.nInst,
      nDays: panel.nDays,
      hasFactor: panel.priceFactor !== undefined,
      actions: panel.actions
        ? {
            inst: [...panel.actions.inst],
            bar: [...panel.actions.bar],
            kind: [...panel.actions.kind],
            value: [...panel.actions.value],
          }
        : null,
    };
    const json = Buffer.from(JSON.stringify(header));
    const headLen = 8 + json.length;
    const pad = (8 - (headLen % 8)) % 8;
    const head = Buffer.alloc(headLen + pad);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(json.length, 4);
    json.copy(head, 8);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, head);
      const cols = [
        panel.time,
        panel.open,
        panel.high,
        panel.low,
        panel.close,
        panel.volume,
        panel.listedOn,
        panel.delistedOn,
      ];
      if (panel.priceFactor)
        cols.push(panel.priceFactor, panel.raw!.open, panel.raw!.high, panel.raw!.low, panel.raw!.close);
      for (const col of cols) {
        writeSync(fd, new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    const keep = fingerprint.slice(0, 32);
    const current: { path: string; mtime: number }[] = [];
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.bin')) continue;
      const path = join(dir, name);
      if (!name.startsWith(keep)) rmSync(path, { force: true });
      else current.push({ path, mtime: statSync(path).mtimeMs });
    }
    // Many distinct requests on the same data: keep the most recent few (each can be hundreds of MB).
    current.sort((a, b) => b.mtime - a.mtime);
    for (const old of current.slice(MAX_FILES)) rmSync(old.path, { force: true });
  } catch {
    rmSync(tmp, { force: true });
  }
}

// Lazily read columns keep their file open (so eviction or replacement cannot pull it away) until
// every column is read or the panel is collected.
const openFiles = new FinalizationRegistry<number>((fd) => {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
});

/** Reads `n` doubles at byte `offset` straight into a new array (one copy from the page cache). */
function readColumn(fd: number, offset: number, n: number): Float64Array {
  const a = new Float64Array(n);
  const bytes = new Uint8Array(a.buffer);
  let done = 0;
  while (done < bytes.length) {
    const got = readSync(fd, bytes, done, bytes.length - done, offset + done);
    if (got === 0) throw new Error(`panel cache file truncated at byte ${offset + done}`);
    done += got;
  }
  return a;
}

/**
 * Reads a cached panel; null when absent, corrupt or built from other data (`fingerprint` differs).
 * `time`, `close` and the listing columns are read at once; `open`, `high`, `low`, `volume` and
 * `priceFactor` on first access (a cross-sectional run never touches high, low or volume), each
 * straight into its Float64Array.
 */
export function readPanelFile(file: string, fingerprint: string): Panel | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  let keepOpen = false;
  try {
    const head = Buffer.alloc(8);
    if (readSync(fd, head, 0, 8, 0) !== 8 || head.toString('latin1', 0, 4) !== MAGIC) return null;
    const jsonLen = head.readUInt32LE(4);
    const jsonBuf = Buffer.alloc(jsonLen);
    if (readSync(fd, jsonBuf, 0, jsonLen, 8) !== jsonLen) return null;
    let header: Header;
    try {
      header = JSON.parse(jsonBuf.toString('utf8')) as Header;
    } catch {
      return null;
    }
    if (header.fingerprint !== fingerprint) return null;
    const headLen = 8 + jsonLen;
    const start = headLen + ((8 - (headLen % 8)) % 8);
    const { nInst, nDays } = header;
    const size = nInst * nDays;
    const expected = start + 8 * (nDays + 5 * size + 2 * nInst + (header.hasFactor ? 5 * size : 0));
    if (fstatSync(fd).size !== expected) return null;
    const at = {
      time: start,
      open: start + 8 * nDays,
      high: start + 8 * (nDays + size),
      low: start + 8 * (nDays + 2 * size),
      close: start + 8 * (nDays + 3 * size),
      volume: start + 8 * (nDays + 4 * size),
      listedOn: start + 8 * (nDays + 5 * size),
      delistedOn: start + 8 * (nDays + 5 * size + nInst),
      priceFactor: start + 8 * (nDays + 5 * size + 2 * nInst),
      rawOpen: start + 8 * (nDays + 6 * size + 2 * nInst),
      rawHigh: start + 8 * (nDays + 7 * size + 2 * nInst),
      rawLow: start + 8 * (nDays + 8 * size + 2 * nInst),
      rawClose: start + 8 * (nDays + 9 * size + 2 * nInst),
    };
    const panel = {
      symbols: header.symbols,
      sectors: header.sectors,
      time: readColumn(fd, at.time, nDays),
      nInst,
      nDays,
      close: readColumn(fd, at.close, size),
      listedOn: readColumn(fd, at.listedOn, nInst),
      delistedOn: readColumn(fd, at.delistedOn, nInst),
      adjustment: header.adjustment,
      fingerprint,
      ...(header.actions ? { actions: actionsFrom(header.actions) } : {}),
    } as Record<string, unknown>;
    type Lazy = 'open' | 'high' | 'low' | 'volume' | 'priceFactor' | 'rawOpen' | 'rawHigh' | 'rawLow' | 'rawClose';
    const lazy: Lazy[] = ['open', 'high', 'low', 'volume'];
    if (header.hasFactor) lazy.push('priceFactor', 'rawOpen', 'rawHigh', 'rawLow', 'rawClose');
    const rawCols: Record<string, unknown> = {};
    if (header.hasFactor) panel.raw = rawCols;
    let pending = lazy.length;
    const token = {};
    for (const name of lazy) {
      let value: Float64Array | undefined;
      const owner = name.startsWith('raw') ? rawCols : panel;
      const key = name.startsWith('raw') ? name.slice(3).toLowerCase() : name;
      Object.defineProperty(owner, key, {
        enumerable: true,
        get(): Float64Array {
          if (value === undefined) {
            value = readColumn(fd, at[name], size);
            if (--pending === 0) {
              openFiles.unregister(token);
              closeSync(fd);
            }
          }
          return value;
        },
      });
    }
    openFiles.register(panel, fd, token);
    keepOpen = true;
    return panel as unknown as Panel;
  } catch {
    return null;
  } finally {
    if (!keepOpen) closeSync(fd);
  }
}

function actionsFrom(a: NonNullable<Header['actions']>): PanelActions {
  return {
    inst: Int32Array.from(a.inst),
    bar: Int32Array.from(a.bar),
    kind: Uint8Array.from(a.kind),
    value: Float64Array.from(a.value),
  };
}
