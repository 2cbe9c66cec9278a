import { createChart, LineSeries } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { toChartTime, toLine } from '../../charts/adapters';
import { baseChartOptions, chartColors } from '../../charts/theme';
import { useLiveStore } from '../../stores/live-store';
import { useNavStore } from '../../stores/nav-store';

/** Account equity, updated in place from the store (no React render per tick). */
export function LiveEquityChart() {
  const host = useRef<HTMLDivElement>(null);
  const theme = useNavStore((s) => s.theme);
  const hasPoints = useLiveStore((s) => s.equity.time.length > 0);
  useEffect(() => {
    const el = host.current!;
    const chart = createChart(el, {
      ...baseChartOptions(),
      // fixLeftEdge: nothing lies before the first point, and the library then moves the first time label inside
      // the pane instead of cutting it ("18" for 2018).
      timeScale: {
        timeVisible: true,
        secondsVisible: true,
        borderColor: chartColors().border,
        minBarSpacing: 0.05,
        fixLeftEdge: true,
      },
    });
    const line = chart.addSeries(LineSeries, { color: chartColors().accent2, lineWidth: 2, priceLineVisible: false });
    let shown = 0;
    let lastTime = -1;
    const draw = (eq: { time: number[]; value: number[] }, replaced = false) => {
      if (replaced) {
        // A new session, or the host's history before the page's points: redraw whole (empty clears).
        line.setData(toLine(eq.time, eq.value));
        shown = eq.time.length;
        lastTime = shown > 0 ? toChartTime(eq.time[shown - 1]) : -1;
        // The whole curve in view, not squeezed against the right edge at the default spacing.
        if (shown > 0) chart.timeScale().fitContent();
        return;
      }
      if (eq.time.length === 0) return;
      // First draw or a trimmed history: set everything; otherwise update only the new points.
      if (shown === 0 || eq.time.length < shown) {
        line.setData(toLine(eq.time, eq.value));
      } else {
        for (let i = Math.max(0, shown - 1); i < eq.time.length; i++) {
          if (toChartTime(eq.time[i]) < lastTime) continue;
          line.update({ time: toChartTime(eq.time[i]), value: eq.value[i] });
          lastTime = toChartTime(eq.time[i]);
        }
      }
      shown = eq.time.length;
      lastTime = toChartTime(eq.time[eq.time.length - 1]);
    };
    draw(useLiveStore.getState().equity, true);
    const unsub = useLiveStore.subscribe((s, prev) => {
      if (s.equityEpoch !== prev.equityEpoch) draw(s.equity, true);
      else if (s.equity !== prev.equity) draw(s.equity);
    });
    return () => {
      unsub();
      chart.remove();
    };
  }, [theme]);
  return (
    <div style={{ position: 'relative', height: 180 }}>
      {!hasPoints && (
        <div
          className="muted"
          style={{
            position: 'absolute',
            inset: 0,
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
            zIndex: 2,
          }}
        >
          No equity reported by the host yet.
        </div>
      )}
      <div ref={host} style={{ position: 'absolute', inset: 0 }} data-testid="live-equity" />
    </div>
  );
}
