/**
 * The stored form of a backtest run's result (`run_results.payload`), versioned.
 *
 * - v1 (runs stored before this file): TEXT, base64 of gzip of the JSON `{result: BacktestOutput, audit}`,
 *   times formatted as text. Still read: {@link decodeRunPayload} turns it into columns.
 * - v2: a BLOB. `QDRP` (4 bytes), version u16 LE (2), flags u16 LE (bit 0: the body is raw-deflated),
 *   then the body: header length u32 LE, the header as UTF-8 JSON (run id, spec, metrics, open positions,
 *   audit, the trades' text fields as dictionaries, the column list), zero padding to a multiple of 8,
 *   then each column as little-endian float64s in the header's order. Times are EpochMs, NaN kept.
 * - v3: the v2 layout, never deflated, with the equity columns coded (the header's `columns[i].codec`, and
 *   `slots`: how many float64s the column stores) so a long run costs few database pages (issue 14: on 100,000
 *   one-minute bars v2 wrote 1.78 MB, about 435 pages): `same`: a bitmap, one bit a point (bit i set: point i
 *   has the bits of point i - 1), padded to 8 bytes, then the float64s of the other points: an equity value
 *   repeats between trades (57 % of a minute run's points) and costs one bit; `delta-same`: the same over the
 *   times' differences (the first time, then each time minus the one before), so a regular series' step
 *   costs one bit a bar; used only when the running sum of the differences gives back every time exactly,
 *   else the times are stored `same`. Exact to the bit (NaN and -0 included). No deflate: at level 1 it took
 *   ~15 ms of a cold process for 1.6 MB, more than the pages it saved (cold encode, measured: v2 ~5 ms, v3
 *   ~9 ms, v3 + deflate ~17.5 ms; a 100,000-bar minute run's row: 1.78 MB, 0.56 MB, 0.22 MB). The trades'
 *   columns stay `f64`: coding four small dictionary columns cost ~3 ms cold for ~55 KB.
 *
 * Writing costs a copy of the columns and one coding loop (no JSON of the curve, no text times, no base64).
 * v1 and v2 rows are still read.
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
type Codec = 'f64' | 'same' | 'delta-same';

interface HeaderV2 {
  readonly runId: string;
  readonly spec: BacktestColumns['spec'];
  readonly metrics: BacktestColumns['metrics'];
  readonly openPositions: readonly ResultOpenPosition[];
  readonly audit: readonly DecisionAudit[];
  readonly trades: { readonly n: number; readonly symbols: readonly string[]; readonly reasons: readonly string[] };
  /** v3 adds `codec` (absent: `f64`) and `slots` (float64s stored; absent: `length`). */
  readonly columns: readonly {
    readonly name: string;
    readonly length: number;
    readonly codec?: Codec;
    readonly slots?: number;
  }[];
  /** A model strategy's per-trade explanations (absent otherwise; older payloads have none). */
  readonly tradeExplanations?: BacktestColumns['tradeExplanations'];
}

/** A decoded payload: the run's columns and its per-decision audit. */
export interface RunPayload {
  readonly result: BacktestColumns;
  readonly audit: readonly DecisionAudit[];
  /** The stored format's version (1: gzipped JSON text, 2: typed-array blob, 3: with coded equity columns). */
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
 * Encodes a run's result: v3 (coded equity columns), or v2 when asked (the tests write older rows with it).
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
  const cols: {
    readonly name: string;
    readonly data: Float64Array;
    readonly codec?: Codec;
    readonly length?: number;
  }[] = v3
    ? codedEquity(result.equity.time, result.equity.value)
    : [
        { name: 'equity.time', data: result.equity.time },
        { name: 'equity.value', data: result.equity.value },
      ];
  // One pass over the trades with literal property names (a cold process runs it interpreted; a load by a
  // variable key per column was eight passes of generic lookups).
  const num = TRADE_NUMS.map(() => new Float64Array(n));
  const [qty, entryTime, entryPrice, exitTime, exitPrice, pnl, commission, returnPct] = num;
  const sym = new Float64Array(n);
  const reason = new Float64Array(n);
  const flags = new Float64Array(n); // bit 0 short, bit 1 ambiguous
  const split = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = trades[i];
    qty[i] = t.qty;
    entryTime[i] = t.entryTime;
    entryPrice[i] = t.entryPrice;
    exitTime[i] = t.exitTime;
    exitPrice[i] = t.exitPrice;
    pnl[i] = t.pnl;
    commission[i] = t.commission;
    returnPct[i] = t.returnPct;
    let s = symbols.get(t.symbol);
    if (s === undefined) symbols.set(t.symbol, (s = symbols.size));
    let r = reasons.get(t.exitReason);
    if (r === undefined) reasons.set(t.exitReason, (r = reasons.size));
    sym[i] = s;
    reason[i] = r;
    flags[i] = (t.side === 'short' ? 1 : 0) | (t.ambiguous ? 2 : 0);
    split[i] = t.splitRatio ?? Number.NaN;
  }
  TRADE_NUMS.forEach((k, j) => cols.push({ name: `trades.${k}`, data: num[j] }));
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
      c.codec
        ? { name: c.name, length: c.length ?? c.data.length, codec: c.codec, slots: c.data.length }
        : { name: c.name, length: c.data.length },
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
  const deflate = !v3 && size <= DEFLATE_BELOW;
  whole.writeUInt32LE(MAGIC, 0);
  whole.writeUInt16LE(v3 ? 3 : 2, 4);
  whole.writeUInt16LE(deflate ? 1 : 0, 6);
  return deflate ? Buffer.concat([whole.subarray(0, 8), deflateRawSync(body, { level: 1 })]) : whole;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The equity columns coded for v3 (little-endian hosts: the u32 views below are then the stored byte order):
 * values `same`, times `delta-same` (`same` when their differences do not give them back exactly), in one loop
 * (a cold process runs it interpreted at first, and each loop pays that once). Bits are copied as u32 pairs,
 * so NaN payloads survive.
 */
function codedEquity(
  time: Float64Array,
  value: Float64Array,
): { name: string; data: Float64Array; codec: Codec; length: number }[] {
  const n = time.length;
  const mapSlots = Math.ceil(n / 64);
  const t = new Float64Array(mapSlots + n);
  const v = new Float64Array(mapSlots + n);
  const tMap = new Uint8Array(t.buffer, 0, mapSlots * 8);
  const vMap = new Uint8Array(v.buffer, 0, mapSlots * 8);
  const vIn = new Uint32Array(value.buffer, value.byteOffset, n * 2);
  const vOut = new Uint32Array(v.buffer);
  let nt = mapSlots;
  let nv = mapSlots;
  let exact = true;
  let prevD = Number.NaN;
  for (let i = 0; i < n; i++) {
    const j = 2 * i;
    if (i > 0 && vIn[j] === vIn[j - 2] && vIn[j + 1] === vIn[j - 1]) vMap[i >> 3] |= 1 << (i & 7);
    else {
      vOut[2 * nv] = vIn[j];
      vOut[2 * nv + 1] = vIn[j + 1];
      nv++;
    }
    if (!exact) continue;
    if (i === 0) {
      t[nt++] = time[0];
      continue;
    }
    const d = time[i] - time[i - 1];
    const back = time[i - 1] + d;
    // Equal as numbers, and not 0 against -0 (NaN fails the first test). Exact differences are never NaN or
    // -0, so === compares them bit for bit.
    if (back !== time[i] || (back === 0 && 1 / back !== 1 / time[i])) exact = false;
    else if (i > 1 && d === prevD) tMap[i >> 3] |= 1 << (i & 7);
    else t[nt++] = d;
    prevD = d;
  }
  const times = exact
    ? { name: 'equity.time', data: t.subarray(0, nt), codec: 'delta-same' as const, length: n }
    : sameOnly('equity.time', time);
  return [times, { name: 'equity.value', data: v.subarray(0, nv), codec: 'same', length: n }];
}

/** A column coded `same` alone (times whose differences do not give them back). */
function sameOnly(name: string, x: Float64Array): { name: string; data: Float64Array; codec: Codec; length: number } {
  const n = x.length;
  const mapSlots = Math.ceil(n / 64);
  const out = new Float64Array(mapSlots + n);
  const map = new Uint8Array(out.buffer, 0, mapSlots * 8);
  const a = new Uint32Array(x.buffer, x.byteOffset, n * 2);
  const o = new Uint32Array(out.buffer);
  let k = mapSlots;
  for (let i = 0; i < n; i++) {
    const j = 2 * i;
    if (i > 0 && a[j] === a[j - 2] && a[j + 1] === a[j - 1]) map[i >> 3] |= 1 << (i & 7);
    else {
      o[2 * k] = a[j];
      o[2 * k + 1] = a[j + 1];
      k++;
    }
  }
  return { name, data: out.subarray(0, k), codec: 'same', length: n };
}

/** Undoes {@link codedEquity}: `stored` holds the column's slots, `n` its points. */
function decoded(stored: Float64Array, n: number, codec: Codec | undefined, name: string): Float64Array {
  if (codec === undefined || codec === 'f64') return stored;
  if (codec !== 'same' && codec !== 'delta-same')
    throw new RunPayloadError(`run payload: column ${name}: unknown codec ${String(codec)}`);
  if (!LITTLE_ENDIAN)
    throw new RunPayloadError(`run payload: column ${name}: ${codec} is read on little-endian hosts only`);
  const mapSlots = Math.ceil(n / 64);
  const map = new Uint8Array(stored.buffer, stored.byteOffset, Math.min(mapSlots, stored.length) * 8);
  const s = new Uint32Array(stored.buffer, stored.byteOffset, stored.length * 2);
  const out = new Float64Array(n);
  const o = new Uint32Array(out.buffer);
  let k = mapSlots;
  for (let i = 0; i < n; i++) {
    const j = 2 * i;
    if (i > 0 && map[i >> 3] & (1 << (i & 7))) {
      o[j] = o[j - 2];
      o[j + 1] = o[j - 1];
    } else {
      if (k >= stored.length) throw new RunPayloadError(`run payload: column ${name}: fewer values than its bitmap`);
      o[j] = s[2 * k];
      o[j + 1] = s[2 * k + 1];
      k++;
    }
  }
  if (k !== stored.length) throw new RunPayloadError(`run payload: column ${name}: more values than its bitmap`);
  if (codec === 'delta-same') for (let i = 1; i < n; i++) out[i] = out[i - 1] + out[i];
  return out;
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
    const slots = version === 3 ? (c.slots ?? c.length) : c.length;
    const data = new Float64Array(slots);
    if (at + slots * 8 > body.length) throw new RunPayloadError(`run payload: column ${c.name} runs past the end`);
    if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(body.subarray(at, at + slots * 8));
    else for (let i = 0; i < slots; i++) data[i] = body.readDoubleLE(at + i * 8);
    cols.set(c.name, version === 3 ? decoded(data, c.length, c.codec, c.name) : data);
    at += slots * 8;
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
