import { describe, expect, it } from 'vitest';
import type { Panel } from '../data/panel-types';
import { decodePanel, encodePanel } from './panel-codec';

function panel(): Panel {
  const nInst = 3;
  const nDays = 5;
  const col = (seed: number) =>
    Float64Array.from({ length: nInst * nDays }, (_, i) => (i % 4 === 3 ? Number.NaN : seed + i * 0.25));
  return {
    symbols: ['AAA', 'BBB', 'ÇÇÇ'],
    sectors: ['Tech', '', 'Energy'],
    time: Float64Array.from({ length: nDays }, (_, i) => 1_600_000_000_000 + i * 86_400_000),
    nInst,
    nDays,
    open: col(1),
    high: col(2),
    low: col(0.5),
    close: col(1.5),
    volume: col(1000),
    listedOn: Float64Array.of(1, Number.NaN, 3),
    delistedOn: Float64Array.of(Number.NaN, 2, Number.NaN),
    adjustment: { asOf: 1_700_000_000_000 },
    fingerprint: 'fp-123',
  };
}

describe('panel codec', () => {
  it('carries the traded prices and the corporate actions, so cluster workers fill at traded prices and apply splits and dividends', () => {
    const raw = {
      open: panel().open.map((x) => x / 2),
      high: panel().high.map((x) => x / 2),
      low: panel().low.map((x) => x / 2),
      close: panel().close.map((x) => x / 2),
    };
    const actions = {
      inst: Int32Array.of(0, 2),
      bar: Int32Array.of(1, 3),
      kind: Uint8Array.of(0, 1),
      value: Float64Array.of(2, 0.5),
    };
    const p: Panel = { ...panel(), priceFactor: new Float64Array(15).fill(2), raw, actions };
    const q = decodePanel(encodePanel(p));
    expect(Array.from(q.raw!.open)).toEqual(Array.from(raw.open));
    expect(Array.from(q.raw!.close)).toEqual(Array.from(raw.close));
    expect(q.actions).toEqual(actions);
    expect('actions' in decodePanel(encodePanel(panel()))).toBe(false);
  });

  it('carries the price factor when the panel has one, so cluster workers value fundamentals at traded prices', () => {
    const p = { ...panel(), priceFactor: Float64Array.from({ length: 15 }, (_, i) => (i < 7 ? 2 : 1)) };
    const q = decodePanel(encodePanel(p));
    expect(Array.from(q.priceFactor!)).toEqual(Array.from(p.priceFactor));
    expect(Array.from(q.close)).toEqual(Array.from(p.close));
    expect(decodePanel(encodePanel(panel())).priceFactor).toBeUndefined();
    expect('hasPriceFactor' in q).toBe(false);
  });

  it('round-trips every column bit for bit (NaN included) and the header', () => {
    const p = panel();
    const buf = encodePanel(p);
    // A Buffer at an odd offset, as a Redis client may hand back.
    const shifted = Buffer.alloc(buf.length + 1);
    buf.copy(shifted, 1);
    const q = decodePanel(shifted.subarray(1));
    expect(q.symbols).toEqual(p.symbols);
    expect(q.sectors).toEqual(p.sectors);
    expect(q.adjustment).toEqual(p.adjustment);
    expect(q.fingerprint).toBe('fp-123');
    for (const k of ['time', 'open', 'high', 'low', 'close', 'volume', 'listedOn', 'delistedOn'] as const) {
      expect(Array.from(q[k])).toEqual(Array.from(p[k]));
    }
  });

  it('rejects a foreign or truncated blob', () => {
    expect(() => decodePanel(Buffer.from('hello world'))).toThrow(/bad magic/);
    const buf = encodePanel(panel());
    expect(() => decodePanel(buf.subarray(0, buf.length - 8))).toThrow(/expected/);
  });
});
