import { create } from 'zustand';
import type { IndicatorSeries } from '../../../core/contract';

/** The watchlist's indicator columns: name, parameters and header. */
export const WATCH_INDICATORS = [
  { key: 'rsi14', name: 'rsi', params: { period: 14 }, label: 'RSI 14' },
  { key: 'sma50', name: 'sma', params: { period: 50 }, label: 'SMA 50' },
] as const;

interface WatchIndicatorsState {
  /** `symbol → key → series` over the stored bars. */
  readonly series: Readonly<Record<string, Readonly<Record<string, IndicatorSeries>>>>;
}

export const useWatchIndicatorsStore = create<WatchIndicatorsState>()(() => ({ series: {} }));

/** Computes the watchlist indicators of `symbols` over their stored bars (once per symbol). */
export async function loadWatchIndicators(symbols: readonly string[]): Promise<void> {
  const have = useWatchIndicatorsStore.getState().series;
  const todo = symbols.filter((s) => !have[s]);
  const results = await Promise.all(
    todo.map(async (symbol) => {
      const entries = await Promise.all(
        WATCH_INDICATORS.map(async (ind) => {
          const r = await window.api.invoke('indicators:compute', {
            name: ind.name,
            params: { ...ind.params },
            symbol,
          });
          return r.ok ? ([ind.key, r.value] as const) : null;
        }),
      );
      return [symbol, Object.fromEntries(entries.filter((e) => e !== null))] as const;
    }),
  );
  useWatchIndicatorsStore.setState((s) => ({ series: { ...s.series, ...Object.fromEntries(results) } }));
}

/**
 * The indicator's value at the last bar at or before `time` (EpochMs): what was known when that
 * price printed, so a replay never shows a value from its future. NaN during warm-up or before the data.
 */
export function valueAt(series: IndicatorSeries | undefined, output: string, time: number): number {
  if (!series) return Number.NaN;
  const t = series.time;
  let lo = 0;
  let hi = t.length - 1;
  let idx = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (t[mid] <= time) {
      idx = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const v = idx >= 0 ? series.outputs[output]?.[idx] : undefined;
  return v ?? Number.NaN;
}
