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
import { fromChartTime, toCandles, toChartTime, toHistogram, toLine, toMarkers, toVolume, type OhlcvColumns, type TradeMark } from './adapters';
import { baseChartOptions, chartColors, LINE_COLORS } from './theme';
import type { DrawnIndicator } from './types';
import { FIB_LEVELS, type Drawing } from '../stores/drawings-store';

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
  /** Other symbols' closes on the price pane; with any, the pane shows percent from the first visible bar. */
  readonly compare?: readonly { readonly symbol: string; readonly time: ArrayLike<number>; readonly close: ArrayLike<number> }[];
  /** The symbol's saved drawings. */
  readonly drawings?: readonly Drawing[];
  /** A click on the price pane: the bar's time and the price under the pointer. */
  readonly onPick?: (p: { time: number; price: number }) => void;
}

function esc(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/**
 * Candles, volume, overlays, lower panes and markers in one lightweight-charts instance. One effect
 * owns the chart; the crosshair legend is written to the DOM directly (no React render per mouse move).
 */
export function PriceChart({ symbol, bars, indicators, marks, focusTime, theme, logScale = false, compare = [], drawings = [], onPick }: Props) {
  const pick = useRef(onPick);
  pick.current = onPick;
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
    candles.setData(toCandles(bars));
    // Percent (from the first visible bar) when symbols are compared, so every line starts at 0%; else log or linear.
    if (compare.length > 0) candles.priceScale().applyOptions({ mode: PriceScaleMode.Percentage });
    else if (logScale) candles.priceScale().applyOptions({ mode: PriceScaleMode.Logarithmic });
    compare.forEach((c, k) => {
      const line = chart.addSeries(LineSeries, { color: LINE_COLORS[(k + 1) % LINE_COLORS.length], lineWidth: 2, priceLineVisible: false, lastValueVisible: true, title: c.symbol });
      line.setData(toLine(c.time, c.close));
    });
    const volume = chart.addSeries(HistogramSeries, { priceScaleId: 'vol', priceFormat: { type: 'volume' }, lastValueVisible: false, priceLineVisible: false });
    volume.priceScale().applyOptions({ scaleMargins: { top: 0.85, bottom: 0 } });
    volume.setData(toVolume(bars, `${colors.up}66`, `${colors.down}66`));

    const named: { label: string; series: ISeriesApi<SeriesType> }[] = [];
    let pane = 0;
    for (const ind of indicators) {
      const paneIndex = ind.placement === 'overlay' ? 0 : ++pane;
      let isFirst = true;
      for (const line of ind.lines) {
        const common = { lastValueVisible: false, priceLineVisible: false, title: '' };
        const series =
          line.style === 'histogram'
            ? chart.addSeries(HistogramSeries, common, paneIndex)
            : chart.addSeries(LineSeries, { ...common, color: line.color, lineWidth: 1 }, paneIndex);
        if (line.style === 'histogram') series.setData(toHistogram(ind.time, line.values, `${colors.up}aa`, `${colors.down}aa`));
        else series.setData(toLine(ind.time, line.values));
        if (isFirst && ind.levels)
          for (const price of ind.levels) series.createPriceLine({ price, color: colors.text, lineWidth: 1, lineStyle: 2, axisLabelVisible: true, title: '' });
        isFirst = false;
        named.push({ label: `${ind.label} ${line.name}`.trim(), series: series as ISeriesApi<SeriesType> });
      }
    }
    const panes = chart.panes();
    if (panes.length > 1) {
      panes[0].setStretchFactor(3);
      for (let i = 1; i < panes.length; i++) panes[i].setStretchFactor(1);
    }
    // Drawings: horizontal lines and Fibonacci levels as price lines, trend lines as two-point line series.
    for (const d of drawings) {
      if (d.kind === 'hline') candles.createPriceLine({ price: d.price, color: '#f0a500', lineWidth: 1, lineStyle: 0, axisLabelVisible: true, title: 'H' });
      else if (d.kind === 'fib') {
        for (const lv of FIB_LEVELS) {
          const price = d.b.price + (d.a.price - d.b.price) * lv;
          candles.createPriceLine({ price, color: '#a371f7', lineWidth: 1, lineStyle: 2, axisLabelVisible: lv === 0 || lv === 1, title: `${(lv * 100).toFixed(1)}%` });
        }
      } else {
        const pts = [d.a, d.b].sort((x, y) => x.time - y.time);
        if (pts[0].time === pts[1].time) continue;
        const line = chart.addSeries(LineSeries, { color: '#f0a500', lineWidth: 2, priceLineVisible: false, lastValueVisible: false, crosshairMarkerVisible: false });
        line.setData(pts.map((p) => ({ time: toChartTime(p.time), value: p.price })));
      }
    }
    const onClick = (param: MouseEventParams<Time>) => {
      if (!param.point || param.time === undefined || !pick.current) return;
      const price = candles.coordinateToPrice(param.point.y);
      if (price !== null) pick.current({ time: fromChartTime(param.time), price: Number(price) });
    };
    chart.subscribeClick(onClick);
    const markers = createSeriesMarkers(candles, toMarkers(marksNow.current, colors.up, colors.down));
    markersApi.current = markers;

    const n = bars.time.length;
    if (focusTime !== null && n > 0) {
      const t = toChartTime(focusTime);
      let i = 0;
      while (i < n - 1 && toChartTime(bars.time[i]) < t) i++;
      chart.timeScale().setVisibleLogicalRange({ from: Math.max(0, i - 60), to: Math.min(n, i + 60) });
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
        `<div><span class="sym">${esc(symbol)}</span><span>${fmtDate(bars.time[idx])}</span>` +
        `<span>O ${fmtPrice(bars.open[idx])}</span><span>H ${fmtPrice(bars.high[idx])}</span>` +
        `<span>L ${fmtPrice(bars.low[idx])}</span><span class="${cls}">C ${fmtPrice(bars.close[idx])}</span>` +
        `<span class="${cls}">${Number.isFinite(chg) ? (chg * 100).toFixed(2) + '%' : ''}</span><span>V ${fmtCompact(bars.volume[idx])}</span></div>`;
      for (const ind of indicators) {
        const parts = ind.lines.map((l) => `<span style="color:${l.color}">${l.name ? esc(l.name) + ' ' : ''}${fmtPrice(l.values[idx])}</span>`);
        html += `<div data-indicator="${esc(ind.id)}"><span>${esc(ind.label)}</span>${parts.join('')}</div>`;
      }
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
    el.dataset.drawings = String(drawings.length);
    el.dataset.scale = compare.length > 0 ? 'percent' : logScale ? 'log' : 'linear';
    return () => {
      chart.unsubscribeCrosshairMove(showLegend);
      chart.unsubscribeClick(onClick);
      markersApi.current = null;
      markers.detach();
      chart.remove();
      delete el.dataset.chartReady;
    };
  }, [symbol, bars, indicators, focusTime, theme, logScale, compare, drawings]);

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
