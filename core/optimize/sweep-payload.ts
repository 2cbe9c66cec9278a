/**
 * The stored form of a sweep's output (`run_results.payload` of a `kind = 'sweep'` run), versioned.
 *
 * - v1 (sweeps stored before this file): TEXT, base64 of gzip of the JSON of the {@link SweepOutput}.
 *   Still read: {@link decodeSweepPayload} switches on the stored type.
 * - v2: a BLOB. `QDSW` (4 bytes), version u16 LE (2), flags u16 LE (bit 0: the body is raw-deflated), then the
 *   body: header length u32 LE, the header as UTF-8 JSON (the output's small fields, the column list), zero
 *   padding to a multiple of 8, then each numeric column as little-endian float64s in the header's order.
 *   The per-combination tables are columns: the top results' parameters and metrics (one column per name),
 *   their equity curves, and the surface (every combination's parameters and objective).
 *
 * Decoding gives what v1 gave, value for value: the output as its JSON read back (NaN and ±Infinity as null,
 * keys whose value was undefined absent, key order kept), so `quantdesk runs show --json` prints the same bytes.
 * A table whose rows do not share one shape (never written by `runSweep`) is kept as JSON in the header.
 */
import { deflateRawSync, gunzipSync, inflateRawSync } from 'node:zlib';
import type { MetricsRecord } from '../backtest/types';
import type { SweepOutput, SweepRow, SweepSurface } from './sweep';

const MAGIC = 0x57534451; // 'QDSW' read as u32 LE
/** The version {@link encodeSweepPayload} writes. */
export const SWEEP_PAYLOAD_VERSION = 2;

/**
 * A column: float64 values in the body (`f64`; null/NaN/±Infinity read back as null), indexes in the body into
 * a dictionary of primitive values in the header (`dict`: text and boolean parameters), or JSON in the header.
 */
type ColumnRef =
  | { readonly name: string; readonly kind: 'f64'; readonly length: number; readonly undef?: readonly number[] }
  | {
      readonly name: string;
      readonly kind: 'dict';
      readonly length: number;
      readonly dict: readonly unknown[];
      readonly undef?: readonly number[];
    }
  | {
      readonly name: string;
      readonly kind: 'json';
      readonly values: readonly unknown[];
      readonly undef?: readonly number[];
    };

/** The top results as columns: parameter and metric columns by name, equity curves for the rows that have one. */
interface ResultsTable {
  readonly n: number;
  /** Row key order: with or without `equity` (rows without it have no curve). */
  readonly params: readonly ColumnRef[];
  readonly metrics: readonly ColumnRef[];
  readonly equity: readonly { readonly row: number; readonly time: ColumnRef; readonly value: ColumnRef }[];
}

interface HeaderV2 {
  /** The output's keys in their order (rebuilt in it, so printed JSON keeps its bytes). */
  readonly order: readonly string[];
  /** Every field but `results` and `surface`, as JSON. */
  readonly rest: Record<string, unknown>;
  readonly results: { readonly table: ResultsTable } | { readonly json: unknown } | null;
  readonly surface:
    | { readonly keys: readonly string[]; readonly params: readonly ColumnRef[]; readonly objective: ColumnRef }
    | { readonly json: unknown }
    | null;
  /** The float64 columns in body order. */
  readonly columns: readonly { readonly name: string; readonly length: number }[];
}

/** Thrown for a payload that is neither format (a corrupt row): names what is wrong. */
export class SweepPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepPayloadError';
  }
}

/** A decoded sweep payload and the stored format's version (1: gzipped JSON text, 2: columns blob). */
export interface DecodedSweep {
  readonly output: SweepOutput<MetricsRecord>;
  readonly version: number;
}

class ColumnWriter {
  readonly f64: { name: string; data: Float64Array }[] = [];

  /**
   * A column of `values`: float64 when every value is a number, null or undefined; dictionary indexes when they
   * are primitives (text, booleans); else JSON in the header.
   */
  column(name: string, values: readonly unknown[]): ColumnRef {
    const undef: number[] = [];
    let numeric = true;
    let primitive = true;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === undefined) undef.push(i);
      else if (v !== null && typeof v !== 'number') {
        numeric = false;
        if (typeof v !== 'string' && typeof v !== 'boolean') primitive = false;
      }
    }
    const extra = undef.length > 0 ? { undef } : {};
    if (!numeric && primitive) {
      const seen = new Map<string, number>();
      const dict: unknown[] = [];
      const data = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i] ?? null;
        const key = `${typeof v}:${String(v)}`;
        let at = seen.get(key);
        if (at === undefined) {
          seen.set(key, (at = dict.length));
          dict.push(v);
        }
        data[i] = at;
      }
      this.f64.push({ name, data });
      return { name, kind: 'dict', length: data.length, dict, ...extra };
    }
    if (!numeric) return { name, kind: 'json', values: values.map((v) => (v === undefined ? null : v)), ...extra };
    const data = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      data[i] = typeof v === 'number' ? v : Number.NaN;
    }
    this.f64.push({ name, data });
    return { name, kind: 'f64', length: data.length, ...extra };
  }
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** The rows as columns, or null when they do not share one shape. */
function resultsTable(rows: readonly SweepRow<MetricsRecord>[], w: ColumnWriter): ResultsTable | null {
  if (rows.length === 0) return { n: 0, params: [], metrics: [], equity: [] };
  const first = rows[0];
  if (!isPlainObject(first.params) || !isPlainObject(first.metrics)) return null;
  const pKeys = Object.keys(first.params);
  const mKeys = Object.keys(first.metrics);
  const curves: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as unknown as Record<string, unknown>;
    const keys = Object.keys(r);
    const withCurve = sameKeys(keys, ['params', 'metrics', 'equity']);
    if (!withCurve && !sameKeys(keys, ['params', 'metrics'])) return null;
    if (!isPlainObject(r.params) || !sameKeys(Object.keys(r.params), pKeys)) return null;
    if (!isPlainObject(r.metrics) || !sameKeys(Object.keys(r.metrics), mKeys)) return null;
    if (withCurve) {
      const e = r.equity;
      if (!isPlainObject(e) || !sameKeys(Object.keys(e), ['time', 'value'])) return null;
      if (!Array.isArray(e.time) || !Array.isArray(e.value)) return null;
      curves.push(i);
    }
  }
  const col = (name: string, get: (r: SweepRow<MetricsRecord>) => unknown) => w.column(name, rows.map(get));
  return {
    n: rows.length,
    params: pKeys.map((k) => col(`results.params.${k}`, (r) => r.params[k])),
    metrics: mKeys.map((k) => col(`results.metrics.${k}`, (r) => r.metrics[k])),
    equity: curves.map((row) => {
      const e = rows[row].equity!;
      return {
        row,
        time: w.column(`results.equity.${row}.time`, e.time),
        value: w.column(`results.equity.${row}.value`, e.value),
      };
    }),
  };
}

/** Encodes a sweep's output (v2). */
export function encodeSweepPayload(out: SweepOutput<MetricsRecord>): Buffer {
  const w = new ColumnWriter();
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(out)) if (k !== 'results' && k !== 'surface') rest[k] = v;
  const table = Array.isArray(out.results) ? resultsTable(out.results, w) : null;
  const s = out.surface;
  const surface: HeaderV2['surface'] = !s
    ? null
    : sameKeys(Object.keys(s), ['keys', 'params', 'objective']) &&
        s.params.length === s.keys.length &&
        s.params.every((p) => p.length === s.objective.length)
      ? {
          keys: s.keys,
          params: s.params.map((p, k) => w.column(`surface.params.${k}`, p)),
          objective: w.column('surface.objective', s.objective),
        }
      : { json: s };
  const header: HeaderV2 = {
    order: Object.keys(out),
    rest,
    results: table ? { table } : out.results === undefined ? null : { json: out.results },
    surface,
    columns: w.f64.map((c) => ({ name: c.name, length: c.data.length })),
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(4 + head.length);
  const size = w.f64.reduce((n, c) => n + c.data.length * 8, start);
  const body = Buffer.alloc(size);
  body.writeUInt32LE(head.length, 0);
  head.copy(body, 4);
  let at = start;
  for (const c of w.f64) {
    if (LITTLE_ENDIAN) body.set(new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength), at);
    else for (let i = 0; i < c.data.length; i++) body.writeDoubleLE(c.data[i], at + i * 8);
    at += c.data.byteLength;
  }
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(MAGIC, 0);
  prefix.writeUInt16LE(SWEEP_PAYLOAD_VERSION, 4);
  prefix.writeUInt16LE(1, 6);
  // Written once per sweep, after minutes of runs: level 1 deflate is a few ms and halves a surface's grid columns.
  return Buffer.concat([prefix, deflateRawSync(body, { level: 1 })]);
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Decodes a stored sweep payload of either version into the output as v1 read it back. */
export function decodeSweepPayload(raw: string | Uint8Array): DecodedSweep {
  if (typeof raw === 'string') {
    try {
      const output = JSON.parse(gunzipSync(Buffer.from(raw, 'base64')).toString('utf8')) as SweepOutput<MetricsRecord>;
      return { output, version: 1 };
    } catch (e) {
      throw new SweepPayloadError(`sweep payload (v1, gzipped JSON): ${(e as Error).message}`);
    }
  }
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) throw new SweepPayloadError('sweep payload: not a QDSW blob');
  const version = buf.readUInt16LE(4);
  if (version !== 2)
    throw new SweepPayloadError(
      `sweep payload: version ${version} is not one this build reads (1, ${SWEEP_PAYLOAD_VERSION})`,
    );
  let body: Buffer;
  try {
    body = buf.readUInt16LE(6) & 1 ? inflateRawSync(buf.subarray(8)) : buf.subarray(8);
  } catch (e) {
    throw new SweepPayloadError(`sweep payload: ${(e as Error).message}`);
  }
  if (body.length < 4) throw new SweepPayloadError('sweep payload: truncated header');
  const headLen = body.readUInt32LE(0);
  if (4 + headLen > body.length) throw new SweepPayloadError('sweep payload: header runs past the end');
  const header = JSON.parse(body.toString('utf8', 4, 4 + headLen)) as HeaderV2;
  let at = align8(4 + headLen);
  const f64 = new Map<string, Float64Array>();
  for (const c of header.columns) {
    if (at + c.length * 8 > body.length)
      throw new SweepPayloadError(`sweep payload: column ${c.name} runs past the end`);
    const data = new Float64Array(c.length);
    if (LITTLE_ENDIAN) new Uint8Array(data.buffer).set(body.subarray(at, at + c.length * 8));
    else for (let i = 0; i < c.length; i++) data[i] = body.readDoubleLE(at + i * 8);
    f64.set(c.name, data);
    at += c.length * 8;
  }
  /** A column's values as JSON read them back: non-finite numbers null, undefined ones as `undefined` (dropped from objects). */
  const values = (ref: ColumnRef): unknown[] => {
    let out: unknown[];
    if (ref.kind === 'json') out = ref.values.slice();
    else {
      const data = f64.get(ref.name);
      if (!data) throw new SweepPayloadError(`sweep payload: no column ${ref.name}`);
      out = new Array<unknown>(data.length);
      if (ref.kind === 'dict')
        for (let i = 0; i < data.length; i++) {
          if (!(data[i] >= 0 && data[i] < ref.dict.length))
            throw new SweepPayloadError(`sweep payload: column ${ref.name} row ${i}: no dictionary entry ${data[i]}`);
          out[i] = ref.dict[data[i]];
        }
      else for (let i = 0; i < data.length; i++) out[i] = Number.isFinite(data[i]) ? data[i] : null;
    }
    for (const i of ref.undef ?? []) out[i] = undefined;
    return out;
  };
  const output: { -readonly [K in keyof SweepOutput<MetricsRecord>]?: SweepOutput<MetricsRecord>[K] } = {};
  for (const k of header.order) {
    if (k === 'results') {
      const r = header.results;
      if (r && 'table' in r) output.results = rowsOf(r.table, values);
      else if (r) output.results = r.json as SweepRow<MetricsRecord>[];
    } else if (k === 'surface') {
      const s = header.surface;
      if (s && 'json' in s) output.surface = s.json as SweepSurface;
      else if (s) {
        const surface: SweepSurface = {
          keys: s.keys,
          params: s.params.map((p) => values(p) as (number | string | boolean)[]),
          objective: values(s.objective) as (number | null)[],
        };
        output.surface = surface;
      } else output.surface = null;
    } else if (k in header.rest) (output as Record<string, unknown>)[k] = header.rest[k];
  }
  return { output: output as SweepOutput<MetricsRecord>, version };
}

function rowsOf(t: ResultsTable, values: (ref: ColumnRef) => unknown[]): SweepRow<MetricsRecord>[] {
  const params = t.params.map((c) => [c.name.slice('results.params.'.length), values(c)] as const);
  const metrics = t.metrics.map((c) => [c.name.slice('results.metrics.'.length), values(c)] as const);
  const rows: SweepRow<MetricsRecord>[] = new Array(t.n);
  for (let i = 0; i < t.n; i++) {
    const p: Record<string, unknown> = {};
    for (const [k, v] of params) if (v[i] !== undefined) p[k] = v[i];
    const m: Record<string, unknown> = {};
    for (const [k, v] of metrics) if (v[i] !== undefined) m[k] = v[i];
    rows[i] = { params: p, metrics: m } as SweepRow<MetricsRecord>;
  }
  for (const e of t.equity) {
    const row = rows[e.row] as { equity?: unknown };
    row.equity = { time: values(e.time), value: values(e.value) };
  }
  return rows;
}
