import { create } from 'zustand';
import type { LiveSignal } from '../../../core/contract';
import type { TradeMark } from '../charts/adapters';
import { explanationMark } from '../../../core/model/explanation';

/** Where a marker comes from: the opened backtest run's trades, or the live session's strategy signals. */
export type MarkSource = 'run' | 'live';

/** A marker tied to a symbol: a backtest entry/exit or a live signal. */
export interface SymbolMark extends TradeMark {
  readonly symbol: string;
  /** Default `run`. */
  readonly source?: MarkSource;
  /** The live signal's alert id (de-duplicates a signal both listed and pushed). */
  readonly id?: string;
}

/** Live signal markers kept in memory, newest kept (the journal has them all: `signals:list`). */
export const MAX_LIVE_MARKS = 5_000;

/** Markers the chart shows for its symbol: the opened run's trades and live signals. */
export const useMarksStore = create<{ readonly marks: readonly SymbolMark[] }>()(() => ({ marks: [] }));

const sourceOf = (m: SymbolMark): MarkSource => m.source ?? 'run';

/** Replaces the markers of `source` (default `run`: a newly opened run's trades), keeping the other source's. */
export function setMarks(marks: readonly SymbolMark[], source: MarkSource = 'run'): void {
  useMarksStore.setState((s) => ({
    marks: [...s.marks.filter((m) => sourceOf(m) !== source), ...marks.map((m) => ({ ...m, source }))],
  }));
}

/** A live signal as a chart marker: buys below the bar, sells above; `stop`/`target` exits say so. */
export function signalMark(s: LiveSignal): SymbolMark {
  const letter = s.side === 'buy' ? 'B' : 'S';
  // A model's signal names its largest contribution on the marker (the alert lists the top three).
  const text =
    s.reason !== 'signal'
      ? `${letter} ${s.reason}`
      : s.explanation
        ? `${letter} ${explanationMark(s.explanation)}`
        : letter;
  return { symbol: s.symbol, time: s.time, side: s.side, text, source: 'live', id: s.alertId };
}

/** Keeps the newest `MAX_LIVE_MARKS` live markers (they arrive in time order), every run marker, and no id twice. */
function capLive(marks: readonly SymbolMark[]): SymbolMark[] {
  const seen = new Set<string>();
  const out: SymbolMark[] = [];
  let live = 0;
  for (let i = marks.length - 1; i >= 0; i--) {
    const m = marks[i];
    if (sourceOf(m) === 'live') {
      if (live >= MAX_LIVE_MARKS || (m.id !== undefined && seen.has(m.id))) continue;
      if (m.id !== undefined) seen.add(m.id);
      live++;
    }
    out.push(m);
  }
  return out.reverse();
}

/** Appends pushed live signals (`signal:fired`, batched per frame) as markers. */
export function addSignalMarks(signals: readonly LiveSignal[]): void {
  if (signals.length === 0) return;
  useMarksStore.setState((s) => ({ marks: capLive([...s.marks, ...signals.map(signalMark)]) }));
}

/** Replaces `symbol`'s live markers with its journaled signals (`signals:list`), keeping everything else. */
export function setSymbolSignalMarks(symbol: string, signals: readonly LiveSignal[]): void {
  const fresh = signals.map(signalMark).sort((a, b) => a.time - b.time);
  useMarksStore.setState((s) => ({
    marks: capLive([...s.marks.filter((m) => m.symbol !== symbol || sourceOf(m) !== 'live'), ...fresh]),
  }));
}

/** Drops every live marker (a new session starts). */
export function clearSignalMarks(): void {
  useMarksStore.setState((s) => ({ marks: s.marks.filter((m) => sourceOf(m) !== 'live') }));
}
