/**
 * The stored form of a backtest run's result (`run_results.payload`), versioned.
 *
 * - v1 (runs stored before this file): TEXT, base64 of gzip of the JSON `{result: BacktestOutput, audit}`,
 *   times formatted as text. Still read: {@link decodeRunPayload} turns it into columns.
 * - v2: a BLOB. `QDRP` (4 bytes), version u16 LE (2), flags u16 LE (bit 0: the body is raw-deflated),
 *   then the body: header length u32 LE, the header as UTF-8 JSON (run id, spec, metrics, open positions,
 *   audit, the trades' text fields as dictionaries, the column list), zero padding to a multiple of 8,
 *   then each column as little-endian float64s in the header's order. Times are EpochMs, NaN kept.
 * - v3: the v2 layout, with each column coded (the header's `columns[i].codec`) and the whole body
 *   raw-deflated at level 1 (flag bit 0), so a long run costs few database pages (issue 14: on 100,000
 *   one-minute bars v2 wrote 1.6 MB, about 400 WAL frames): `f64` as v2; `delta`: the first value, then each
 *   value minus the one before, as float64s (used only when the running sum gives back every value exactly,
 *   as for regular bar times: nearly all the same step, which deflate then stores in a few bytes); `xor`: the
 *   bits of each value XOR those of the one before (a repeated equity value, most points of a minute run
 *   between trades, becomes eight zero bytes, and the sign and exponent bytes of a slowly moving one mostly
 *   zero). Every code is exact to the bit (NaN and -0 included).
 *
 * Writing costs a copy of the columns (no JSON of the curve, no text times, no base64), the coding and a
 * level-1 deflate. v1 and v2 rows are still read.
 */
import { deflateRawSync, gunzipSync, inflateRawSync } from 'node:zlib';
import { parseDate } from '../model/time';
import { drawdownOf, type ResultOpenPosition, type ResultTrade } from '../model/result-columns';
import type { BacktestColumns, BacktestOutput } from './json';
import type { DecisionAudit } from './types';

const MAGIC = 0x50524451; // 'QDRP' read as u32 LE
/** The version {@link encodeRunPayload} writes. */
export const RUN_PAYLOAD_VERSION = 3;
/** v2 only: bodies up to this many bytes were deflated (level 1); larger ones stored as they are. */
export const DEFLATE_BELOW = 256 * 1024;

/** How a v3 column's float64s are stored (see the file's comment). */
type Codec = 'f64' | 'delta' | 'xor';

interface HeaderV2 {
  readonly runId: string;
  readonly spec: BacktestColumns['spec'];
  readonly metrics: BacktestColumns['metrics'];
  readonly openPositions: readonly ResultOpenPosition[];
  readonly audit: readonly DecisionAudit[];
  readonly trades: { readonly n: number; readonly symbols: readonly string[]; readonly reasons: readonly string[] };
  /** v3 adds `codec` (absent: `f64`). */
  readonly columns: readonly { readonly name: string; readonly length: number; readonly codec?: Codec }[];
  /** A model strategy's per-trade explanations (absent otherwise; older payloads have none). */
  readonly tradeExplanations?: BacktestColumns['tradeExplanations'];
}

/** A decoded payload: the run's columns and its per-decision audit. */
export interface RunPayload {
  readonly result: BacktestColumns;
  readonly audit: readonly DecisionAudit[];
  /** The stored format's version (1: gzipped JSON text, 2: typed-array blob, 3: coded, deflated columns). */
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

/**
 * Encodes a run's result: v3 (coded columns, deflated), or v2 when asked (the tests write older rows with it).
 */
export function encodeRunPayload(
  result: BacktestColumns,
  audit: readonly DecisionAudit[],
  version: 2 | 3 = RUN_PAYLOAD_VERSION,
): Buffer {
  const trades = result.trades;
  const n = trades.length;
  const symbols = new Map<string, number>();
  const reasons = new Map<string, number>();
  const v3 = version === 3 && LITTLE_ENDIAN;
  const cols: { name: string; data: Float64Array; codec?: Codec }[] = v3
    ? codedEquity(result.equity.time, result.equity.value)
    : [
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
    columns: cols.map((c) =>
      c.codec ? { name: c.name, length: c.data.length, codec: c.codec } : { name: c.name, length: c.data.length },
    ),
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
  const deflate = v3 || size <= DEFLATE_BELOW;
  whole.writeUInt32LE(MAGIC, 0);
  whole.writeUInt16LE(v3 ? 3 : 2, 4);
  whole.writeUInt16LE(deflate ? 1 : 0, 6);
  return deflate ? Buffer.concat([whole.subarray(0, 8), deflateRawSync(body, { level: 1 })]) : whole;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The equity columns coded for v3 (little-endian hosts; the u32 views below are then the stored byte order):
 * times as `delta` and values as `xor`, in one loop (a cold process runs it interpreted at first, and each loop
 * pays that once). Times fall back to `xor` unless the running sum of their deltas gives back every one bit
 * for bit.
 */
function codedEquity(time: Float64Array, value: Float64Array): { name: string; data: Float64Array; codec: Codec }[] {
  const n = time.length;
  const t = new Float64Array(n);
  const v = new Float64Array(n);
  const a = new Uint32Array(value.buffer, value.byteOffset, n * 2);
  const o = new Uint32Array(v.buffer);
  let exact = true;
  if (n > 0) {
    t[0] = time[0];
    o[0] = a[0];
    o[1] = a[1];
  }
  for (let i = 1; i < n; i++) {
    const d = time[i] - time[i - 1];
    const back = time[i - 1] + d;
    // Equal as numbers, and not 0 against -0 (NaN fails the first test).
    if (back !== time[i] || (back === 0 && 1 / back !== 1 / time[i])) exact = false;
    t[i] = d;
    const j = 2 * i;
    o[j] = a[j] ^ a[j - 2];
    o[j + 1] = a[j + 1] ^ a[j - 1];
  }
  if (!exact) {
    const x = new Uint32Array(time.buffer, time.byteOffset, n * 2);
    const y = new Uint32Array(t.buffer);
    for (let i = 0; i < 2 * n; i++) y[i] = i < 2 ? x[i] : x[i] ^ x[i - 2];
  }
  return [
    { name: 'equity.time', data: t, codec: exact ? 'delta' : 'xor' },
    { name: 'equity.value', data: v, codec: 'xor' },
  ];
}

/** Undoes {@link codedEquity}'s codes in place. */
function decoded(data: Float64Array, codec: Codec | undefined, name: string): Float64Array {
  if (codec === undefined || codec === 'f64') return data;
  if (!LITTLE_ENDIAN)
    throw new RunPayloadError(`run payload: column ${name}: ${codec} is read on little-endian hosts only`);
  if (codec === 'delta') {
    for (let i = 1; i < data.length; i++) data[i] = data[i - 1] + data[i];
  } else if (codec === 'xor') {
    const o = new Uint32Array(data.buffer, data.byteOffset, data.length * 2);
    for (let i = 2; i < o.length; i++) o[i] ^= o[i - 2];
  } else throw new RunPayloadError(`run payload: column ${name}: unknown codec ${String(codec)}`);
  return data;
}

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
  if (version !== 2 && version !== 3)
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
    cols.set(c.name, version === 3 ? decoded(data, c.codec, c.name) : data);
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
