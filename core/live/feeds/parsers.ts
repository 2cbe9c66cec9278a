import type { LiveBar, Tick } from '../types';

/** What a parser produces from one message, or the reason it is malformed (`field: problem`). */
export interface Parsed {
  readonly ticks: Tick[];
  readonly bars: LiveBar[];
  readonly errors: string[];
}

/** Turns one decoded JSON message into ticks and bars. */
export type MessageParser = (msg: unknown) => Parsed;

const UNIT: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses an interval like `1m`, `5m`, `1h`, `1d` (or a number of ms); NaN if unknown. */
export function intervalMs(v: unknown): number {
  if (typeof v === 'number') return v > 0 ? v : Number.NaN;
  const m = typeof v === 'string' ? /^(\d+)([smhdw])$/.exec(v) : null;
  return m ? Number(m[1]) * UNIT[m[2]] : Number.NaN;
}

function num(o: Record<string, unknown>, field: string, errors: string[], where: string): number {
  const v = o[field];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) errors.push(`${where}field "${field}": expected a number, got ${JSON.stringify(v)}`);
  return n;
}

function time(o: Record<string, unknown>, field: string, errors: string[], where: string): number {
  const v = o[field];
  const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(t))
    errors.push(`${where}field "${field}": expected EpochMs or an ISO time, got ${JSON.stringify(v)}`);
  return t;
}

function str(o: Record<string, unknown>, field: string, errors: string[], where: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v === '') errors.push(`${where}field "${field}": expected a non-empty string`);
  return String(v);
}

/**
 * The generic JSON feed format: each message is one object or an array of them,
 * `{"type":"trade","symbol":"AAA","time":1704153600000,"price":101.5,"size":10,"seq":42}` (`size` and
 * `seq` optional; `time` EpochMs or ISO-8601) or
 * `{"type":"bar","symbol":"AAA","time":...,"open":..,"high":..,"low":..,"close":..,"volume":..,"interval":"1m"}`
 * (a closed bar; `interval` default `1m`). Other `type`s (heartbeats) are ignored.
 */
export function parseGeneric(msg: unknown): Parsed {
  const out: Parsed = { ticks: [], bars: [], errors: [] };
  const items = Array.isArray(msg) ? msg : [msg];
  items.forEach((it, i) => {
    const where = items.length > 1 ? `item ${i}: ` : '';
    if (typeof it !== 'object' || it === null) return void out.errors.push(`${where}expected an object`);
    const o = it as Record<string, unknown>;
    const errs: string[] = [];
    if (o.type === 'trade') {
      const t: Tick = {
        symbol: str(o, 'symbol', errs, where),
        time: time(o, 'time', errs, where),
        price: num(o, 'price', errs, where),
        size: o.size === undefined ? 0 : num(o, 'size', errs, where),
        ...(o.seq === undefined ? {} : { seq: num(o, 'seq', errs, where) }),
      };
      if (errs.length === 0) out.ticks.push(t);
    } else if (o.type === 'bar') {
      const iv = o.interval === undefined ? 60_000 : intervalMs(o.interval);
      if (!(iv > 0)) errs.push(`${where}field "interval": expected like "1m", "1h", "1d" or ms`);
      const b: LiveBar = {
        symbol: str(o, 'symbol', errs, where),
        intervalMs: iv,
        time: time(o, 'time', errs, where),
        open: num(o, 'open', errs, where),
        high: num(o, 'high', errs, where),
        low: num(o, 'low', errs, where),
        close: num(o, 'close', errs, where),
        volume: o.volume === undefined ? 0 : num(o, 'volume', errs, where),
      };
      if (errs.length === 0) out.bars.push(b);
    }
    out.errors.push(...errs);
  });
  return out;
}

/**
 * The Binance public market-data stream: raw (`/ws/<stream>`) or combined (`{"stream":..,"data":..}`)
 * messages. `trade` events (`s` symbol, `t` trade id, `p` price, `q` quantity, `T` trade time, strings
 * for decimals) become ticks with `seq` = trade id; `kline` events become bars only when closed
 * (`k.x` true), from `k.t` (open time), `k.i`, `k.o/h/l/c/v`. Other events are ignored.
 */
export function parseBinance(msg: unknown): Parsed {
  const out: Parsed = { ticks: [], bars: [], errors: [] };
  let m = msg as Record<string, unknown> | null;
  if (m && typeof m === 'object' && 'data' in m && 'stream' in m) m = m.data as Record<string, unknown>;
  if (!m || typeof m !== 'object') return out;
  if (m.e === 'trade') {
    const errs: string[] = [];
    const t: Tick = {
      symbol: str(m, 's', errs, ''),
      seq: num(m, 't', errs, ''),
      price: num(m, 'p', errs, ''),
      size: num(m, 'q', errs, ''),
      time: num(m, 'T', errs, ''),
    };
    if (errs.length === 0) out.ticks.push(t);
    out.errors.push(...errs);
  } else if (m.e === 'kline') {
    const k = m.k as Record<string, unknown> | undefined;
    if (!k || typeof k !== 'object') return (void out.errors.push('field "k": expected the kline object'), out);
    if (k.x !== true) return out;
    const errs: string[] = [];
    const iv = intervalMs(k.i);
    if (!(iv > 0)) errs.push(`field "k.i": unknown interval ${JSON.stringify(k.i)}`);
    const b: LiveBar = {
      symbol: str(k, 's', errs, 'k.'),
      intervalMs: iv,
      time: num(k, 't', errs, 'k.'),
      open: num(k, 'o', errs, 'k.'),
      high: num(k, 'h', errs, 'k.'),
      low: num(k, 'l', errs, 'k.'),
      close: num(k, 'c', errs, 'k.'),
      volume: num(k, 'v', errs, 'k.'),
    };
    if (errs.length === 0) out.bars.push(b);
    out.errors.push(...errs);
  }
  return out;
}

/** The combined-stream URL for `symbols`' trade streams (and closed klines of `kline` interval if given). */
export function binanceUrl(symbols: readonly string[], kline?: string, base = 'wss://stream.binance.com:9443'): string {
  const streams = symbols.flatMap((s) => [
    `${s.toLowerCase()}@trade`,
    ...(kline ? [`${s.toLowerCase()}@kline_${kline}`] : []),
  ]);
  return `${base}/stream?streams=${streams.join('/')}`;
}
