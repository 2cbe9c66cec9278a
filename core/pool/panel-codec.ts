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
  /** `Panel.actions` as plain arrays (splits and dividends the engine applies to positions and cash). */
  readonly actions?: { inst: number[]; bar: number[]; kind: number[]; value: number[] };
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
    symbols: p.symbols,
    sectors: p.sectors,
    nInst: p.nInst,
    nDays: p.nDays,
    adjustment: p.adjustment,
    fingerprint: p.fingerprint,
    hasPriceFactor: p.priceFactor !== undefined,
    ...(p.actions
      ? {
          actions: {
            inst: [...p.actions.inst],
            bar: [...p.actions.bar],
            kind: [...p.actions.kind],
            value: [...p.actions.value],
          },
        }
      : {}),
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
  // priceFactor, then the traded prices open, high, low, close (`Panel.raw`).
  if (header.hasPriceFactor) sizes.push(nInst * nDays, nInst * nDays, nInst * nDays, nInst * nDays, nInst * nDays);
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
  const [time, open, high, low, close, volume, listedOn, delistedOn, priceFactor, rOpen, rHigh, rLow, rClose] = cols;
  const { hasPriceFactor: _, actions: a, ...meta } = header;
  let panel: Panel = { ...meta, time, open, high, low, close, volume, listedOn, delistedOn };
  if (a)
    panel = {
      ...panel,
      actions: {
        inst: Int32Array.from(a.inst),
        bar: Int32Array.from(a.bar),
        kind: Uint8Array.from(a.kind),
        value: Float64Array.from(a.value),
      },
    };
  return priceFactor ? { ...panel, priceFactor, raw: { open: rOpen, high: rHigh, low: rLow, close: rClose } } : panel;
}

function columnsOf(p: Panel): Float64Array[] {
  const cols = [p.time, p.open, p.high, p.low, p.close, p.volume, p.listedOn, p.delistedOn];
  if (!p.priceFactor) return cols;
  // A panel with a factor has its traded prices too (`Panel.raw`); a hand-built one may not: its columns are then traded.
  const r = p.raw ?? { open: p.open, high: p.high, low: p.low, close: p.close };
  return [...cols, p.priceFactor, r.open, r.high, r.low, r.close];
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
