import { describe, expect, it } from 'vitest';
import { kernelTiles, signalChunks } from './sweep';
import type { Params } from './sweep-spec';

function grid(fasts: number[], slows: number[]): Params[] {
  const out: Params[] = [];
  for (const fast of fasts) for (const slow of slows) if (fast < slow) out.push({ fast, slow });
  return out;
}

const range = (from: number, to: number, step = 1) =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

describe('kernelTiles', () => {
  it('partitions a W2-shaped grid into about 6 square tiles per worker slot, each combination exactly once', () => {
    const combos = grid(range(5, 104), range(110, 309, 2));
    const tiles = kernelTiles(combos, 2);
    expect(tiles.length).toBeGreaterThanOrEqual(10);
    expect(tiles.length).toBeLessThanOrEqual(16);
    const seen = new Uint8Array(combos.length);
    for (const t of tiles) for (const i of t) seen[i]++;
    expect([...seen].every((v) => v === 1)).toBe(true);
    for (const t of tiles) {
      const f = new Set(t.map((i) => combos[i].fast)).size;
      const s = new Set(t.map((i) => combos[i].slow)).size;
      // Square-ish: the SMAs computed per symbol (f + s) stay a small share of the pairs (f × s).
      expect(f * s).toBe(t.length);
      expect((f + s) / t.length).toBeLessThan(0.1);
    }
  });

  it('gives one worker the same jobs as two, and more workers more jobs', () => {
    const combos = grid(range(5, 104), range(110, 309, 2));
    expect(kernelTiles(combos, 1)).toEqual(kernelTiles(combos, 2));
    expect(kernelTiles(combos, 8).length).toBeGreaterThan(2 * kernelTiles(combos, 2).length);
  });

  it('keeps tiny and one-sided grids whole and valid', () => {
    expect(kernelTiles(grid([5], [20, 30]), 4)).toEqual([[0, 1]]);
    const combos = grid(range(2, 9), [50]);
    const tiles = kernelTiles(combos, 2);
    expect(tiles.flat().sort((a, b) => a - b)).toEqual(combos.map((_, i) => i));
  });
});

describe('signalChunks', () => {
  const once = (tiles: number[][], n: number) => {
    const seen = new Uint8Array(n);
    for (const t of tiles) for (const i of t) seen[i]++;
    return [...seen].every((v) => v === 1);
  };

  it('cuts a W2-shaped grid along both parameters, so each job names few periods', () => {
    const combos = grid(range(5, 104), range(110, 309, 2));
    const tiles = signalChunks(combos, 2);
    expect(tiles.length).toBe(12);
    expect(once(tiles, combos.length)).toBe(true);
    for (const t of tiles) {
      const f = new Set(t.map((i) => combos[i].fast)).size;
      const s = new Set(t.map((i) => combos[i].slow)).size;
      expect(f * s).toBe(t.length);
      // A slice of the expansion order named 8-9 fast and all 100 slow periods (about 109).
      expect(f + s).toBeLessThanOrEqual(60);
      // Inside a job, the expansion order.
      expect([...t].sort((a, b) => a - b)).toEqual(t);
    }
    // Biggest first.
    expect(tiles.map((t) => t.length)).toEqual(tiles.map((t) => t.length).sort((a, b) => b - a));
  });

  it('partitions any grid (three axes, strings, booleans, a constraint) and keeps small ones whole', () => {
    const combos: Params[] = [];
    for (const a of range(1, 10))
      for (const kind of ['x', 'y', 'z'])
        for (const on of [true, false]) if (a % 3 !== 0 || on) combos.push({ a, kind, on });
    const tiles = signalChunks(combos, 2);
    expect(tiles.length).toBeGreaterThan(1);
    expect(once(tiles, combos.length)).toBe(true);
    expect(tiles.every((t) => t.length > 0)).toBe(true);
    expect(signalChunks(grid([5], [20, 30]), 4)).toEqual([[0, 1]]);
    expect(signalChunks([], 2)).toEqual([]);
  });
});
