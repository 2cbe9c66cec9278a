import { useMemo } from 'react';
import type { SweepResultView } from '../../../../core/contract';
import { fmtNum } from '../../lib/format';

/**
 * Every evaluated combination of a sweep with more than two parameters as a line across one vertical axis per
 * parameter and a last axis for the objective; colour by objective (red worst → green best), the best drawn
 * on top and thicker. Reads the sweep's surface (every successful combination).
 */
export function ParallelCoords({ output }: { output: SweepResultView }) {
  const s = output.surface;
  const lowerBetter = output.objective.startsWith('-');
  const model = useMemo(() => {
    if (!s || s.objective.length === 0) return null;
    const n = s.objective.length;
    const dims = s.keys.map((k, d) => {
      const vals: Float64Array = Float64Array.from(s.params[d], Number);
      return { label: k, min: Math.min(...vals), max: Math.max(...vals), vals };
    });
    const obj = s.objective; // NaN where undefined
    const fin = obj.filter(Number.isFinite);
    dims.push({ label: output.objective, min: Math.min(...fin), max: Math.max(...fin), vals: obj });
    const order = Array.from({ length: n }, (_, i) => i).filter((i) => Number.isFinite(obj[i]));
    // Worst first, so the best end up on top.
    order.sort((a, b) => (lowerBetter ? obj[b] - obj[a] : obj[a] - obj[b]));
    return { dims, obj, order, lo: Math.min(...fin), hi: Math.max(...fin) };
  }, [s, output.objective, lowerBetter]);
  if (!model) return null;
  const W = 900;
  const H = 260;
  const pad = 30;
  const step = (W - 2 * pad) / (model.dims.length - 1);
  const y = (d: (typeof model.dims)[number], v: number) =>
    d.max === d.min ? H / 2 : pad + (1 - (v - d.min) / (d.max - d.min)) * (H - 2 * pad);
  const colour = (v: number) => {
    let t = model.hi === model.lo ? 1 : (v - model.lo) / (model.hi - model.lo);
    if (lowerBetter) t = 1 - t;
    return `hsl(${Math.round(t * 130)}, 70%, 50%)`;
  };
  const bestI = model.order[model.order.length - 1];
  return (
    <div className="panel" data-testid="parallel-coords" data-lines={model.order.length}>
      <div className="panel-title">
        Parallel coordinates{' '}
        <span className="muted">
          every evaluated combination ({model.order.length}); colour by {output.objective}, best thick
        </span>
      </div>
      <svg width="100%" viewBox={`0 0 ${W} ${H + 20}`} role="img" aria-label="Parallel coordinates of the sweep">
        {model.order.map((i) => (
          <polyline
            key={i}
            fill="none"
            stroke={colour(model.obj[i])}
            strokeWidth={i === bestI ? 3 : 1}
            opacity={i === bestI ? 1 : 0.45}
            points={model.dims.map((d, k) => `${pad + k * step},${y(d, d.vals[i])}`).join(' ')}
          />
        ))}
        {model.dims.map((d, k) => (
          <g key={d.label}>
            <line x1={pad + k * step} x2={pad + k * step} y1={pad} y2={H - pad} stroke="var(--text-dim)" />
            <text x={pad + k * step} y={pad - 8} fontSize={12} fill="var(--text)" textAnchor="middle">
              {d.label}
            </text>
            <text x={pad + k * step + 4} y={pad + 4} fontSize={10} fill="var(--text-dim)">
              {fmtNum(d.max, 2)}
            </text>
            <text x={pad + k * step + 4} y={H - pad} fontSize={10} fill="var(--text-dim)">
              {fmtNum(d.min, 2)}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
