import { create } from 'zustand';

/** A point on the chart: a bar time (EpochMs) and a price. */
export interface ChartPoint {
  readonly time: number;
  readonly price: number;
}

/** Drawings saved per symbol: a horizontal line, a trend line, a Fibonacci retracement between two points. */
export type Drawing =
  | { readonly kind: 'hline'; readonly price: number }
  | { readonly kind: 'trend'; readonly a: ChartPoint; readonly b: ChartPoint }
  | { readonly kind: 'fib'; readonly a: ChartPoint; readonly b: ChartPoint };

export type DrawMode = Drawing['kind'] | null;

/** Retracement levels drawn by a Fibonacci drawing, from `b` back towards `a`. */
export const FIB_LEVELS = [0, 0.236, 0.382, 0.5, 0.618, 0.786, 1] as const;

export const DRAWINGS_KEY = 'quantdesk.chart.drawings';

interface DrawingsState {
  readonly mode: DrawMode;
  /** The first click of a two-point drawing. */
  readonly pending: ChartPoint | null;
  readonly bySymbol: Readonly<Record<string, readonly Drawing[]>>;
}

function read(): Record<string, Drawing[]> {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(DRAWINGS_KEY) ?? '{}') as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Drawing[]>) : {};
  } catch {
    return {};
  }
}

export const useDrawingsStore = create<DrawingsState>()(() => ({ mode: null, pending: null, bySymbol: read() }));

function save(): void {
  try {
    globalThis.localStorage?.setItem(DRAWINGS_KEY, JSON.stringify(useDrawingsStore.getState().bySymbol));
  } catch {
    // storage full or disabled: drawings last for this session
  }
}

export function setDrawMode(mode: DrawMode): void {
  useDrawingsStore.setState({ mode, pending: null });
}

/** A click on the chart while drawing: one click places a horizontal line; two place a trend line or a Fibonacci. */
export function chartClicked(symbol: string, p: ChartPoint): void {
  const { mode, pending, bySymbol } = useDrawingsStore.getState();
  if (!mode || !Number.isFinite(p.price)) return;
  let d: Drawing;
  if (mode === 'hline') d = { kind: 'hline', price: p.price };
  else if (!pending) {
    useDrawingsStore.setState({ pending: p });
    return;
  } else d = { kind: mode, a: pending, b: p };
  useDrawingsStore.setState({ bySymbol: { ...bySymbol, [symbol]: [...(bySymbol[symbol] ?? []), d] }, pending: null, mode: null });
  save();
}

export function clearDrawings(symbol: string): void {
  const { [symbol]: _gone, ...rest } = useDrawingsStore.getState().bySymbol;
  useDrawingsStore.setState({ bySymbol: rest });
  save();
}
