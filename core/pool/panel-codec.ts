import type { Adjustment, Panel } from '../data/panel-types';

const MAGIC = 0x31504451; // 'QDP1' little-endian

interface Header {
  readonly symbols: readonly string[];
  readonly sectors: readonly string[];
  readonly nInst: number;
  readonly nDays: number;
  readonly adjustment: Adjustment;
  readonly fingerprint: string;
  /** Whether the `priceFactor` column follows (panels with corporate actions under `pit` or `asOf`). */
  readonly hasPriceFactor?: boolean;
}

/**
 * Serialises a panel as one binary blob (what a cluster submitter publishes in Redis): a magic
 * number, a JSON header (symbols, sectors, sizes, adjustment, fingerprint), then the Float64 columns
 * `time, open, high, low, close, volume, listedOn, delistedOn` and, when the panel has one,
 * `priceFactor` (so a cluster worker values market cap and PBR at traded prices, as a local run does),
 * as raw little-endian doubles.
 */
export function encodePanel(p: Panel): Buffer {
  const header: Header = {
    symbols: p.symbols, sectors: p.sectors, nInst: p.nInst, nDays: p.nDays, adjustment: p.adjustment, fingerprint: p.fingerprint,
    hasPriceFactor: p.priceFactor !== undefined,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const dataStart = align8(8 + json.length);
  const cols = columnsOf(p);
  const bytes = cols.reduce((n, c) => n + c.byteLength, 0);
  const out = Buffer.alloc(dataStart + bytes);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(json.length, 4);
  json.copy(out, 8);
  let at = dataStart;
  for (const c of cols) {
    Buffer.from(c.buffer, c.byteOffset, c.byteLength).copy(out, at);
    at += c.byteLength;
  }
  return out;
}

/** Inverse of {@link encodePanel}; throws on a blob that is not a panel or is truncated. */
export function decodePanel(buf: Uint8Array): Panel {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 8 || b.readUInt32LE(0) !== MAGIC) throw new Error('not a QuantDesk panel blob (bad magic)');
  const jsonLen = b.readUInt32LE(4);
  const header = JSON.parse(b.subarray(8, 8 + jsonLen).toString('utf8')) as Header;
  const { nInst, nDays } = header;
  const sizes = [nDays, nInst * nDays, nInst * nDays, nInst * nDays, nInst * nDays, nInst * nDays, nInst, nInst];
  if (header.hasPriceFactor) sizes.push(nInst * nDays);
  const dataStart = align8(8 + jsonLen);
  const need = dataStart + sizes.reduce((n, s) => n + s * 8, 0);
  if (b.length !== need) throw new Error(`panel blob has ${b.length} bytes, expected ${need}`);
  // Copy into a fresh, aligned ArrayBuffer (a Buffer from Redis may sit at any offset).
  const data = new Float64Array(sizes.reduce((n, s) => n + s, 0));
  new Uint8Array(data.buffer).set(b.subarray(dataStart));
  const cols: Float64Array[] = [];
  let at = 0;
  for (const s of sizes) {
    cols.push(data.subarray(at, at + s));
    at += s;
  }
  const [time, open, high, low, close, volume, listedOn, delistedOn, priceFactor] = cols;
  const { hasPriceFactor: _, ...meta } = header;
  const panel: Panel = { ...meta, time, open, high, low, close, volume, listedOn, delistedOn };
  return priceFactor ? { ...panel, priceFactor } : panel;
}

function columnsOf(p: Panel): Float64Array[] {
  const cols = [p.time, p.open, p.high, p.low, p.close, p.volume, p.listedOn, p.delistedOn];
  return p.priceFactor ? [...cols, p.priceFactor] : cols;
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
