import type { BarColumns } from '../model';

/**
 * Test-only series generators: seeded random walks and adversarial shapes (flat starts, zeros, constant runs).
 * Deterministic so failures reproduce.
 */

/** A small deterministic PRNG (mulberry32) returning floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Named OHLCV series for tests: random walks and adversarial cases. */
export function testBars(): { name: string; bars: BarColumns }[] {
  const out: { name: string; bars: BarColumns }[] = [];
  const make = (name: string, closes: number[], rand: () => number, spread = 0.01) => {
    const n = closes.length;
    const b = {
      time: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: Float64Array.from(closes),
      volume: new Float64Array(n),
    };
    for (let i = 0; i < n; i++) {
      const c = closes[i];
      const o = i === 0 ? c : closes[i - 1];
      const wiggle = spread === 0 ? 0 : Math.abs(c) * spread * rand();
      b.time[i] = 1_600_000_000_000 + i * 86_400_000;
      b.open[i] = o;
      b.high[i] = Math.max(o, c) + wiggle;
      b.low[i] = Math.min(o, c) - (spread === 0 ? 0 : Math.abs(c) * spread * rand());
      b.volume[i] = Math.floor(rand() * 10_000);
    }
    out.push({ name, bars: b });
  };
  for (const seed of [1, 2, 3]) {
    const r = prng(seed);
    const closes: number[] = [];
    let p = 100;
    for (let i = 0; i < 300; i++) {
      p *= 1 + (r() - 0.5) * 0.04;
      closes.push(p);
    }
    make(`random walk ${seed}`, closes, r);
  }
  {
    const r = prng(7);
    const closes: number[] = [];
    for (let i = 0; i < 200; i++) closes.push(i < 60 ? 50 : 50 + Math.round((r() - 0.5) * 20) / 4);
    make('flat start then discrete moves', closes, r);
  }
  {
    const r = prng(8);
    const closes: number[] = [];
    for (let i = 0; i < 150; i++) closes.push(i % 40 < 15 ? 0 : Math.round(r() * 5));
    make('zeros and small integers', closes, r);
  }
  {
    const r = prng(9);
    make('constant, no range', new Array(120).fill(42), r, 0);
  }
  for (const [name, scale, seed] of [
    ['tiny prices (TA_IS_ZERO thresholds)', 1e-4, 11],
    ['large prices', 1e6, 12],
    ['micro prices (around TA_EPSILON)', 1e-12, 13],
  ] as const) {
    const r = prng(seed);
    const closes: number[] = [];
    let p = scale;
    for (let i = 0; i < 200; i++) {
      p *= 1 + (r() - 0.5) * 0.03;
      closes.push(i > 100 && i < 130 ? closes[closes.length - 1] : p);
    }
    make(name, closes, r);
  }
  {
    const r = prng(10);
    const closes: number[] = [];
    for (let i = 0; i < 40; i++) closes.push(i);
    make('short ramp', closes, r);
  }
  return out;
}

/** Checks equality to `rel` relative (`rel` 0: exact), NaN where expected is NaN; returns a message or null. */
export function compareColumns(actual: Float64Array, expected: Float64Array, rel = 1e-8): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} != ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) !== Number.isNaN(a)) return `index ${i}: got ${a}, expected ${e}`;
      continue;
    }
    // Relative, with an absolute floor of 1e-12 only for values that are 0 up to rounding (e.g. -0 vs 0).
    if (Math.abs(a - e) > Math.max(rel * Math.abs(e), rel === 0 ? 0 : 1e-12))
      return `index ${i}: got ${a}, expected ${e}`;
  }
  return null;
}
