import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { formatTime } from '../model/time';
import { getRunPayloadRaw, insertRun } from '../store/run-registry';
import { openStore } from '../store/sqlite-bar-store';
import { fastFormatTime, outputJson, outputJsonBytes, toColumns, toOutput } from './json';
import { getRun, getRunColumns, saveBacktestRun } from './registry';
import { decodeRunPayload, DEFLATE_BELOW, encodeRunPayload, RUN_PAYLOAD_VERSION, RunPayloadError } from './run-payload';
import { parseSpec } from './spec';
import type { BacktestResult, Trade } from './types';

const MIN = 60_000;

/** An engine-shaped result: `n` bars `step` ms apart, NaN equity at the start, trades of every kind. */
function result(n: number, step: number, t0 = Date.UTC(2024, 0, 2, 14, 30)): BacktestResult {
  const parsed = parseSpec({ strategy: 'sma-cross', symbols: ['A', 'B'], benchmark: 'IDX' });
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const time = Float64Array.from({ length: n }, (_, i) => t0 + i * step);
  const value = Float64Array.from({ length: n }, (_, i) => (i < 2 ? Number.NaN : 1000 + Math.sin(i) * 37.125 + i / 3));
  const trade = (i: number, extra: Partial<Trade>): Trade => ({
    symbol: i % 2 ? 'B' : 'A',
    side: 'long',
    qty: 3 + i,
    entryTime: time[i],
    entryPrice: 10.1 + i,
    exitTime: time[i + 1],
    exitPrice: 11.3,
    pnl: 1 / 3,
    commission: 0.25,
    returnPct: -0.015,
    ambiguous: false,
    exitReason: 'signal',
    entryBar: i,
    exitBar: i + 1,
    ...extra,
  });
  return {
    spec: parsed.spec,
    metrics: {
      finalEquity: value[n - 1],
      totalReturn: 0.1,
      cagr: null,
      volatility: 0.2,
      sharpe: -0.5,
      sortino: null,
      calmar: null,
      maxDrawdown: -0.3,
      maxDrawdownDuration: 4,
      var95: null,
      cvar95: null,
      winRate: 0.5,
      profitFactor: null,
      trades: 3,
      exposure: 0.4,
      turnover: 2,
      alpha: null,
      beta: null,
      informationRatio: null,
    },
    trades: [
      trade(0, {}),
      trade(1, { side: 'short', ambiguous: true, exitReason: 'stop-loss' }),
      trade(2, { splitRatio: 2, exitReason: 'take-profit' }),
    ],
    openPositions: [
      {
        symbol: 'A',
        side: 'short',
        qty: 2,
        entryTime: time[n - 2],
        entryPrice: 9.5,
        entryBar: n - 2,
        lastPrice: 9.75,
        unrealizedPnl: -0.5,
        commission: 0.1,
      },
    ],
    equity: { time, value },
    fingerprint: 'fp',
    audit: [{ date: time[1], latestKnownAt: time[0], factsRead: 7 }],
  };
}

/** The bits of each float64 (NaN payloads and -0 included), to compare columns bit for bit. */
function bits(x: Float64Array): bigint[] {
  return [...new BigUint64Array(x.buffer, x.byteOffset, x.length)];
}

describe('run payload v3 (coded, deflated columns)', () => {
  it('round-trips columns bit for bit and prints the same JSON; a regular minute run shrinks', () => {
    for (const [n, step] of [
      [0, MIN],
      [1, MIN],
      [50, MIN],
      [100_000, MIN],
      [300, 86_400_000],
    ] as const) {
      // The fixture's trades and position need 4 bars, and its final equity (a metric, stored as JSON) 3.
      const full = result(n, step);
      const r = n < 4 ? { ...full, trades: [], openPositions: [], metrics: { ...full.metrics, finalEquity: 0 } } : full;
      const cols = toColumns(r, 'bt-x');
      const blob = encodeRunPayload(cols, r.audit);
      expect(blob.readUInt16LE(4)).toBe(RUN_PAYLOAD_VERSION);
      expect(blob.readUInt16LE(6) & 1).toBe(0);
      const back = decodeRunPayload(blob);
      expect(back.version).toBe(3);
      expect(back.audit).toEqual(r.audit);
      expect(back.result).toEqual(cols);
      expect(bits(back.result.equity.time)).toEqual(bits(r.equity.time));
      expect(bits(back.result.equity.value)).toEqual(bits(r.equity.value));
      expect(outputJson(back.result)).toBe(JSON.stringify(toOutput(r, 'bt-x')));
      // v2 stored 16 bytes a point; regular times all but vanish (this fixture's values never repeat).
      if (n === 100_000) expect(blob.length).toBeLessThan(n * 8 * 1.05 + 1_000);
    }
    expect(RUN_PAYLOAD_VERSION).toBe(3);
  });

  it('keeps irregular times and odd values exactly: gaps, fractional ms, NaN, -0, huge steps, repeats', () => {
    const r = result(40, MIN);
    const time = r.equity.time;
    time[5] += 0.25; // fractional ms
    time[9] = time[8] + 3 * 86_400_000; // a weekend
    time[12] = time[11]; // a repeated time
    const value = r.equity.value;
    value[6] = -0;
    value[7] = 0;
    value[8] = value[7];
    value[10] = Number.POSITIVE_INFINITY;
    value[11] = 5e-324;
    value[12] = -1.7976931348623157e308;
    value[13] = Number.NaN;
    for (const t of [
      time,
      // Times whose deltas do not give them back (NaN, -0, magnitudes near 2^53 apart): coded as bits instead.
      Float64Array.from(time, (x, i) => (i === 3 ? Number.NaN : x)),
      Float64Array.from(time, (x, i) => (i === 0 ? -0 : x)),
      Float64Array.from(time, (x, i) => (i % 2 ? 8.64e15 : -8.64e15 + i * 0.5)),
    ]) {
      const cols = toColumns({ ...r, equity: { time: t, value } }, 'bt-odd');
      const back = decodeRunPayload(encodeRunPayload(cols, r.audit));
      expect(bits(back.result.equity.time)).toEqual(bits(t));
      expect(bits(back.result.equity.value)).toEqual(bits(value));
    }
  });

  it('refuses a column with an unknown code or a bitmap that does not match its values', () => {
    const blob = encodeRunPayload(toColumns(result(10, MIN), 'x'), []);
    const text = blob.toString('latin1');
    const unknown = Buffer.from(text.replace('"codec":"same"', '"codec":"zzzz"'), 'latin1');
    expect(() => decodeRunPayload(unknown)).toThrow(/unknown codec zzzz/);
    // Point 5's value marked as a repeat: the column then holds one value more than its bitmap reads.
    const headLen = blob.readUInt32LE(8);
    const header = JSON.parse(blob.toString('utf8', 12, 12 + headLen)) as {
      columns: { name: string; length: number; slots?: number }[];
    };
    expect(header.columns.slice(0, 2).map((c) => c.name)).toEqual(['equity.time', 'equity.value']);
    const valueStart = 8 + align8(4 + headLen) + 8 * (header.columns[0].slots ?? header.columns[0].length);
    const bad = Buffer.from(blob);
    bad[valueStart] |= 1 << 5;
    expect(() => decodeRunPayload(bad)).toThrow(/more values than its bitmap/);
  });

  it('a run whose values repeat stores each repeat as one bit', () => {
    const r = result(100_000, MIN);
    const v = r.equity.value;
    for (let i = 3; i < v.length; i += 2) v[i] = v[i - 1];
    const cols = toColumns(r, 'bt-rep');
    const blob = encodeRunPayload(cols, r.audit);
    // v2: 16 bytes a point. Here: half the values, the times' one step, two bitmaps.
    expect(blob.length).toBeLessThan(100_000 * 16 * 0.3);
    expect(bits(decodeRunPayload(blob).result.equity.value)).toEqual(bits(v));
  });
});

function align8(n: number): number {
  return (n + 7) & ~7;
}

describe('run payload v2 (typed columns), still read', () => {
  it('round-trips columns exactly: NaN equity, intraday times, trade sides, flags, split ratios, dictionaries', () => {
    for (const [n, step] of [
      [50, MIN],
      [20_000, MIN],
    ] as const) {
      const r = result(n, step);
      const cols = toColumns(r, 'bt-x');
      const blob = encodeRunPayload(cols, r.audit, 2);
      expect(blob.subarray(0, 4).toString('latin1')).toBe('QDRP');
      // Small bodies are deflated, large ones stored as they are (flag bit 0).
      expect(blob.readUInt16LE(6) & 1).toBe(n * 8 * 2 < DEFLATE_BELOW ? 1 : 0);
      const back = decodeRunPayload(blob);
      expect(back.version).toBe(2);
      expect(back.audit).toEqual(r.audit);
      expect(back.result).toEqual(cols);
      expect(Number.isNaN(back.result.equity.value[0])).toBe(true);
      expect(Number.isNaN(back.result.equity.drawdown[0])).toBe(true);
      // The printed JSON of the stored run equals the printed JSON of the run.
      expect(outputJson(back.result)).toBe(JSON.stringify(toOutput(r, 'bt-x')));
    }
  });

  it('stores a run as a blob and reads it back as columns (runs:get) and as printed (runs show)', () => {
    const store = openStore(':memory:');
    const r = result(300, 86_400_000, Date.UTC(2020, 0, 1));
    saveBacktestRun(store, {
      result: toColumns(r, 'bt-new'),
      fingerprint: 'fp',
      audit: r.audit,
      createdAt: 1,
      finishedAt: 2,
    });
    expect(Buffer.isBuffer(getRunPayloadRaw(store, 'bt-new'))).toBe(true);
    expect(getRun(store, 'bt-new')?.result).toEqual(toOutput(r, 'bt-new'));
    const cols = getRunColumns(store, 'bt-new')?.result;
    expect(cols?.equity.time).toEqual(r.equity.time);
    expect(cols?.trades[2]).toMatchObject({ entryTime: r.trades[2].entryTime, splitRatio: 2 });
    store.close();
  });

  it('still reads a run stored in the old format (base64 of gzipped JSON text)', () => {
    const store = openStore(':memory:');
    for (const [id, step] of [
      ['bt-old-daily', 86_400_000],
      ['bt-old-minute', MIN],
    ] as const) {
      const r = result(120, step, Date.UTC(2019, 5, 3));
      const output = toOutput(r, id);
      // Exactly what saveBacktestRun wrote before the blob format.
      const payload = gzipSync(Buffer.from(JSON.stringify({ result: output, audit: r.audit }))).toString('base64');
      insertRun(
        store,
        {
          id,
          kind: 'backtest',
          status: 'finished',
          spec: JSON.stringify(output.spec),
          engineVersion: 'old',
          dataFingerprint: 'fp',
          metrics: JSON.stringify(output.metrics),
          summary: null,
          createdAt: 1,
          finishedAt: 2,
        },
        { params: '{}', metrics: JSON.stringify(output.metrics), payload },
      );
      expect(typeof getRunPayloadRaw(store, id)).toBe('string');
      expect(decodeRunPayload(payload).version).toBe(1);
      // Printed as before, byte for byte.
      expect(JSON.stringify(getRun(store, id)?.result)).toBe(JSON.stringify(output));
      const cols = getRunColumns(store, id)?.result;
      expect(cols?.equity.time).toEqual(r.equity.time);
      expect(Number.isNaN(cols?.equity.value[0])).toBe(true);
      expect(cols?.equity.value.subarray(2)).toEqual(r.equity.value.subarray(2));
      expect(cols?.trades.map((t) => [t.entryTime, t.exitTime])).toEqual(
        r.trades.map((t) => [t.entryTime, t.exitTime]),
      );
      expect(cols?.openPositions[0].entryTime).toBe(r.openPositions[0].entryTime);
      expect(getRunColumns(store, id)?.audit).toEqual(r.audit);
    }
    store.close();
  });

  it('refuses a corrupt or newer payload with a clear error', () => {
    expect(() => decodeRunPayload(Buffer.from('nonsense'))).toThrow(RunPayloadError);
    const blob = encodeRunPayload(toColumns(result(10, MIN), 'x'), []);
    blob.writeUInt16LE(9, 4);
    expect(() => decodeRunPayload(blob)).toThrow(/version 9/);
    expect(() => decodeRunPayload('not base64 gzip')).toThrow(/v1/);
  });
});

describe('printed JSON from columns', () => {
  it('formats intraday instants exactly as toISOString', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rnd() * Date.UTC(2200, 0, 1));
      expect(fastFormatTime(t)).toBe(formatTime(t));
    }
    for (const t of [
      Date.UTC(1970, 0, 1, 0, 0, 0, 1),
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(1969, 11, 31, 23, 59),
      Date.UTC(999, 0, 1, 1),
    ])
      expect(fastFormatTime(t)).toBe(formatTime(t));
  });

  it('equals JSON.stringify of the printed object, daily and intraday, NaN as null', () => {
    for (const step of [86_400_000, MIN, 1000])
      // The curve is serialised in chunks of 1,024 points: one point short of a chunk, exactly one, one over, several.
      for (const n of [500, 1023, 1024, 1025, 3000]) {
        const r = result(n, step, step === 86_400_000 ? Date.UTC(2001, 0, 1) : undefined);
        expect(outputJson(toColumns(r, 'bt-"q"'))).toBe(JSON.stringify(toOutput(r, 'bt-"q"')));
      }
  });

  it('prints the same bytes as the text, with flat stretches, odd times and non-ASCII in the spec', () => {
    const r = result(400, MIN);
    const time = r.equity.time;
    const value = r.equity.value;
    // Flat stretches (a value equal to the one before is copied, not formatted again), a NaN between equal values.
    for (let i = 50; i < 120; i++) value[i] = 1234.5678;
    value[121] = Number.NaN;
    value[122] = 1234.5678;
    value[123] = -0.1 - 0.2;
    value[124] = -0.1 - 0.2;
    value[125] = 1e21;
    value[126] = 5e-324;
    // Times off the fast path: before 1970, past 9999-12-31, a fraction of a millisecond, a long run of each.
    time[200] = Date.UTC(1969, 11, 31, 23, 59);
    time[201] = Date.UTC(12_000, 0, 1);
    time[202] = Date.UTC(2024, 0, 2) + 0.5;
    for (let i = 203; i < 400; i++) time[i] = Date.UTC(120_000, 0, 1) + i * MIN;
    const spec = { ...r.spec, symbols: ['Å', '株式'], strategy: './strategies/møm.ts' };
    const odd = { ...r, spec };
    const want = JSON.stringify(toOutput(odd, 'bt-ü')) + '\n';
    const got = outputJsonBytes(toColumns(odd, 'bt-ü'), '\n');
    expect(got.equals(Buffer.from(want, 'utf8'))).toBe(true);
    expect(outputJson(toColumns(odd, 'bt-ü'))).toBe(want.slice(0, -1));
  });
});
