import { gzipSync, inflateRawSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { Metrics } from '../backtest/types';
import { insertRun } from '../store/run-registry';
import { openStore, type Store } from '../store/sqlite-bar-store';
import type { SweepOutput } from './sweep';
import { decodeSweepPayload, encodeSweepPayload, SweepPayloadError } from './sweep-payload';
import { loadSweep, saveSweep } from './sweep-registry';
import type { SweepSpec } from './sweep-spec';

/** A sweep's output with what JSON loses or reorders: NaN, ±Infinity, undefined metrics, text and boolean params, curves. */
function output(n = 6, surfaceRows = 40): SweepOutput {
  const row = (i: number) => ({
    params: { fast: 5 + i, slow: 30, mode: i % 2 ? 'close' : 'open', long: i % 3 === 0 },
    metrics: {
      sharpe: i === 2 ? Number.NaN : 1.5 - i * 0.1,
      profitFactor: i === 1 ? Number.POSITIVE_INFINITY : 1.2,
      totalReturn: i * 0.013 - 0.02,
      exposure: i === 3 ? undefined : 0.5,
      trades: 10 + i,
    } as unknown as Metrics,
  });
  const results = Array.from({ length: n }, (_, i) =>
    i < 2
      ? {
          ...row(i),
          equity: { time: [1_600_000_000_000, 1_600_086_400_000], value: [10_000, i ? Number.NaN : 10_100] },
        }
      : row(i),
  );
  return {
    runs: n + 1,
    elapsedMs: 1234,
    workers: 2,
    objective: 'sharpe',
    best: results[0],
    results,
    failed: [{ params: { fast: 99, slow: 30, mode: 'open', long: false }, error: 'fast must be below slow' }],
    fingerprint: 'fp-1',
    kernel: null,
    surface: {
      keys: ['fast', 'mode'],
      params: [
        Array.from({ length: surfaceRows }, (_, i) => 5 + (i % 20)),
        Array.from({ length: surfaceRows }, (_, i) => (i % 2 ? 'close' : 'open')),
      ],
      objective: Array.from({ length: surfaceRows }, (_, i) => (i % 7 === 0 ? null : Math.sin(i))),
    },
    stability: { ratio: 0.8, neighbours: 4, mean: null },
  };
}

/** What the old payload gave back, and what `runs show --json` printed: the output's JSON, parsed. */
const viaJson = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

describe('sweep payload (versioned columns blob)', () => {
  it('reads back what the gzipped JSON gave, byte for byte once printed: NaN/Infinity as null, undefined dropped, key order kept', () => {
    const out = output();
    const blob = encodeSweepPayload(out);
    expect(blob.subarray(0, 4).toString('latin1')).toBe('QDSW');
    expect(blob.readUInt16LE(4)).toBe(2);
    const back = decodeSweepPayload(blob);
    expect(back.version).toBe(2);
    expect(JSON.stringify(back.output)).toBe(JSON.stringify(out));
    expect(back.output).toEqual(viaJson(out));
    expect(back.output.results[2].metrics.sharpe).toBeNull();
    expect('exposure' in back.output.results[3].metrics).toBe(false);
    expect(back.output.results[0].equity?.value).toEqual([10_000, 10_100]);
    expect(back.output.surface?.objective[0]).toBeNull();
  });

  it('stores the per-combination tables as float64 columns, not JSON text', () => {
    const out = output(50, 20_000);
    const blob = encodeSweepPayload(out);
    const old = gzipSync(Buffer.from(JSON.stringify(out)));
    // Numbers cross as 8-byte floats: the header holds no metric value of the table.
    const headLen = decodeHeaderLength(blob);
    expect(headLen).toBeLessThan(JSON.stringify({ ...out, results: [], surface: null }).length + 4000);
    expect(blob.length).toBeLessThan(old.length * 1.5);
    expect(JSON.stringify(decodeSweepPayload(blob).output)).toBe(JSON.stringify(out));
  });

  it('keeps rows of different shapes as JSON (nothing lost), and an empty sweep', () => {
    const out = output(3);
    const odd = { ...out, results: [out.results[2], { params: { slow: 30 }, metrics: { sharpe: 1 } }] } as SweepOutput;
    expect(JSON.stringify(decodeSweepPayload(encodeSweepPayload(odd)).output)).toBe(JSON.stringify(odd));
    const empty = { ...out, best: null, results: [], failed: [], surface: null, stability: null };
    expect(JSON.stringify(decodeSweepPayload(encodeSweepPayload(empty)).output)).toBe(JSON.stringify(empty));
  });

  it('names what is wrong with a corrupt or unknown payload', () => {
    const blob = encodeSweepPayload(output());
    expect(() => decodeSweepPayload(Buffer.from('nope, not a sweep'))).toThrow(SweepPayloadError);
    const future = Buffer.from(blob);
    future.writeUInt16LE(9, 4);
    expect(() => decodeSweepPayload(future)).toThrow(/version 9/);
    expect(() => decodeSweepPayload(blob.subarray(0, 20))).toThrow(SweepPayloadError);
    expect(() => decodeSweepPayload('not base64 gzip')).toThrow(/v1, gzipped JSON/);
  });

  it('the registry writes the blob and still reads a sweep stored as gzipped JSON text by an earlier build', () => {
    store = openStore(':memory:');
    const out = output();
    const spec = { base: { strategy: 'sma-cross' } } as unknown as SweepSpec;
    saveSweep(store, 'sw-new', spec, out, 1_700_000_000_000);
    // The old writer, verbatim: base64(gzip(JSON)).
    insertRun(
      store,
      {
        id: 'sw-old',
        kind: 'sweep',
        status: 'finished',
        spec: JSON.stringify(spec),
        engineVersion: 'old',
        dataFingerprint: out.fingerprint,
        metrics: null,
        summary: null,
        createdAt: 1_600_000_000_000,
        finishedAt: 1_600_000_001_000,
      },
      { params: '{}', metrics: '{}', payload: gzipSync(Buffer.from(JSON.stringify(out))).toString('base64') },
    );
    const fresh = loadSweep(store, 'sw-new');
    const old = loadSweep(store, 'sw-old');
    expect(JSON.stringify(fresh)).toBe(JSON.stringify(out));
    expect(old).toEqual(fresh);
    expect(loadSweep(store, 'sw-none')).toBeUndefined();
  });
});

/** The v2 header's byte length (inside the deflated body). */
function decodeHeaderLength(blob: Buffer): number {
  return inflateRawSync(blob.subarray(8)).readUInt32LE(0);
}
