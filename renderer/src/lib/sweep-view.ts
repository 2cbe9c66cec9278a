import type { SweepResultView } from '../../../core/contract';

/** A point of the heatmap: the two parameters and the objective (NaN where undefined). */
export interface SurfacePoint {
  readonly x: number;
  readonly y: number;
  readonly value: number;
}

/**
 * The heatmap's points over parameters `x` × `y`: every successful combination from the sweep's `surface`
 * when the host sent one (the whole grid), else the top results of the table (`complete` false: the picture
 * would leave out rows and columns, so the view says so).
 */
export function sweepPoints(
  output: SweepResultView,
  x: string,
  y: string,
): { points: SurfacePoint[]; complete: boolean } {
  const key = output.objective.replace(/^-/, '');
  const s = output.surface;
  const xi = s ? s.keys.indexOf(x) : -1;
  const yi = s ? s.keys.indexOf(y) : -1;
  if (s && xi >= 0 && yi >= 0) {
    // Typed columns: the objective is NaN where undefined.
    const px = s.params[xi];
    const py = s.params[yi];
    const points: SurfacePoint[] = new Array(s.objective.length);
    for (let i = 0; i < points.length; i++) points[i] = { x: Number(px[i]), y: Number(py[i]), value: s.objective[i] };
    return { points, complete: true };
  }
  const points = output.results.map((r) => {
    const v = r.metrics[key];
    return { x: Number(r.params[x]), y: Number(r.params[y]), value: v === null || v === undefined ? Number.NaN : v };
  });
  return { points, complete: output.results.length + output.failed.length >= output.runs };
}

/** Failed combinations grouped by reason, most frequent first, each with a count and one example's parameters. */
export function failureReasons(
  failed: SweepResultView['failed'],
): { reason: string; count: number; example: string }[] {
  const by = new Map<string, { reason: string; count: number; example: string }>();
  for (const f of failed) {
    const g = by.get(f.error);
    if (g) g.count++;
    else
      by.set(f.error, {
        reason: f.error,
        count: 1,
        example: Object.entries(f.params)
          .map(([k, v]) => `${k}=${v}`)
          .join(' '),
      });
  }
  return [...by.values()].sort((a, b) => b.count - a.count);
}
