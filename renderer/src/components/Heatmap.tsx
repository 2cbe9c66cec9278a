import { heatColor, type HeatGrid } from '../lib/heatmap';

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
  return (
    <div data-testid={testId}>
      <div className="muted" style={{ fontSize: 10, marginBottom: 2 }}>
        {yLabel} ↓ · {xLabel} →
      </div>
      <div className="heatmap" style={{ gridTemplateColumns: `56px repeat(${grid.xs.length}, minmax(36px, 1fr))` }}>
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
                style={{ background: heatColor(v, grid.min, grid.max, center), cursor: onPick && Number.isFinite(v) ? 'pointer' : 'default' }}
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
