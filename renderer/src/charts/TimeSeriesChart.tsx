import { AreaSeries, createChart, LineSeries, PriceScaleMode, type Time } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { fmtNum } from '../lib/format';
import { toLine } from './adapters';
import { useNavStore } from '../stores/nav-store';
import { baseChartOptions } from './theme';

/** One series of a time-series chart. */
export interface TimeSeries {
  readonly label: string;
  readonly time: ArrayLike<number>;
  readonly values: ArrayLike<number>;
  readonly color: string;
  readonly kind?: 'line' | 'area';
  readonly dashed?: boolean;
  readonly width?: 1 | 2 | 3;
}

interface Props {
  readonly series: readonly TimeSeries[];
  readonly height?: number;
  /** Formats legend values and the price axis (default: 2 decimals). */
  readonly format?: (v: number) => string;
  readonly testId?: string;
  /** Logarithmic price scale (equity fans spanning orders of magnitude). */
  readonly logScale?: boolean;
}

/** Equity, benchmark, drawdown, fan bands: lines and areas over time, with a legend. One effect per chart. */
export function TimeSeriesChart({
  series,
  height = 220,
  format = (v) => fmtNum(v, 2),
  testId,
  logScale = false,
}: Props) {
  const host = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLDivElement>(null);
  // Colours come from the theme's CSS variables: redraw when it changes.
  const theme = useNavStore((s) => s.theme);
  useEffect(() => {
    const el = host.current!;
    const base = baseChartOptions();
    const chart = createChart(el, {
      ...base,
      localization: { priceFormatter: format },
      rightPriceScale: { ...base.rightPriceScale, mode: logScale ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal },
      // Nothing lies before a series' first point; the library then keeps the first time label whole.
      timeScale: { ...base.timeScale, fixLeftEdge: true },
    });
    for (const s of series) {
      const data = toLine(s.time, s.values);
      if (s.kind === 'area') {
        const a = chart.addSeries(AreaSeries, {
          lineColor: s.color,
          topColor: `${s.color}10`,
          bottomColor: `${s.color}55`,
          lineWidth: 1,
          priceLineVisible: false,
          lastValueVisible: false,
          invertFilledArea: true,
        });
        a.setData(data);
      } else {
        const l = chart.addSeries(LineSeries, {
          color: s.color,
          lineWidth: s.width ?? 1,
          lineStyle: s.dashed ? 2 : 0,
          priceLineVisible: false,
          lastValueVisible: false,
        });
        l.setData(data);
      }
    }
    // autoSize measures the host after layout (a ResizeObserver): fit whenever the size is known or changes.
    const fit = () => chart.timeScale().fitContent();
    chart.timeScale().subscribeSizeChange(fit);
    const raf = requestAnimationFrame(fit);
    const show = (t: Time | undefined) => {
      const box = legend.current;
      if (!box) return;
      box.replaceChildren(
        ...series.map((s) => {
          const n = s.time.length;
          let idx = n - 1;
          if (t !== undefined && typeof t === 'number') {
            const ms = t * 1000;
            let lo = 0;
            let hi = n - 1;
            while (lo < hi) {
              const mid = (lo + hi) >> 1;
              if (s.time[mid] < ms) lo = mid + 1;
              else hi = mid;
            }
            idx = lo;
          }
          const span = document.createElement('span');
          span.style.color = s.color;
          span.textContent = `${s.label} ${idx >= 0 ? format(s.values[idx]) : ''}`;
          return span;
        }),
      );
    };
    show(undefined);
    const onMove = (p: { time?: Time }) => show(p.time);
    chart.subscribeCrosshairMove(onMove);
    el.dataset.chartReady = 'true';
    return () => {
      cancelAnimationFrame(raf);
      chart.timeScale().unsubscribeSizeChange(fit);
      chart.unsubscribeCrosshairMove(onMove);
      chart.remove();
    };
  }, [series, format, logScale, theme]);
  return (
    <div className="chart-box" style={{ height }} data-testid={testId}>
      <div ref={legend} className="legend" style={{ flexDirection: 'row', gap: 10 }} />
      <div ref={host} style={{ position: 'absolute', inset: 0 }} />
    </div>
  );
}
