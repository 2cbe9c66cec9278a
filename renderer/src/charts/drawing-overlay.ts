import type { IChartApi, ISeriesApi, Logical, SeriesType } from 'lightweight-charts';
import { FIB_LEVELS, moveDrawing, type ChartPoint, type Drawing } from '../stores/drawings-store';

const SVG = 'http://www.w3.org/2000/svg';
const COLOR = '#f0a500';
const FIB_COLOR = '#a371f7';
const SELECTED = '#58a6ff';

/** What the overlay needs from the chart it sits on. */
export interface OverlayChart {
  readonly chart: IChartApi;
  /** The price pane's main series: prices map to pixels through it. */
  readonly series: ISeriesApi<SeriesType>;
  readonly host: HTMLElement;
  /** The chart's bar times (EpochMs), ascending. */
  readonly barTimes: ArrayLike<number>;
  /** Drawn price = stored price × scale (100 / base close when the pane is rebased to 100 for a comparison). */
  readonly scale: number;
  /** Titles of the lower panes, in pane order (pane 1 first). */
  readonly paneTitles: readonly string[];
  readonly onSelect: (i: number | null) => void;
  readonly onChange: (i: number, d: Drawing) => void;
}

/** The drawings layer: updated in place when the drawings or the selection change, redrawn when the chart pans or zooms. */
export interface Overlay {
  /** `interactive` false while a new drawing is being placed: clicks then go through to the chart. */
  update(drawings: readonly Drawing[], selected: number | null, interactive?: boolean): void;
  /** A new price → pixel factor (the pane was rebased at another bar). */
  setScale(scale: number): void;
  render(): void;
  detach(): void;
}

function el<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/**
 * An SVG layer over the price pane that draws the symbol's drawings (horizontal line, trend line, rectangle,
 * Fibonacci retracement) from bar times and prices, so they stay on their bars while the chart pans, zooms or
 * changes scale. A drawing is selected by clicking it, moved by dragging it, and edited by dragging one of its
 * two handles (the points); the layer lets every other pointer event through to the chart. Also places the
 * lower panes' titles at their panes' top-left.
 */
export function attachOverlay(o: OverlayChart): Overlay {
  const { chart, series, host, barTimes } = o;
  let scale = o.scale;
  const n = barTimes.length;
  const svg = el('svg', { class: 'drawings-layer', 'data-testid': 'drawings-layer' });
  svg.style.cssText = 'position:absolute;left:0;top:0;z-index:2;pointer-events:none;overflow:hidden';
  host.appendChild(svg);
  const titles = o.paneTitles.map((t) => {
    const d = document.createElement('div');
    d.className = 'pane-title';
    d.dataset.testid = 'pane-title';
    d.textContent = t;
    host.appendChild(d);
    return d;
  });
  let drawings: readonly Drawing[] = [];
  let selected: number | null = null;
  let interactive = true;
  /** The drawing being dragged, shown as moved until the pointer is released. */
  let preview: { i: number; d: Drawing } | null = null;

  const spacing = n > 1 ? (barTimes[n - 1] - barTimes[0]) / (n - 1) : 86_400_000;
  /** Bar time → logical index, interpolated between bars and extrapolated past the ends. */
  const logicalOf = (t: number): number => {
    if (n === 0) return 0;
    if (t <= barTimes[0]) return (t - barTimes[0]) / spacing;
    if (t >= barTimes[n - 1]) return n - 1 + (t - barTimes[n - 1]) / spacing;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (barTimes[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    if (barTimes[lo] === t) return lo;
    return lo - 1 + (t - barTimes[lo - 1]) / (barTimes[lo] - barTimes[lo - 1]);
  };
  const timeAt = (logical: number): number => barTimes[Math.max(0, Math.min(n - 1, Math.round(logical)))];
  const xOf = (t: number) => chart.timeScale().logicalToCoordinate(logicalOf(t) as Logical) ?? Number.NaN;
  const yOf = (p: number) => series.priceToCoordinate(p * scale) ?? Number.NaN;
  const priceAtY = (y: number) => {
    const p = series.coordinateToPrice(y);
    return p === null ? Number.NaN : Number(p) / scale;
  };
  const pointAt = (x: number, y: number): ChartPoint => ({
    time: timeAt(chart.timeScale().coordinateToLogical(x) ?? 0),
    price: priceAtY(y),
  });

  function shapes(d: Drawing, i: number, width: number): SVGGElement {
    const isSel = i === selected;
    const stroke = isSel ? SELECTED : d.kind === 'fib' ? FIB_COLOR : COLOR;
    const g = el('g', { 'data-drawing': i, 'data-kind': d.kind, 'data-selected': String(isSel) });
    g.style.cursor = 'move';
    g.style.pointerEvents = interactive ? 'visiblePainted' : 'none';
    const line = (x1: number, y1: number, x2: number, y2: number, dash = '') => {
      // A wide transparent line under the visible one makes a thin line easy to grab.
      g.appendChild(el('line', { x1, y1, x2, y2, stroke: 'transparent', 'stroke-width': 10 }));
      g.appendChild(
        el('line', {
          x1,
          y1,
          x2,
          y2,
          stroke,
          'stroke-width': isSel ? 2.5 : 1.5,
          ...(dash ? { 'stroke-dasharray': dash } : {}),
        }),
      );
    };
    const label = (x: number, y: number, text: string, color = stroke) => {
      const t = el('text', { x, y: y - 3, fill: color, 'font-size': 10, 'font-family': 'monospace' });
      t.textContent = text;
      t.style.pointerEvents = 'none';
      g.appendChild(t);
    };
    if (d.kind === 'hline') {
      const y = yOf(d.price);
      line(0, y, width, y);
      label(4, y, d.price.toFixed(2));
      return g;
    }
    const xa = xOf(d.a.time);
    const xb = xOf(d.b.time);
    const ya = yOf(d.a.price);
    const yb = yOf(d.b.price);
    if (d.kind === 'trend') line(xa, ya, xb, yb);
    else if (d.kind === 'rect') {
      g.appendChild(
        el('rect', {
          x: Math.min(xa, xb),
          y: Math.min(ya, yb),
          width: Math.abs(xb - xa),
          height: Math.abs(yb - ya),
          fill: `${stroke}22`,
          stroke,
          'stroke-width': isSel ? 2.5 : 1.5,
        }),
      );
    } else {
      const x0 = Math.min(xa, xb);
      const x1 = Math.max(xa, xb);
      for (const lv of FIB_LEVELS) {
        const price = d.b.price + (d.a.price - d.b.price) * lv;
        const y = yOf(price);
        line(x0, y, x1, y, lv === 0 || lv === 1 ? '' : '4 3');
        label(x0 + 2, y, `${(lv * 100).toFixed(1)}% ${price.toFixed(2)}`);
      }
      line(xa, ya, xb, yb, '2 3');
    }
    if (isSel)
      for (const [h, x, y] of [
        ['a', xa, ya],
        ['b', xb, yb],
      ] as const) {
        const c = el('circle', {
          cx: x,
          cy: y,
          r: 5,
          fill: '#0d1117',
          stroke: SELECTED,
          'stroke-width': 2,
          'data-handle': h,
        });
        c.style.cursor = 'crosshair';
        g.appendChild(c);
      }
    return g;
  }

  function render(): void {
    const panes = chart.panes();
    const width = chart.timeScale().width();
    const height = panes[0]?.getHeight() ?? host.clientHeight;
    svg.setAttribute('width', String(width));
    svg.setAttribute('height', String(height));
    svg.replaceChildren(...drawings.map((d, i) => shapes(preview?.i === i ? preview.d : d, i, width)));
    host.dataset.drawings = String(drawings.length);
    host.dataset.selectedDrawing = selected === null ? '' : String(selected);
    // Lower panes' titles at their top-left (pane 0's title is the legend: symbol, OHLC and the overlays).
    const top0 = host.getBoundingClientRect().top;
    titles.forEach((t, k) => {
      const pane = panes[k + 1]?.getHTMLElement();
      if (!pane) return;
      t.style.top = `${pane.getBoundingClientRect().top - top0 + 2}px`;
    });
  }

  const onDown = (e: PointerEvent) => {
    const target = e.target as Element;
    const g = target.closest('g[data-drawing]');
    if (!g) return;
    e.preventDefault();
    e.stopPropagation();
    const i = Number(g.getAttribute('data-drawing'));
    const handle = target.getAttribute('data-handle') as 'a' | 'b' | null;
    const box = svg.getBoundingClientRect();
    const x0 = e.clientX - box.left;
    const y0 = e.clientY - box.top;
    const start = drawings[i];
    const l0 = chart.timeScale().coordinateToLogical(x0) ?? 0;
    const p0 = priceAtY(y0);
    selected = i;
    o.onSelect(i);
    render();
    const move = (ev: PointerEvent) => {
      const x = ev.clientX - box.left;
      const y = ev.clientY - box.top;
      let d: Drawing;
      if (handle && start.kind !== 'hline') d = { ...start, [handle]: pointAt(x, y) };
      else {
        const shift = Math.round((chart.timeScale().coordinateToLogical(x) ?? l0) - l0);
        d = moveDrawing(start, priceAtY(y) - p0, (t) => timeAt(Math.round(logicalOf(t)) + shift));
      }
      preview = { i, d };
      render();
    };
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      const done = preview;
      preview = null;
      if (done) o.onChange(done.i, done.d);
      render();
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  svg.addEventListener('pointerdown', onDown);
  const onRange = () => render();
  chart.timeScale().subscribeVisibleLogicalRangeChange(onRange);
  chart.timeScale().subscribeSizeChange(onRange);
  // Price-scale drags and autoscale change the vertical mapping without a time-range event: the crosshair follows the pointer there.
  chart.subscribeCrosshairMove(onRange);

  return {
    update(next, sel, isInteractive = true) {
      drawings = next;
      interactive = isInteractive;
      selected = sel !== null && sel < next.length ? sel : null;
      render();
    },
    render,
    setScale(next) {
      scale = next;
      render();
    },
    detach() {
      chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange);
      chart.timeScale().unsubscribeSizeChange(onRange);
      chart.unsubscribeCrosshairMove(onRange);
      svg.removeEventListener('pointerdown', onDown);
      svg.remove();
      for (const t of titles) t.remove();
    },
  };
}
