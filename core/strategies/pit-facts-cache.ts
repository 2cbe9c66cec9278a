import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { cacheFolderOf } from '../data/panel-cache';
import type { PitField } from './pit-facts';

const MAGIC = 'QDF1';

/**
 * The cache file of a fundamentals index beside a database: `<db>.qdcache/<fingerprint>-<hash>.pit`,
 * the hash covering the field and the instruments (in order). Like the panel cache it is derived data,
 * keyed by the store's data fingerprint, so any import that changes data makes it stale.
 */
export function pitFieldCacheFile(
  dbPath: string,
  fingerprint: string,
  field: string,
  symbols: readonly string[],
): string {
  const h = createHash('sha256')
    .update(JSON.stringify([field, symbols]))
    .digest('hex')
    .slice(0, 20);
  return join(`${dbPath}.qdcache`, `${fingerprint.slice(0, 32)}-${h}.pit`);
}

/**
 * Writes `f` atomically (temp file + rename) and removes `.pit` files of other fingerprints. Layout:
 * `QDF1`, u32 nInst, u32 nRows, u32 0, then Int32 offsets (padded to 8 bytes) and Float64 knownAt,
 * periodEnd, value. Failures are ignored: the cache is an optimisation.
 */
export function writePitFieldFile(file: string, f: PitField, fingerprint: string): void {
  const dir = cacheFolderOf(file);
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    const nInst = f.offsets.length - 1;
    const head = Buffer.alloc(16);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(nInst, 4);
    head.writeUInt32LE(f.knownAt.length, 8);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, head);
      writeSync(fd, new Uint8Array(f.offsets.buffer, f.offsets.byteOffset, f.offsets.byteLength));
      if (f.offsets.byteLength % 8 !== 0) writeSync(fd, Buffer.alloc(4));
      for (const col of [f.knownAt, f.periodEnd, f.value])
        writeSync(fd, new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    const keep = fingerprint.slice(0, 32);
    for (const name of readdirSync(dir))
      if (name.endsWith('.pit') && !name.startsWith(keep)) rmSync(join(dir, name), { force: true });
  } catch {
    rmSync(tmp, { force: true });
  }
}

/** Reads a cached index for `field` over `nInst` instruments; null when absent or malformed. */
export function readPitFieldFile(file: string, field: string, nInst: number): PitField | null {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch {
    return null;
  }
  if (buf.length < 16 || buf.toString('latin1', 0, 4) !== MAGIC || buf.readUInt32LE(4) !== nInst) return null;
  const nRows = buf.readUInt32LE(8);
  const offBytes = 4 * (nInst + 1);
  const offPadded = offBytes + (offBytes % 8);
  if (buf.length !== 16 + offPadded + 24 * nRows) return null;
  const copy = new Uint8Array(buf.length); // aligned, and detached from Node's shared buffer pool
  copy.set(buf);
  const ab = copy.buffer;
  const offsets = new Int32Array(ab, 16, nInst + 1);
  const at = (k: number) => new Float64Array(ab, 16 + offPadded + 8 * nRows * k, nRows);
  return { field, offsets, knownAt: at(0), periodEnd: at(1), value: at(2) };
}
