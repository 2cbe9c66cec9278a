import { describe, expect, it } from 'vitest';
import { binGrid, heatColor } from './heatmap';

describe('heatmap binning', () => {
  it('bins points on sorted distinct axes and leaves empty cells NaN', () => {
    const g = binGrid([
      { x: 20, y: 5, value: 1.5 },
      { x: 10, y: 5, value: 0.5 },
      { x: 10, y: 2, value: -0.2 },
    ]);
    expect(g.xs).toEqual([10, 20]);
    expect(g.ys).toEqual([2, 5]);
    expect(g.values[0][0]).toBe(-0.2);
    expect(g.values[0][1]).toBeNaN();
    expect(g.values[1]).toEqual([0.5, 1.5]);
    expect(g.min).toBe(-0.2);
    expect(g.max).toBe(1.5);
  });
  it('keeps the best value when several results fall in one cell', () => {
    const pts = [
      { x: 1, y: 1, value: 0.3 },
      { x: 1, y: 1, value: 0.9 },
      { x: 1, y: 1, value: Number.NaN },
    ];
    expect(binGrid(pts).values[0][0]).toBe(0.9);
    expect(binGrid(pts, true).values[0][0]).toBe(0.3);
  });
  it('reports NaN bounds for an empty grid', () => {
    const g = binGrid([]);
    expect(g.min).toBeNaN();
    expect(g.values).toEqual([]);
  });
  it('colours around a centre: green above, red below, transparent for NaN', () => {
    expect(heatColor(0.5, -1, 1, 0)).toMatch(/^rgba\(38,166,154/);
    expect(heatColor(-0.5, -1, 1, 0)).toMatch(/^rgba\(239,83,80/);
    expect(heatColor(Number.NaN, 0, 1)).toBe('transparent');
    // stronger for the extreme than for a middle value
    const alpha = (c: string) => Number(c.slice(c.lastIndexOf(',') + 1, -1));
    expect(alpha(heatColor(1, -1, 1, 0))).toBeGreaterThan(alpha(heatColor(0.2, -1, 1, 0)));
  });
});
