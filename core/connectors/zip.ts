import { inflateRawSync } from 'node:zlib';

/** One file of a ZIP archive. */
export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer;
}

/**
 * Reads the files of a ZIP archive held in memory (stored or deflated entries, no ZIP64, no
 * encryption): enough for DART's `corpCode.xml`, which is a ZIP of one XML file. Refuses an entry
 * that inflates beyond `maxBytes` (a ZIP bomb is unbounded input). Throws with a reason otherwise.
 */
export function readZip(buf: Buffer, maxBytes = 256 * 1024 * 1024): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a ZIP archive (no end-of-central-directory record)');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50)
      throw new Error(`ZIP central directory entry ${k} is damaged`);
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const usize = buf.readUInt32LE(p + 24);
    const nlen = buf.readUInt16LE(p + 28);
    const xlen = buf.readUInt16LE(p + 30);
    const clen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nlen);
    p += 46 + nlen + xlen + clen;
    if (name.endsWith('/')) continue;
    if (usize > maxBytes) throw new Error(`ZIP entry ${name} is ${usize} bytes, over the ${maxBytes}-byte limit`);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50)
      throw new Error(`ZIP local header of ${name} is damaged`);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + csize);
    if (raw.length !== csize) throw new Error(`ZIP entry ${name} is truncated`);
    let data: Buffer;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = inflateRawSync(raw, { maxOutputLength: maxBytes });
    else throw new Error(`ZIP entry ${name} uses compression method ${method} (only stored and deflate are read)`);
    out.push({ name, data });
  }
  return out;
}
