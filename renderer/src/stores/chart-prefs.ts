import { create } from 'zustand';
import { isTimeframe, type Timeframe } from '../lib/chart-view';
import { addIndicator, useIndicatorsStore } from './indicators-store';

/**
 * Chart preferences kept across reloads (localStorage): log scale, timeframe, raw or adjusted prices, and the
 * indicators on the chart (issue 17).
 */
export interface ChartPrefs {
  readonly logScale: boolean;
  readonly timeframe: Timeframe;
  /** `raw`: as traded; `pit`: adjusted for splits and dividends as known at each date. */
  readonly adjustment: 'raw' | 'pit';
  /** Symbols drawn on the price pane beside the chart's own, all rebased to 100 at the first visible bar. */
  readonly compare: readonly string[];
}

export const CHART_PREFS_KEY = 'quantdesk.chart.prefs';
export const CHART_INDICATORS_KEY = 'quantdesk.chart.indicators';

function readPrefs(): ChartPrefs {
  const d: ChartPrefs = { logScale: false, timeframe: 'D', adjustment: 'raw', compare: [] };
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(CHART_PREFS_KEY) ?? 'null') as Partial<ChartPrefs> | null;
    if (!v) return d;
    return {
      logScale: typeof v.logScale === 'boolean' ? v.logScale : d.logScale,
      timeframe: isTimeframe(v.timeframe) ? v.timeframe : 'D',
      adjustment: v.adjustment === 'pit' ? 'pit' : 'raw',
      compare: Array.isArray(v.compare) ? v.compare.filter((x): x is string => typeof x === 'string').slice(0, 6) : [],
    };
  } catch {
    return d;
  }
}

export const useChartPrefs = create<ChartPrefs>()(() => readPrefs());

export function setChartPrefs(patch: Partial<ChartPrefs>): void {
  useChartPrefs.setState(patch);
  try {
    globalThis.localStorage?.setItem(CHART_PREFS_KEY, JSON.stringify(useChartPrefs.getState()));
  } catch {
    // storage full or disabled: the preference lasts for this session
  }
}

let indicatorsRestored = false;

/** Puts back the indicators of the last session (once, after the catalogue loads), then saves every change. */
export function persistIndicators(): () => void {
  if (typeof localStorage === 'undefined') return () => {};
  if (!indicatorsRestored && useIndicatorsStore.getState().catalog.length > 0) {
    indicatorsRestored = true;
    try {
      const saved = JSON.parse(localStorage.getItem(CHART_INDICATORS_KEY) ?? '[]') as {
        name: string;
        params: Record<string, number>;
      }[];
      const known = new Set<string>(useIndicatorsStore.getState().catalog.map((c) => c.name));
      if (useIndicatorsStore.getState().active.length === 0)
        for (const a of saved)
          if (a && typeof a.name === 'string' && known.has(a.name)) void addIndicator(a.name, a.params ?? {});
    } catch {
      // a broken entry is ignored
    }
  }
  return useIndicatorsStore.subscribe((s, prev) => {
    if (s.active !== prev.active)
      localStorage.setItem(
        CHART_INDICATORS_KEY,
        JSON.stringify(s.active.map((a) => ({ name: a.name, params: a.params }))),
      );
  });
}
