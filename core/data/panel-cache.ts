import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Panel } from './panel-types';

const MAGIC = 'QDP1';
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
}

/**
 * Writes a panel atomically (temp file + rename, so a reader sees the whole file or none) and removes
 * cache files of other data fingerprints. Layout: `QDP1`, u32 header length, JSON header, padding to
 * 8 bytes, then float64 columns time, open, high, low, close, volume, listedOn, delistedOn (native
 * little-endian). Keeps at most 8 files per fingerprint. Failures (read-only directory, full disk) are ignored: the cache is an optimisation.
 */
export function writePanelFile(file: string, panel: Panel, fingerprint: string): void {
  const dir = file.slice(0, file.lastIndexOf('/'));
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
      for (const col of [panel.time, panel.open, panel.high, panel.low, panel.close, panel.volume, panel.listedOn, panel.delistedOn]) {
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

/** Reads a cached panel; null when absent, corrupt or built from other data (`fingerprint` differs). */
export function readPanelFile(file: string, fingerprint: string): Panel | null {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return null;
  }
  if (buf.length < 8 || buf.toString('latin1', 0, 4) !== MAGIC) return null;
  const jsonLen = buf.readUInt32LE(4);
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 8, 8 + jsonLen)) as Header;
  } catch {
    return null;
  }
  if (header.fingerprint !== fingerprint) return null;
  const headLen = 8 + jsonLen;
  let off = headLen + ((8 - (headLen % 8)) % 8);
  const { nInst, nDays } = header;
  const size = nInst * nDays;
  const expected = off + 8 * (nDays + 5 * size + 2 * nInst);
  if (buf.length !== expected) return null;
  // Float64Array views need 8-byte alignment; copy only if the buffer is not aligned.
  let ab = buf.buffer;
  let base = buf.byteOffset;
  if (base % 8 !== 0) {
    const copy = new Uint8Array(buf.length);
    copy.set(buf);
    ab = copy.buffer;
    base = 0;
  }
  const take = (n: number): Float64Array => {
    const a = new Float64Array(ab, base + off, n);
    off += 8 * n;
    return a;
  };
  const time = take(nDays);
  const open = take(size);
  const high = take(size);
  const low = take(size);
  const close = take(size);
  const volume = take(size);
  const listedOn = take(nInst);
  const delistedOn = take(nInst);
  return { symbols: header.symbols, sectors: header.sectors, time, nInst, nDays, open, high, low, close, volume, listedOn, delistedOn, adjustment: header.adjustment, fingerprint };
}
