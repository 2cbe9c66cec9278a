/** A value grid over two parameters: `values[yi][xi]`, NaN where no result exists. */
export interface HeatGrid {
  readonly xs: number[];
  readonly ys: number[];
  readonly values: number[][];
  readonly min: number;
  readonly max: number;
}

/**
 * Bins points `(x, y, value)` into a grid over the distinct sorted x and y values. When several points
 * share a cell (other parameters varied too), the cell keeps the best value (`max`, or `min` when
 * `lowerIsBetter`). Non-finite values are ignored; empty cells are NaN.
 */
export function binGrid(points: readonly { x: number; y: number; value: number }[], lowerIsBetter = false): HeatGrid {
  const xs = [...new Set(points.map((p) => p.x))].sort((a, b) => a - b);
  const ys = [...new Set(points.map((p) => p.y))].sort((a, b) => a - b);
  const xi = new Map(xs.map((x, i) => [x, i]));
  const yi = new Map(ys.map((y, i) => [y, i]));
  const values = ys.map(() => xs.map(() => Number.NaN));
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    const row = values[yi.get(p.y)!];
    const c = xi.get(p.x)!;
    const cur = row[c];
    if (Number.isNaN(cur) || (lowerIsBetter ? p.value < cur : p.value > cur)) row[c] = p.value;
  }
  for (const row of values)
    for (const v of row) {
      if (Number.isNaN(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  if (min > max) {
    min = Number.NaN;
    max = Number.NaN;
  }
  return { xs, ys, values, min, max };
}

/**
 * Colour for `v` on a red → grey → green scale. With `center` (0 for returns), the scale diverges
 * around it; otherwise it spans [min, max]. NaN is transparent.
 */
export function heatColor(v: number, min: number, max: number, center?: number): string {
  if (!Number.isFinite(v)) return 'transparent';
  let t: number; // -1 … 1
  if (center !== undefined) {
    const span = Math.max(Math.abs(max - center), Math.abs(min - center)) || 1;
    t = (v - center) / span;
  } else {
    t = max > min ? ((v - min) / (max - min)) * 2 - 1 : 0;
  }
  t = Math.max(-1, Math.min(1, t));
  const a = 0.15 + 0.75 * Math.abs(t);
  return t >= 0 ? `rgba(38,166,154,${a.toFixed(3)})` : `rgba(239,83,80,${a.toFixed(3)})`;
}
