import type { Panel } from '../data/panel-types';
import { allocBarColumns, type BarColumns } from '../model/bars';
import { DAY_MS } from '../model/time';

/** Test and bench fixtures: panels and bar columns built from plain arrays. Not used at run time. */

/** 2020-01-01 00:00 UTC, the first day of fixture series. */
export const FIXTURE_START = Date.UTC(2020, 0, 1);

/** Bar columns from closes: open = previous close (first: close), high/low = max/min(open, close) ± `spread`, daily times. */
export function barsFromCloses(closes: readonly number[], volumes?: readonly number[], spread = 0): BarColumns {
  const n = closes.length;
  const b = allocBarColumns(n);
  for (let i = 0; i < n; i++) {
    b.time[i] = FIXTURE_START + i * DAY_MS;
    b.close[i] = closes[i];
    b.open[i] = i === 0 ? closes[0] : closes[i - 1];
    b.high[i] = Math.max(b.open[i], closes[i]) + spread;
    b.low[i] = Math.min(b.open[i], closes[i]) - spread;
    b.volume[i] = volumes ? volumes[i] : 1000;
  }
  return b;
}

/** Deterministic PRNG (mulberry32) in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random-walk OHLCV series of `n` bars with trends long enough to trigger every built-in strategy. */
export function randomBars(n: number, seed: number): BarColumns {
  const r = rng(seed);
  const b = allocBarColumns(n);
  let price = 100;
  let drift = 0;
  for (let i = 0; i < n; i++) {
    if (i % 40 === 0) drift = (r() - 0.5) * 0.01;
    const open = price * (1 + (r() - 0.5) * 0.004);
    price = open * (1 + drift + (r() - 0.5) * 0.03);
    b.time[i] = FIXTURE_START + i * DAY_MS;
    b.open[i] = open;
    b.close[i] = price;
    b.high[i] = Math.max(open, price) * (1 + r() * 0.01);
    b.low[i] = Math.min(open, price) * (1 - r() * 0.01);
    b.volume[i] = 1000 + Math.floor(r() * 2000);
  }
  return b;
}

/** A panel from per-instrument closes (NaN = no bar); open/high/low = close, volume 1000, daily times from {@link FIXTURE_START}. */
export function panelFromCloses(
  symbols: readonly string[],
  closes: readonly (readonly number[])[],
  listing: { listedOn?: readonly number[]; delistedOn?: readonly number[] } = {},
): Panel {
  const nInst = symbols.length;
  const nDays = closes[0]?.length ?? 0;
  const close = new Float64Array(nInst * nDays);
  for (let s = 0; s < nInst; s++) for (let t = 0; t < nDays; t++) close[s * nDays + t] = closes[s][t];
  const volume = new Float64Array(nInst * nDays).fill(1000);
  return {
    symbols,
    sectors: symbols.map(() => ''),
    time: Float64Array.from({ length: nDays }, (_, t) => FIXTURE_START + t * DAY_MS),
    nInst,
    nDays,
    open: close,
    high: close,
    low: close,
    close,
    volume,
    listedOn: Float64Array.from(symbols, (_, s) => listing.listedOn?.[s] ?? Number.NaN),
    delistedOn: Float64Array.from(symbols, (_, s) => listing.delistedOn?.[s] ?? Number.NaN),
    adjustment: 'raw',
    fingerprint: 'fixture',
  };
}
