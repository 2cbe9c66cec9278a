import type {
  IChartApiBase,
  IPrimitivePaneRenderer,
  ISeriesApi,
  ISeriesPrimitive,
  SeriesAttachedParameter,
  SeriesType,
  Time,
} from 'lightweight-charts';

type CanvasRenderingTarget2D = Parameters<IPrimitivePaneRenderer['draw']>[0];

/** One column of the cloud: a chart time and the two span values there (NaN: no cloud). */
export interface CloudPoint {
  readonly time: Time;
  readonly a: number;
  readonly b: number;
}

/**
 * Ichimoku's cloud (kumo): the area between Senkou span A and span B filled in `up` where A is above B and in
 * `down` where B is above A, split exactly where the spans cross. A series primitive, so it pans and scales
 * with the series it is attached to (span A's line) and draws under the lines.
 */
export class CloudPrimitive implements ISeriesPrimitive<Time> {
  #chart: IChartApiBase<Time> | null = null;
  #series: ISeriesApi<SeriesType, Time> | null = null;
  #points: readonly CloudPoint[];
  #requestUpdate: (() => void) | null = null;
  readonly #up: string;
  readonly #down: string;

  constructor(points: readonly CloudPoint[], up: string, down: string) {
    this.#points = points;
    this.#up = up;
    this.#down = down;
  }

  attached(p: SeriesAttachedParameter<Time, SeriesType>): void {
    this.#chart = p.chart;
    this.#series = p.series;
    this.#requestUpdate = p.requestUpdate;
  }

  /** New points (the pane was rebased): redrawn on the next frame. */
  setPoints(points: readonly CloudPoint[]): void {
    this.#points = points;
    this.#requestUpdate?.();
  }

  detached(): void {
    this.#chart = null;
    this.#series = null;
  }

  paneViews() {
    return [
      {
        zOrder: () => 'bottom' as const,
        renderer: () => ({ draw: (target: CanvasRenderingTarget2D) => this.#draw(target) }),
      },
    ];
  }

  #draw(target: CanvasRenderingTarget2D): void {
    const chart = this.#chart;
    const series = this.#series;
    if (!chart || !series) return;
    target.useMediaCoordinateSpace(({ context: ctx, mediaSize }) => {
      const ts = chart.timeScale();
      let prev: { x: number; ya: number; yb: number; d: number } | null = null;
      for (const p of this.#points) {
        const x = ts.timeToCoordinate(p.time);
        const ya = Number.isFinite(p.a) ? series.priceToCoordinate(p.a) : null;
        const yb = Number.isFinite(p.b) ? series.priceToCoordinate(p.b) : null;
        if (x === null || ya === null || yb === null) {
          prev = null;
          continue;
        }
        const cur = { x, ya, yb, d: p.a - p.b };
        if (prev && !(prev.x > mediaSize.width + 2 && cur.x > mediaSize.width + 2) && !(prev.x < -2 && cur.x < -2)) {
          if (prev.d >= 0 === cur.d >= 0 || prev.d === 0 || cur.d === 0) {
            quad(ctx, prev, cur, prev.d + cur.d >= 0 ? this.#up : this.#down);
          } else {
            // The spans cross between the two bars: split at the crossing so each side has its own colour.
            const t = prev.d / (prev.d - cur.d);
            const xc = prev.x + (cur.x - prev.x) * t;
            const yc = prev.ya + (cur.ya - prev.ya) * t;
            const mid = { x: xc, ya: yc, yb: yc };
            quad(ctx, prev, mid, prev.d > 0 ? this.#up : this.#down);
            quad(ctx, mid, cur, cur.d > 0 ? this.#up : this.#down);
          }
        }
        prev = cur;
      }
    });
  }
}

function quad(
  ctx: CanvasRenderingContext2D,
  p: { x: number; ya: number; yb: number },
  q: { x: number; ya: number; yb: number },
  color: string,
): void {
  ctx.fillStyle = color;
  ctx.beginPath();
  ctx.moveTo(p.x, p.ya);
  ctx.lineTo(q.x, q.ya);
  ctx.lineTo(q.x, q.yb);
  ctx.lineTo(p.x, p.yb);
  ctx.closePath();
  ctx.fill();
}
