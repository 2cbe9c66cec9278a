import { useEffect, useRef, useState } from 'react';
import { heatColor, type HeatGrid } from '../lib/heatmap';

/** Grids with more cells than this are drawn on a canvas, one small rectangle per cell, instead of labelled boxes. */
const DOM_CELLS_MAX = 900;

/** A grid of coloured cells with axis labels; `onPick` receives the cell's (x, y). */
export function Heatmap({
  grid,
  xLabel,
  yLabel,
  format,
  center,
  onPick,
  testId,
}: {
  grid: HeatGrid;
  xLabel: string;
  yLabel: string;
  format: (v: number) => string;
  center?: number;
  onPick?: (x: number, y: number) => void;
  testId?: string;
}) {
  // Keyboard: the grid is one Tab stop; arrows move the cursor cell, Enter opens it (as a click does).
  const [cur, setCur] = useState<[number, number]>([0, 0]);
  const [focused, setFocused] = useState(false);
  if (grid.xs.length * grid.ys.length > DOM_CELLS_MAX)
    return (
      <HeatmapCanvas
        grid={grid}
        xLabel={xLabel}
        yLabel={yLabel}
        format={format}
        center={center}
        onPick={onPick}
        testId={testId}
      />
    );
  const cx = Math.min(cur[0], grid.xs.length - 1);
  const cy = Math.min(cur[1], grid.ys.length - 1);
  const onKey = (e: React.KeyboardEvent) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (d) {
      e.preventDefault();
      setCur([
        Math.max(0, Math.min(grid.xs.length - 1, cx + d[0])),
        Math.max(0, Math.min(grid.ys.length - 1, cy + d[1])),
      ]);
    } else if (e.key === 'Enter' && onPick && Number.isFinite(grid.values[cy]?.[cx])) onPick(grid.xs[cx], grid.ys[cy]);
  };
  return (
    <div data-testid={testId} data-cols={grid.xs.length} data-rows={grid.ys.length}>
      <div className="muted" style={{ fontSize: 10, marginBottom: 2 }}>
        {yLabel} ↓ · {xLabel} →
      </div>
      <div
        className="heatmap"
        style={{ gridTemplateColumns: `56px repeat(${grid.xs.length}, minmax(36px, 1fr))` }}
        tabIndex={onPick ? 0 : undefined}
        role={onPick ? 'grid' : undefined}
        aria-label={onPick ? `${yLabel} by ${xLabel}: arrows move, Enter opens the cell` : undefined}
        onKeyDown={onPick ? onKey : undefined}
        onFocus={() => setFocused(true)}
        onBlur={() => setFocused(false)}
        data-cursor={`${grid.xs[cx]}:${grid.ys[cy]}`}
      >
        <div className="head" />
        {grid.xs.map((x) => (
          <div key={`x${x}`} className="head">
            {x}
          </div>
        ))}
        {grid.ys.map((y, yi) => [
          <div key={`y${y}`} className="head">
            {y}
          </div>,
          ...grid.xs.map((x, xi) => {
            const v = grid.values[yi][xi];
            return (
              <div
                key={`${x}:${y}`}
                className="cell"
                style={{
                  background: heatColor(v, grid.min, grid.max, center),
                  cursor: onPick && Number.isFinite(v) ? 'pointer' : 'default',
                  outline: focused && xi === cx && yi === cy ? '2px solid var(--focus)' : undefined,
                  outlineOffset: -2,
                }}
                title={`${xLabel}=${x} ${yLabel}=${y}: ${format(v)}`}
                onClick={() => onPick && Number.isFinite(v) && onPick(x, y)}
              >
                {Number.isFinite(v) ? format(v) : ''}
              </div>
            );
          }),
        ])}
      </div>
    </div>
  );
}

const LEFT = 44;
const TOP = 16;
const BOTTOM = 4;

/** Every cell of a large grid (e.g. 49 × 241) on one canvas; axis labels at readable steps; the hovered cell's value in a caption. */
function HeatmapCanvas({
  grid,
  xLabel,
  yLabel,
  format,
  center,
  onPick,
  testId,
}: {
  grid: HeatGrid;
  xLabel: string;
  yLabel: string;
  format: (v: number) => string;
  center?: number;
  onPick?: (x: number, y: number) => void;
  testId?: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<string | null>(null);
  const [cur, setCur] = useState<[number, number] | null>(null);
  const nx = grid.xs.length;
  const ny = grid.ys.length;
  const cellH = Math.max(2, Math.min(14, Math.floor(480 / ny)));
  const height = TOP + ny * cellH + BOTTOM;
  let filled = 0;
  for (const row of grid.values) for (const v of row) if (Number.isFinite(v)) filled++;
  useEffect(() => {
    const c = canvas.current!;
    const width = c.clientWidth || 600;
    const dpr = globalThis.devicePixelRatio || 1;
    c.width = width * dpr;
    c.height = height * dpr;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, width, height);
    const cellW = (width - LEFT) / nx;
    for (let yi = 0; yi < ny; yi++)
      for (let xi = 0; xi < nx; xi++) {
        const v = grid.values[yi][xi];
        if (!Number.isFinite(v)) continue;
        ctx.fillStyle = heatColor(v, grid.min, grid.max, center);
        ctx.fillRect(
          LEFT + xi * cellW,
          TOP + yi * cellH,
          Math.max(1, cellW - (cellW > 4 ? 1 : 0)),
          Math.max(1, cellH - (cellH > 4 ? 1 : 0)),
        );
      }
    ctx.fillStyle = getComputedStyle(c).color;
    ctx.font = '10px monospace';
    ctx.textAlign = 'center';
    const xStep = Math.max(1, Math.ceil(nx / Math.max(1, Math.floor((width - LEFT) / 36))));
    for (let xi = 0; xi < nx; xi += xStep) ctx.fillText(String(grid.xs[xi]), LEFT + (xi + 0.5) * cellW, 11);
    ctx.textAlign = 'right';
    const yStep = Math.max(1, Math.ceil(14 / cellH));
    for (let yi = 0; yi < ny; yi += yStep)
      ctx.fillText(String(grid.ys[yi]), LEFT - 4, TOP + yi * cellH + cellH / 2 + 3);
    if (cur) {
      ctx.strokeStyle = getComputedStyle(c).getPropertyValue('--focus').trim() || '#2f81f7';
      ctx.lineWidth = 2;
      ctx.strokeRect(
        LEFT + cur[0] * cellW - 1,
        TOP + cur[1] * cellH - 1,
        Math.max(3, cellW) + 2,
        Math.max(3, cellH) + 2,
      );
    }
  }, [grid, nx, ny, cellH, height, center, cur]);
  // Keyboard: the canvas is one Tab stop; arrows move a cursor cell (its value in the caption), Enter opens it.
  const describe = (c: [number, number]) =>
    `${xLabel}=${grid.xs[c[0]]} ${yLabel}=${grid.ys[c[1]]}: ${Number.isFinite(grid.values[c[1]][c[0]]) ? format(grid.values[c[1]][c[0]]) : 'no result'}`;
  const onKey = (e: React.KeyboardEvent<HTMLCanvasElement>) => {
    const d = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    const at = cur ?? [0, 0];
    if (d) {
      e.preventDefault();
      const next: [number, number] = [
        Math.max(0, Math.min(nx - 1, at[0] + d[0])),
        Math.max(0, Math.min(ny - 1, at[1] + d[1])),
      ];
      setCur(next);
      setHover(describe(next));
    } else if (e.key === 'Enter' && onPick && Number.isFinite(grid.values[at[1]][at[0]]))
      onPick(grid.xs[at[0]], grid.ys[at[1]]);
  };
  const cellAt = (e: React.MouseEvent<HTMLCanvasElement>): [number, number] | null => {
    const r = e.currentTarget.getBoundingClientRect();
    const xi = Math.floor(((e.clientX - r.left - LEFT) / (r.width - LEFT)) * nx);
    const yi = Math.floor((e.clientY - r.top - TOP) / cellH);
    return xi >= 0 && xi < nx && yi >= 0 && yi < ny ? [xi, yi] : null;
  };
  return (
    <div data-testid={testId} data-cols={nx} data-rows={ny} data-filled={filled}>
      <div className="muted" style={{ fontSize: 10, marginBottom: 2, display: 'flex', gap: 12 }}>
        <span>
          {yLabel} ↓ · {xLabel} → · {nx} × {ny} cells, {filled.toLocaleString('en-US')} with a result
        </span>
        <span className="mono">{hover ?? 'hover a cell for its value'}</span>
      </div>
      <canvas
        ref={canvas}
        className="heatmap-canvas"
        style={{ width: '100%', height, display: 'block', cursor: onPick ? 'pointer' : 'default' }}
        tabIndex={onPick ? 0 : undefined}
        role={onPick ? 'grid' : undefined}
        aria-label={onPick ? `${yLabel} by ${xLabel}: arrows move, Enter opens the cell` : undefined}
        onKeyDown={onPick ? onKey : undefined}
        onFocus={() => setHover(describe(cur ?? [0, 0]))}
        data-cursor={cur ? `${grid.xs[cur[0]]}:${grid.ys[cur[1]]}` : ''}
        onMouseMove={(e) => {
          const c = cellAt(e);
          setHover(
            c
              ? `${xLabel}=${grid.xs[c[0]]} ${yLabel}=${grid.ys[c[1]]}: ${Number.isFinite(grid.values[c[1]][c[0]]) ? format(grid.values[c[1]][c[0]]) : 'no result'}`
              : null,
          );
        }}
        onMouseLeave={() => setHover(null)}
        onClick={(e) => {
          const c = cellAt(e);
          if (c && onPick && Number.isFinite(grid.values[c[1]][c[0]])) onPick(grid.xs[c[0]], grid.ys[c[1]]);
        }}
      />
    </div>
  );
}
