import { create } from 'zustand';
import type { AppError } from '../../../core/contract';
import type { OhlcvColumns } from '../charts/adapters';

interface BarsState {
  readonly symbol: string | null;
  readonly bars: OhlcvColumns | null;
  readonly isLoading: boolean;
  readonly error: AppError | null;
  /** The prices loaded: raw (as traded) or point-in-time adjusted. */
  readonly adjustment?: 'raw' | 'pit';
}

export const useBarsStore = create<BarsState>()(() => ({
  symbol: null,
  bars: null,
  isLoading: false,
  error: null,
  adjustment: 'raw',
}));

/** Loads a symbol's whole daily history for the chart; a later call for another symbol wins. */
export async function loadBars(symbol: string, adjustment: 'raw' | 'pit' = 'raw'): Promise<void> {
  useBarsStore.setState({ symbol, isLoading: true, error: null, adjustment });
  const r = await window.api.invoke('data:bars', adjustment === 'raw' ? { symbol } : { symbol, adjustment });
  if (useBarsStore.getState().symbol !== symbol || useBarsStore.getState().adjustment !== adjustment) return;
  // Float64Array columns with EpochMs times over either transport; the chart adapter makes them seconds.
  if (r.ok) useBarsStore.setState({ bars: r.value, isLoading: false });
  else useBarsStore.setState({ bars: null, isLoading: false, error: r.error });
}
