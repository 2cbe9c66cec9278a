import { create } from 'zustand';
import type { AppError } from '../../../core/contract';
import type { OhlcvColumns } from '../charts/adapters';
import { toColumn } from '../lib/series-math';

interface BarsState {
  readonly symbol: string | null;
  readonly bars: OhlcvColumns | null;
  readonly isLoading: boolean;
  readonly error: AppError | null;
}

export const useBarsStore = create<BarsState>()(() => ({ symbol: null, bars: null, isLoading: false, error: null }));

/** Columns as they cross JSON (arrays, typed arrays or index-keyed objects) → Float64Array columns. */
export function toOhlcv(raw: Record<string, unknown>): OhlcvColumns {
  return {
    time: toColumn(raw.time),
    open: toColumn(raw.open),
    high: toColumn(raw.high),
    low: toColumn(raw.low),
    close: toColumn(raw.close),
    volume: toColumn(raw.volume),
  };
}

/** Loads a symbol's whole daily history for the chart; a later call for another symbol wins. */
export async function loadBars(symbol: string): Promise<void> {
  useBarsStore.setState({ symbol, isLoading: true, error: null });
  const r = await window.api.invoke('data:bars', { symbol });
  if (useBarsStore.getState().symbol !== symbol) return;
  if (r.ok) useBarsStore.setState({ bars: toOhlcv(r.value as unknown as Record<string, unknown>), isLoading: false });
  else useBarsStore.setState({ bars: null, isLoading: false, error: r.error });
}
