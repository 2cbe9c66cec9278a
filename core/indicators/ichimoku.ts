import { assertPeriod, sameLength, type BarInput } from './types';
import { RollingExtremes } from './window';

/** Ichimoku columns, undisplaced: row t uses bars up to t only. */
export interface IchimokuColumns {
  readonly conversion: Float64Array;
  readonly base: Float64Array;
  readonly spanA: Float64Array;
  readonly spanB: Float64Array;
}

/** One Ichimoku row; a stream returns the same object each call. */
export interface IchimokuValue {
  conversion: number;
  base: number;
  spanA: number;
  spanB: number;
}

/** Streaming {@link ichimoku}; `step` is the core the batch form loops over. Returns a reused row object. */
export class IchimokuStream {
  readonly #conv: RollingExtremes;
  readonly #base: RollingExtremes;
  readonly #spanB: RollingExtremes;
  readonly #value: IchimokuValue = { conversion: Number.NaN, base: Number.NaN, spanA: Number.NaN, spanB: Number.NaN };
  constructor(conversion: number, base: number, spanB: number) {
    assertPeriod('ichimoku conversion', conversion, 1);
    assertPeriod('ichimoku base', base, 1);
    assertPeriod('ichimoku spanB', spanB, 1);
    this.#conv = new RollingExtremes(conversion);
    this.#base = new RollingExtremes(base);
    this.#spanB = new RollingExtremes(spanB);
  }
  /** Consumes one bar's high and low; returns the reused row (NaN fields during their warm-ups). */
  step(high: number, low: number): Readonly<IchimokuValue> {
    const r = this.#value;
    this.#conv.push(high, low);
    this.#base.push(high, low);
    this.#spanB.push(high, low);
    r.conversion = this.#conv.full ? (this.#conv.highest + this.#conv.lowest) / 2 : Number.NaN;
    r.base = this.#base.full ? (this.#base.highest + this.#base.lowest) / 2 : Number.NaN;
    r.spanA = (r.conversion + r.base) / 2;
    r.spanB = this.#spanB.full ? (this.#spanB.highest + this.#spanB.lowest) / 2 : Number.NaN;
    return r;
  }
  next(bar: BarInput): Readonly<IchimokuValue> {
    return this.step(bar.high, bar.low);
  }
}

/**
 * Ichimoku Kinko Hyo (not in TA-Lib; the standard definition), undisplaced so row t depends only on bars ≤ t:
 * conversion (tenkan) and base (kijun) are the midpoints of the highest high and lowest low over `conversion` and
 * `base` bars, spanA = (conversion + base) / 2, spanB = the midpoint over `spanB` bars. Plotting the spans
 * `base` bars ahead is the chart's business. First valid indices: conversion − 1, base − 1,
 * max(conversion, base) − 1, spanB − 1; NaN before.
 */
export function ichimoku(
  high: Float64Array,
  low: Float64Array,
  conversion: number,
  base: number,
  spanB: number,
): IchimokuColumns {
  const n = sameLength(high, low);
  const out = {
    conversion: new Float64Array(n),
    base: new Float64Array(n),
    spanA: new Float64Array(n),
    spanB: new Float64Array(n),
  };
  const s = new IchimokuStream(conversion, base, spanB);
  for (let i = 0; i < n; i++) {
    const r = s.step(high[i], low[i]);
    out.conversion[i] = r.conversion;
    out.base[i] = r.base;
    out.spanA[i] = r.spanA;
    out.spanB[i] = r.spanB;
  }
  return out;
}
