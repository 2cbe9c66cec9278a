/**
 * The stored form of a backtest run's result (`run_results.payload`), versioned.
 *
 * - v1 (runs stored before this file): TEXT, base64 of gzip of the JSON `{result: BacktestOutput, audit}`,
 *   times formatted as text. Still read: {@link decodeRunPayload} turns it into columns.
 * - v2: a BLOB. `QDRP` (4 bytes), version u16 LE (2), flags u16 LE (bit 0: the body is raw-deflated),
 *   then the body: header length u32 LE, the header as UTF-8 JSON (run id, spec, metrics, open positions,
 *   audit, the trades' text fields as dictionaries, the column list), zero padding to a multiple of 8,
 *   then each column as little-endian float64s in the header's order. Times are EpochMs, NaN kept.
 *
 * Writing v2 costs a copy of the columns (no JSON of the curve, no text times, no base64); the body is
 * deflated at level 1 only when it is small enough for that to be cheap (see {@link DEFLATE_BELOW}).
 */
import { deflateRawSync, gunzipSync, inflateRawSync } from 'node:zlib';
import { parseDate } from '../model/time';
import { drawdownOf, type ResultOpenPosition, type ResultTrade } from '../model/result-columns';
import type { BacktestColumns, BacktestOutput } from './json';
import type { DecisionAudit } from './types';

const MAGIC = 0x50524451; // 'QDRP' read as u32 LE
/** The version {@link encodeRunPayload} writes. */
export const RUN_PAYLOAD_VERSION = 2;
/** Bodies up to this many bytes are deflated (level 1: a few ms); larger ones are stored as they are, so a write stays a copy. */
export const DEFLATE_BELOW = 256 * 1024;

interface HeaderV2 {
  readonly runId: string;
  readonly spec: BacktestColumns['spec'];
  readonly metrics: BacktestColumns['metrics'];
  readonly openPositions: readonly ResultOpenPosition[];
  readonly audit: readonly DecisionAudit[];
  readonly trades: { readonly n: number; readonly symbols: readonly string[]; readonly reasons: readonly string[] };
  readonly columns: readonly { readonly name: string; readonly length: number }[];
  /** A model strategy's per-trade explanations (absent otherwise; older payloads have none). */
  readonly tradeExplanations?: BacktestColumns['tradeExplanations'];
}

/** A decoded payload: the run's columns and its per-decision audit. */
export interface RunPayload {
  readonly result: BacktestColumns;
  readonly audit: readonly DecisionAudit[];
  /** The stored format's version (1: gzipped JSON text, 2: typed-array blob). */
  readonly version: number;
}

const TRADE_NUMS = [
  'qty',
  'entryTime',
  'entryPrice',
  'exitTime',
  'exitPrice',
  'pnl',
  'commission',
  'returnPct',
] as const;

/** Encodes a run's result (v2). */
export function encodeRunPayload(result: BacktestColumns, audit: readonly DecisionAudit[]): Buffer {
  const trades = result.trades;
  const n = trades.length;
  const symbols = new Map<string, number>();
  const reasons = new Map<string, number>();
  const cols: { name: string; data: Float64Array }[] = [
    { name: 'equity.time', data: result.equity.time },
    { name: 'equity.value', data: result.equity.value },
  ];
  for (const k of TRADE_NUMS) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = trades[i][k];
    cols.push({ name: `trades.${k}`, data: c });
  }
  const sym = new Float64Array(n);
  const reason = new Float64Array(n);
  const flags = new Float64Array(n); // bit 0 short, bit 1 ambiguous
  const split = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = trades[i];
    let s = symbols.get(t.symbol);
    if (s === undefined) symbols.set(t.symbol, (s = symbols.size));
    let r = reasons.get(t.exitReason);
    if (r === undefined) reasons.set(t.exitReason, (r = reasons.size));
    sym[i] = s;
    reason[i] = r;
    flags[i] = (t.side === 'short' ? 1 : 0) | (t.ambiguous ? 2 : 0);
    split[i] = t.splitRatio ?? Number.NaN;
  }
  cols.push(
    { name: 'trades.symbol', data: sym },
    { name: 'trades.exitReason', data: reason },
    { name: 'trades.flags', data: flags },
    { name: 'trades.splitRatio', data: split },
  );
  const header: HeaderV2 = {
    runId: result.runId,
    spec: result.spec,
    metrics: result.metrics,
    openPositions: result.openPositions,
    audit,
    trades: { n, symbols: [...symbols.keys()], reasons: [...reasons.keys()] },
    columns: cols.map((c) => ({ name: c.name, length: c.data.length })),
    ...(result.tradeExplanations ? { tradeExplanations: result.tradeExplanations } : {}),
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(4 + head.length);
  const size = cols.reduce((s, c) => s + c.data.length * 8, start);
  // Prefix and body in one buffer (the large, stored-as-is case is then returned without another copy);
  // every byte is written below, the padding explicitly, so it needs no zero-filled allocation.
  const whole = Buffer.allocUnsafe(8 + size);
  const body = whole.subarray(8);
  body.writeUInt32LE(head.length, 0);
  head.copy(body, 4);
  body.fill(0, 4 + head.length, start);
  let at = start;
  for (const c of cols) {
    const bytes = new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength);
    if (LITTLE_ENDIAN) body.set(bytes, at);
    else for (let i = 0; i < c.data.length; i++) body.writeDoubleLE(c.data[i], at + i * 8);
    at += c.data.byteLength;
  }
  const deflate = size <= DEFLATE_BELOW;
  whole.writeUInt32LE(MAGIC, 0);
  whole.writeUInt16LE(RUN_PAYLOAD_VERSION, 4);
  whole.writeUInt16LE(deflate ? 1 : 0, 6);
  return deflate ? Buffer.concat([whole.subarray(0, 8), deflateRawSync(body, { level: 1 })]) : whole;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Thrown for a payload that is neither format (a corrupt row): names what is wrong. */
export class RunPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunPayloadError';
  }
}

/** Decodes a stored payload of either version into columns. */
export function decodeRunPayload(raw: string | Uint8Array): RunPayload {
  if (typeof raw === 'string') return decodeV1(raw);
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) throw new RunPayloadError('run payload: not a QDRP blob');
  const version = buf.readUInt16LE(4);
  if (version !== 2)
    throw new RunPayloadError(
      `run payload: version ${version} is newer than this build reads (${RUN_PAYLOAD_VERSION})`,
    );
  const body = buf.readUInt16LE(6) & 1 ? inflateRawSync(buf.subarray(8)) : buf.subarray(8);
  const headLen = body.readUInt32LE(0);
  const header = JSON.parse(body.toString('utf8', 4, 4 + headLen)) as HeaderV2;
  let at = align8(4 + headLen);
  const cols = new Map<string, Float64Array>();
  for (const c of header.columns) {
    // A copy: aligned, and independent of the row's buffer.
    const data = new Float64Array(c.length);
    if (at + c.length * 8 > body.length) throw new RunPayloadError(`run payload: column ${c.name} runs past the end`);
    if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(body.subarray(at, at + c.length * 8));
    else for (let i = 0; i < c.length; i++) data[i] = body.readDoubleLE(at + i * 8);
    cols.set(c.name, data);
    at += c.length * 8;
  }
  const col = (name: string) => {
    const c = cols.get(name);
    if (!c) throw new RunPayloadError(`run payload: no column ${name}`);
    return c;
  };
  const n = header.trades.n;
  const nums = TRADE_NUMS.map((k) => col(`trades.${k}`));
  const [sym, reason, flags, split] = ['trades.symbol', 'trades.exitReason', 'trades.flags', 'trades.splitRatio'].map(
    col,
  );
  const trades: ResultTrade[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const f = flags[i];
    const t: Record<string, unknown> = { symbol: header.trades.symbols[sym[i]], side: f & 1 ? 'short' : 'long' };
    // The key order of the engine's trades (and of the printed JSON).
    t.qty = nums[0][i];
    t.entryTime = nums[1][i];
    t.entryPrice = nums[2][i];
    t.exitTime = nums[3][i];
    t.exitPrice = nums[4][i];
    t.pnl = nums[5][i];
    t.commission = nums[6][i];
    t.returnPct = nums[7][i];
    t.ambiguous = (f & 2) !== 0;
    t.exitReason = header.trades.reasons[reason[i]];
    if (split[i] === split[i]) t.splitRatio = split[i];
    trades[i] = t as unknown as ResultTrade;
  }
  const value = col('equity.value');
  return {
    version,
    audit: header.audit,
    result: {
      runId: header.runId,
      spec: header.spec,
      metrics: header.metrics,
      trades,
      openPositions: header.openPositions,
      equity: { time: col('equity.time'), value, drawdown: drawdownOf(value) },
      ...(header.tradeExplanations ? { tradeExplanations: header.tradeExplanations } : {}),
    },
  };
}

/** Times as stored by v1 (formatted text) back to EpochMs. */
function ms(text: string): number {
  return parseDate(text) ?? Number.NaN;
}

function decodeV1(raw: string): RunPayload {
  let parsed: { result: BacktestOutput; audit?: readonly DecisionAudit[] };
  try {
    parsed = JSON.parse(gunzipSync(Buffer.from(raw, 'base64')).toString('utf8'));
  } catch (e) {
    throw new RunPayloadError(`run payload (v1, gzipped JSON): ${(e as Error).message}`);
  }
  const o = parsed.result;
  const n = o.equity.length;
  const time = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = ms(o.equity[i].time);
    // JSON wrote NaN equity as null.
    value[i] = o.equity[i].equity ?? Number.NaN;
  }
  return {
    version: 1,
    audit: parsed.audit ?? [],
    result: {
      runId: o.runId,
      spec: o.spec,
      metrics: o.metrics,
      trades: o.trades.map((t) => ({ ...t, entryTime: ms(t.entryTime), exitTime: ms(t.exitTime) })),
      openPositions: o.openPositions.map((p) => ({ ...p, entryTime: ms(p.entryTime) })),
      equity: { time, value, drawdown: drawdownOf(value) },
    },
  };
}
