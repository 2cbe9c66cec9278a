import { create } from 'zustand';
import type { TradeMark } from '../charts/adapters';

/** A marker tied to a symbol: a backtest entry/exit or a live signal. */
export interface SymbolMark extends TradeMark {
  readonly symbol: string;
}

/** Markers the chart shows for its symbol: the opened run's trades and live signals. */
export const useMarksStore = create<{ readonly marks: readonly SymbolMark[] }>()(() => ({ marks: [] }));

/** Replaces the markers coming from `source` (a run id, or `live`). */
export function setMarks(marks: readonly SymbolMark[]): void {
  useMarksStore.setState({ marks });
}

/** Appends live signal markers (kept to the last 500). */
export function addMarks(marks: readonly SymbolMark[]): void {
  useMarksStore.setState((s) => ({ marks: [...s.marks, ...marks].slice(-500) }));
}
