import { describe, expect, it } from 'vitest';
import { sma } from '../indicators/moving-averages';
import { Prng } from './prng';
import { B, scanCrosses, smaPairWithRanges, smaWithRanges } from './sma-scan';

/** The strategy's rule bar by bar: a cross is a strict sign change of fast - slow (0 when equal or NaN breaks it). */
function naiveCrosses(fa: Float64Array, sl: Float64Array): number[] {
  const out: number[] = [];
  let prev = 0;
  for (let j = 0; j < fa.length; j++) {
    const d = fa[j] - sl[j];
    const cur = d > 0 ? 1 : d < 0 ? -1 : 0;
    if (cur !== prev && prev !== 0 && cur === -prev) out.push(cur * (j + 1));
    prev = cur;
  }
  return out;
}

/** The strategy's SMA (`SmaStream`'s arithmetic, pandas' rolling mean): what the kernel must reproduce bit for bit. */
function naiveSma(src: Float64Array, p: number): Float64Array {
  return sma(src, p);
}

function series(n: number, seed: number, ties: boolean): Float64Array {
  const rng = new Prng(seed);
  const c = new Float64Array(n);
  let x = 50;
  for (let j = 0; j < n; j++) {
    // With ties, prices on a coarse grid so SMAs are often exactly equal.
    x = ties ? Math.max(1, Math.round(x + (rng.next() - 0.5) * 4)) : x * Math.exp((rng.next() - 0.5) * 0.04);
    c[j] = x;
  }
  return c;
}

describe('sma scan', () => {
  it('computes SMAs and block ranges with the stream arithmetic, one or two periods per pass', () => {
    const c = series(1000, 5, false);
    for (const [pa, pb] of [
      [3, 40],
      [17, 16],
      [1, 999],
      [5, 1200],
    ]) {
      const nb = Math.ceil(c.length / B);
      const [oa, ob, ma, xa, mb, xb] = [
        new Float64Array(c.length),
        new Float64Array(c.length),
        new Float64Array(nb),
        new Float64Array(nb),
        new Float64Array(nb),
        new Float64Array(nb),
      ];
      if (pb <= c.length) smaPairWithRanges(c, c.length, pa, oa, ma, xa, pb, ob, mb, xb);
      else smaWithRanges(c, c.length, pa, oa, ma, xa);
      expect(Array.from(oa)).toEqual(Array.from(naiveSma(c, pa)));
      if (pb <= c.length) expect(Array.from(ob)).toEqual(Array.from(naiveSma(c, pb)));
      for (let b = 0; b < nb; b++) {
        const blk = Array.from(oa.subarray(b * B, (b + 1) * B));
        // NaN (no skip) is allowed for the warm-up blocks only, up to the one holding the first value.
        if (blk.some(Number.isNaN) || (Number.isNaN(ma[b]) && b <= (pa - 1) / B)) continue;
        expect(ma[b]).toBe(Math.min(...blk));
        expect(xa[b]).toBe(Math.max(...blk));
      }
    }
  });

  it('finds exactly the crosses of a bar-by-bar scan, ties included, whatever it skips', () => {
    for (const ties of [false, true]) {
      for (let seed = 1; seed <= 6; seed++) {
        const c = series(1500, seed, ties);
        const m = c.length;
        const nb = Math.ceil(m / B);
        for (const [f, s] of [
          [2, 5],
          [5, 20],
          [10, 11],
          [20, 150],
        ]) {
          const [fa, sl, fmn, fmx, smn, smx] = [
            new Float64Array(m),
            new Float64Array(m),
            new Float64Array(nb),
            new Float64Array(nb),
            new Float64Array(nb),
            new Float64Array(nb),
          ];
          smaPairWithRanges(c, m, f, fa, fmn, fmx, s, sl, smn, smx);
          const at = new Int32Array(m);
          const dir = new Int8Array(m);
          const k = scanCrosses(fa, sl, fmn, fmx, smn, smx, s - 1, m, at, dir);
          const got = Array.from({ length: k }, (_, i) => dir[i] * (at[i] + 1));
          expect(got, `${ties ? 'ties ' : ''}seed ${seed} (${f}, ${s})`).toEqual(naiveCrosses(fa, sl));
        }
      }
    }
  });
});
