import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  HistogramSeries,
  LineSeries,
  PriceScaleMode,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  type MouseEventParams,
  type SeriesType,
  type Time,
} from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { fmtCompact, fmtDate, fmtPrice } from '../lib/format';
import {
  fromChartTime,
  toCandles,
  toChartTime,
  toHistogram,
  toLine,
  toMarkers,
  toVolume,
  type OhlcvColumns,
  type TradeMark,
} from './adapters';
import { baseChartOptions, chartColors, LINE_COLORS } from './theme';
import type { DrawnIndicator } from './types';
import type { Drawing } from '../stores/drawings-store';
import { displaceBack, displaceForward, rebaseIndex, rebaseTo100, storedSpacing } from '../lib/chart-view';
import { CloudPrimitive } from './cloud-primitive';
import { attachOverlay, type Overlay } from './drawing-overlay';

interface Props {
  readonly symbol: string;
  readonly bars: OhlcvColumns;
  readonly indicators: readonly DrawnIndicator[];
  readonly marks: readonly TradeMark[];
  /** EpochMs to centre the view on (a trade opened from the trade list). */
  readonly focusTime: number | null;
  readonly theme: string;
  /** Logarithmic price scale for the candles' pane. */
  readonly logScale?: boolean;
  /**
   * Other symbols' closes on the price pane. With any, every series on the pane is rebased to 100 at the first
   * visible bar (axis labels in percent from there), on a log scale when `logScale`: a log percent comparison.
   */
  readonly compare?: readonly {
    readonly symbol: string;
    readonly time: ArrayLike<number>;
    readonly close: ArrayLike<number>;
  }[];
  /** The symbol's saved drawings. */
  readonly drawings?: readonly Drawing[];
  /** The selected drawing's index, if any. */
  readonly selectedDrawing?: number | null;
  /** True while a new drawing is being placed: clicks on existing drawings then place points instead of selecting. */
  readonly isDrawing?: boolean;
  /** A click on the price pane: the bar's time and the price under the pointer (in price units, also when rebased). */
  readonly onPick?: (p: { time: number; price: number }) => void;
  /** A drawing clicked (selected) or dragged (moved or edited through a handle). */
  readonly onSelectDrawing?: (i: number | null) => void;
  readonly onChangeDrawing?: (i: number, d: Drawing) => void;
}

/** Axis labels of a pane rebased to 100: the percent change from the base bar. */
function percentFrom100(v: number): string {
  const p = v - 100;
  return `${p >= 0 ? '+' : ''}${p.toFixed(Math.abs(p) < 10 ? 2 : 1)}%`;
}

function esc(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/**
 * Candles, volume, overlays, lower panes and markers in one lightweight-charts instance. One effect
 * owns the chart; the crosshair legend is written to the DOM directly (no React render per mouse move).
 */
export function PriceChart({
  symbol,
  bars,
  indicators,
  marks,
  focusTime,
  theme,
  logScale = false,
  compare = [],
  drawings = [],
  selectedDrawing = null,
  isDrawing = false,
  onPick,
  onSelectDrawing,
  onChangeDrawing,
}: Props) {
  const pick = useRef(onPick);
  pick.current = onPick;
  const drawingCb = useRef({ onSelectDrawing, onChangeDrawing });
  drawingCb.current = { onSelectDrawing, onChangeDrawing };
  // Drawings live on an SVG layer updated in place: moving one does not rebuild the chart (or reset its view).
  const overlay = useRef<Overlay | null>(null);
  const drawingsNow = useRef({ drawings, selectedDrawing, isDrawing });
  drawingsNow.current = { drawings, selectedDrawing, isDrawing };
  const host = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLDivElement>(null);
  const markersApi = useRef<ISeriesMarkersPluginApi<Time> | null>(null);
  // The chart is rebuilt only when its data changes; markers (live signals arrive while it is open) are set in place.
  const marksNow = useRef(marks);
  marksNow.current = marks;

  useEffect(() => {
    const el = host.current!;
    const colors = chartColors();
    const chart = createChart(el, baseChartOptions());
    const candles = chart.addSeries(CandlestickSeries, {
      upColor: colors.up,
      downColor: colors.down,
      borderUpColor: colors.up,
      borderDownColor: colors.down,
      wickUpColor: colors.up,
      wickDownColor: colors.down,
      priceLineVisible: true,
    });
    const n = bars.time.length;
    // Intraday bars: the time axis and the legend show the time of day (UTC) too.
    const intraday = storedSpacing(bars.time) < 86_400_000;
    if (intraday) chart.applyOptions({ timeScale: { timeVisible: true, secondsVisible: false } });
    const when = (ms: number) =>
      intraday ? `${fmtDate(ms)} ${new Date(ms).toISOString().slice(11, 16)}` : fmtDate(ms);
    // The first bar in view when the chart opens (a trade in focus, else the last 260 bars).
    let firstVisible = n > 260 ? n - 260 : 0;
    if (focusTime !== null && n > 0) {
      let i = 0;
      while (i < n - 1 && bars.time[i] < focusTime) i++;
      firstVisible = Math.max(0, i - 60);
    }
    // With symbols compared, every series on the pane is rebased to 100 at the first visible bar (so a log scale
    // compares percentages); `scale` converts this symbol's prices (candles, overlays, drawings) to that index.
    // The base follows the first visible bar as the chart scrolls (see `rebaseAt` below).
    let base = compare.length > 0 ? rebaseIndex(bars.close, firstVisible) : -1;
    let scale = base >= 0 ? 100 / bars.close[base] : 1;
    const rebased = base >= 0;
    const times = (v: ArrayLike<number>, k: number) =>
      k === 1 ? v : Float64Array.from(v as ArrayLike<number>, (x) => x * k);
    const scaled = (v: ArrayLike<number>) => (rebased ? times(v, scale) : v);
    /** What is redrawn when the base moves: each price-pane series from its prices and the new scale (or first bar). */
    const rescalers: ((k: number, first: number) => void)[] = [];
    const setCandles = (k: number) =>
      candles.setData(
        toCandles(
          k === 1
            ? bars
            : {
                ...bars,
                open: times(bars.open, k),
                high: times(bars.high, k),
                low: times(bars.low, k),
                close: times(bars.close, k),
              },
        ),
      );
    setCandles(scale);
    rescalers.push((k) => setCandles(k));
    const percentFormat = { type: 'custom' as const, formatter: percentFrom100, minMove: 0.01 };
    if (rebased) candles.applyOptions({ priceFormat: percentFormat });
    candles.priceScale().applyOptions({ mode: logScale ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal });
    compare.forEach((c, k) => {
      const line = chart.addSeries(LineSeries, {
        color: LINE_COLORS[(k + 1) % LINE_COLORS.length],
        lineWidth: 2,
        priceLineVisible: false,
        lastValueVisible: true,
        title: c.symbol,
        ...(rebased ? { priceFormat: percentFormat } : {}),
      });
      const setLine = (first: number) =>
        line.setData(toLine(c.time, rebaseTo100(c.close, rebaseIndex(c.close, first))));
      setLine(firstVisible);
      rescalers.push((_, first) => setLine(first));
    });
    const volume = chart.addSeries(HistogramSeries, {
      priceScaleId: 'vol',
      priceFormat: { type: 'volume' },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.85, bottom: 0 } });
    volume.setData(toVolume(bars, `${colors.up}66`, `${colors.down}66`));

    const named: { label: string; series: ISeriesApi<SeriesType> }[] = [];
    /** What the legend shows per indicator: each line's value as plotted at a bar (displaced lines shifted). */
    const legendLines: { ind: DrawnIndicator; lines: { name: string; color: string; values: ArrayLike<number> }[] }[] =
      [];
    const paneTitles: string[] = [];
    let pane = 0;
    for (const ind of indicators) {
      const paneIndex = ind.placement === 'overlay' ? 0 : ++pane;
      if (paneIndex > 0) paneTitles.push(ind.label);
      const common = { lastValueVisible: false, priceLineVisible: false, title: '' };
      const onPrice = (v: ArrayLike<number>) => (paneIndex === 0 ? scaled(v) : v);
      if (ind.displace !== undefined && ind.lines.length >= 4) {
        // Ichimoku as traders draw it: tenkan and kijun at their bars, spans A and B `displace` bars ahead with the
        // cloud between them (green where A is above B), and the lagging span (the close) `displace` bars back.
        const k = ind.displace;
        const [conv, kijun, spanA, spanB] = ind.lines;
        const a = displaceForward(ind.time, onPrice(spanA.values), k);
        const b = displaceForward(ind.time, onPrice(spanB.values), k);
        const lagging = displaceBack(onPrice(bars.close), k);
        const specs: [string, string, ArrayLike<number>, ArrayLike<number>, number][] = [
          ['tenkan', '#2f81f7', ind.time, onPrice(conv.values), 1],
          ['kijun', '#ef5350', ind.time, onPrice(kijun.values), 1],
          [`senkou A (+${k})`, '#26a69a', a.time, a.values, 1],
          [`senkou B (+${k})`, '#e57373', b.time, b.values, 1],
          [`chikou (−${k})`, '#ab47bc', bars.time, lagging, 1],
        ];
        const made = specs.map(([name, color, t, v, w]) => {
          const series = chart.addSeries(
            LineSeries,
            { ...common, color, lineWidth: w as 1, crosshairMarkerVisible: false },
            paneIndex,
          );
          series.setData(toLine(t, v));
          // Rebasing: v is in the current scale; redraw it in the new one.
          if (rebased && paneIndex === 0) {
            const raw = times(v, 1 / scale);
            rescalers.push((nk) => series.setData(toLine(t, times(raw, nk))));
          }
          named.push({ label: `${ind.label} ${name}`, series: series as ISeriesApi<SeriesType> });
          return series;
        });
        const cloudAt = (kk: number) =>
          a.time.map((t, j) => ({ time: toChartTime(t), a: a.values[j] * kk, b: b.values[j] * kk }));
        const cloud = new CloudPrimitive(cloudAt(1), 'rgba(38,166,154,0.22)', 'rgba(239,83,80,0.22)');
        made[2].attachPrimitive(cloud);
        if (rebased && paneIndex === 0) {
          const k0 = scale;
          rescalers.push((nk) => cloud.setPoints(cloudAt(nk / k0)));
        }
        const back = (v: ArrayLike<number>) =>
          Float64Array.from({ length: n }, (_, i) => (i - k >= 0 ? v[i - k] : Number.NaN));
        legendLines.push({
          ind,
          lines: [
            { name: 'tenkan', color: '#2f81f7', values: conv.values },
            { name: 'kijun', color: '#ef5350', values: kijun.values },
            { name: 'A', color: '#26a69a', values: back(spanA.values) },
            { name: 'B', color: '#e57373', values: back(spanB.values) },
            { name: 'chikou', color: '#ab47bc', values: displaceBack(bars.close, k) },
          ],
        });
        continue;
      }
      let isFirst = true;
      for (const line of ind.lines) {
        const series =
          line.style === 'histogram'
            ? chart.addSeries(HistogramSeries, common, paneIndex)
            : chart.addSeries(LineSeries, { ...common, color: line.color, lineWidth: 1 }, paneIndex);
        if (line.style === 'histogram')
          series.setData(toHistogram(ind.time, line.values, `${colors.up}aa`, `${colors.down}aa`));
        else {
          series.setData(toLine(ind.time, onPrice(line.values)));
          if (rebased && paneIndex === 0)
            rescalers.push((nk) => series.setData(toLine(ind.time, times(line.values, nk))));
        }
        if (isFirst && ind.levels)
          for (const price of ind.levels)
            series.createPriceLine({
              price,
              color: colors.text,
              lineWidth: 1,
              lineStyle: 2,
              axisLabelVisible: true,
              title: '',
            });
        isFirst = false;
        named.push({ label: `${ind.label} ${line.name}`.trim(), series: series as ISeriesApi<SeriesType> });
      }
      // The legend reads prices (like the OHLC beside it), also when the pane is rebased.
      legendLines.push({ ind, lines: ind.lines.map((l) => ({ name: l.name, color: l.color, values: l.values })) });
    }
    const panes = chart.panes();
    if (panes.length > 1) {
      panes[0].setStretchFactor(3);
      for (let i = 1; i < panes.length; i++) panes[i].setStretchFactor(1);
    }
    const layer = attachOverlay({
      chart,
      series: candles as ISeriesApi<SeriesType>,
      host: el,
      barTimes: bars.time,
      scale,
      paneTitles,
      onSelect: (i) => drawingCb.current.onSelectDrawing?.(i),
      onChange: (i, d) => drawingCb.current.onChangeDrawing?.(i, d),
    });
    overlay.current = layer;
    rescalers.push((k) => layer.setScale(k));
    // Percent from the first visible bar, as the chart scrolls: once the view settles, everything on the price
    // pane is rebased at the new first visible bar (the candles, the compared closes, overlays, the cloud, drawings).
    let rebaseTimer: ReturnType<typeof setTimeout> | null = null;
    let firstNow = firstVisible;
    const rebaseAt = (first: number) => {
      const b = rebaseIndex(bars.close, first);
      if (b < 0 || b === base) return;
      base = b;
      scale = 100 / bars.close[b];
      firstNow = first;
      for (const r of rescalers) r(scale, first);
      el.dataset.rebasedAt = fmtDate(bars.time[base]);
      showLegend(null);
    };
    const onRange = (range: { from: number; to: number } | null) => {
      if (!rebased || !range) return;
      const first = Math.max(0, Math.min(n - 1, Math.ceil(range.from)));
      if (first === firstNow) return;
      if (rebaseTimer) clearTimeout(rebaseTimer);
      rebaseTimer = setTimeout(() => rebaseAt(first), 150);
    };
    chart.timeScale().subscribeVisibleLogicalRangeChange(onRange);
    layer.update(drawingsNow.current.drawings, drawingsNow.current.selectedDrawing, !drawingsNow.current.isDrawing);
    const onClick = (param: MouseEventParams<Time>) => {
      if (!param.point || param.time === undefined || !pick.current) return;
      const price = candles.coordinateToPrice(param.point.y);
      if (price !== null) pick.current({ time: fromChartTime(param.time), price: Number(price) / scale });
    };
    chart.subscribeClick(onClick);
    const markers = createSeriesMarkers(candles, toMarkers(marksNow.current, colors.up, colors.down));
    markersApi.current = markers;

    if (focusTime !== null && n > 0) {
      chart.timeScale().setVisibleLogicalRange({ from: firstVisible, to: Math.min(n, firstVisible + 120) });
    } else if (n > 260) {
      chart.timeScale().setVisibleLogicalRange({ from: n - 260, to: n + 5 });
    }

    const showLegend = (param: MouseEventParams<Time> | null) => {
      const box = legend.current;
      if (!box) return;
      let idx = n - 1;
      if (param?.time !== undefined) {
        const ms = fromChartTime(param.time);
        // binary search the bar at the crosshair time
        let lo = 0;
        let hi = n - 1;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (bars.time[mid] < ms) lo = mid + 1;
          else hi = mid;
        }
        idx = lo;
      }
      if (idx < 0) {
        box.innerHTML = `<div><span class="sym">${esc(symbol)}</span></div>`;
        return;
      }
      const chg = idx > 0 ? bars.close[idx] / bars.close[idx - 1] - 1 : Number.NaN;
      const cls = chg >= 0 ? 'pos' : 'neg';
      let html =
        `<div><span class="sym">${esc(symbol)}</span><span>${when(bars.time[idx])}</span>` +
        `<span>O ${fmtPrice(bars.open[idx])}</span><span>H ${fmtPrice(bars.high[idx])}</span>` +
        `<span>L ${fmtPrice(bars.low[idx])}</span><span class="${cls}">C ${fmtPrice(bars.close[idx])}</span>` +
        `<span class="${cls}">${Number.isFinite(chg) ? (chg * 100).toFixed(2) + '%' : ''}</span><span>V ${fmtCompact(bars.volume[idx])}</span></div>`;
      for (const { ind, lines } of legendLines) {
        const parts = lines.map(
          (l) => `<span style="color:${l.color}">${l.name ? esc(l.name) + ' ' : ''}${fmtPrice(l.values[idx])}</span>`,
        );
        html += `<div data-indicator="${esc(ind.id)}"><span>${esc(ind.label)}</span>${parts.join('')}</div>`;
      }
      if (rebased)
        html += `<div class="muted">rebased to 100 at ${fmtDate(bars.time[base])} (axis: % from there)</div>`;
      box.innerHTML = html;
    };
    showLegend(null);
    chart.subscribeCrosshairMove(showLegend);
    el.dataset.chartReady = 'true';
    el.dataset.bars = String(n);
    el.dataset.indicators = String(indicators.length);
    el.dataset.series = String(named.length);
    el.dataset.markers = String(marksNow.current.length);
    el.dataset.logScale = String(logScale);
    el.dataset.compare = compare.map((c) => c.symbol).join(',');
    el.dataset.scale = rebased ? (logScale ? 'log-rebased' : 'rebased') : logScale ? 'log' : 'linear';
    el.dataset.rebasedAt = rebased ? fmtDate(bars.time[base]) : '';
    el.dataset.panes = String(chart.panes().length);
    el.dataset.paneTitles = String(paneTitles.length);
    el.dataset.cloud = String(indicators.some((i) => i.displace !== undefined));
    requestAnimationFrame(() => overlay.current === layer && layer.render());
    return () => {
      if (rebaseTimer) clearTimeout(rebaseTimer);
      chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange);
      layer.detach();
      overlay.current = null;
      chart.unsubscribeCrosshairMove(showLegend);
      chart.unsubscribeClick(onClick);
      markersApi.current = null;
      markers.detach();
      chart.remove();
      delete el.dataset.chartReady;
    };
  }, [symbol, bars, indicators, focusTime, theme, logScale, compare]);

  useEffect(() => {
    overlay.current?.update(drawings, selectedDrawing, !isDrawing);
  }, [drawings, selectedDrawing, isDrawing]);

  useEffect(() => {
    const api = markersApi.current;
    if (!api) return;
    const colors = chartColors();
    api.setMarkers(toMarkers(marks, colors.up, colors.down));
    host.current!.dataset.markers = String(marks.length);
  }, [marks]);

  return (
    <div className="chart-host" data-testid="price-chart">
      <div ref={legend} className="legend" data-testid="chart-legend" />
      <div ref={host} style={{ position: 'absolute', inset: 0 }} />
    </div>
  );
}
