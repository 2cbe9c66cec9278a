import { create } from 'zustand';

/** A point on the chart: a bar time (EpochMs) and a price. */
export interface ChartPoint {
  readonly time: number;
  readonly price: number;
}

/** Drawings saved per symbol: a horizontal line; a trend line, a rectangle or a Fibonacci retracement between two points. */
export type Drawing =
  | { readonly kind: 'hline'; readonly price: number }
  | { readonly kind: 'trend'; readonly a: ChartPoint; readonly b: ChartPoint }
  | { readonly kind: 'rect'; readonly a: ChartPoint; readonly b: ChartPoint }
  | { readonly kind: 'fib'; readonly a: ChartPoint; readonly b: ChartPoint };

/** What a drawing is called in the toolbar's list. */
export const DRAWING_NAMES: Readonly<Record<Drawing['kind'], string>> = {
  hline: 'Horizontal line',
  trend: 'Trend line',
  rect: 'Rectangle',
  fib: 'Fibonacci retracement',
};

export type DrawMode = Drawing['kind'] | null;

/** Retracement levels drawn by a Fibonacci drawing, from `b` back towards `a`. */
export const FIB_LEVELS = [0, 0.236, 0.382, 0.5, 0.618, 0.786, 1] as const;

export const DRAWINGS_KEY = 'quantdesk.chart.drawings';

interface DrawingsState {
  readonly mode: DrawMode;
  /** The first click of a two-point drawing. */
  readonly pending: ChartPoint | null;
  readonly bySymbol: Readonly<Record<string, readonly Drawing[]>>;
  /** The selected drawing of the chart's symbol (index into its list), moved, edited or deleted from the toolbar or by dragging. */
  readonly selected: number | null;
}

function read(): Record<string, Drawing[]> {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(DRAWINGS_KEY) ?? '{}') as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
    // A broken entry (hand-edited storage, an older shape) is dropped rather than breaking the chart.
    const out: Record<string, Drawing[]> = {};
    for (const [sym, list] of Object.entries(v as Record<string, unknown>))
      if (Array.isArray(list)) out[sym] = list.filter(isDrawing);
    return out;
  } catch {
    return {};
  }
}

function isPoint(p: unknown): p is ChartPoint {
  return (
    !!p && typeof p === 'object' && Number.isFinite((p as ChartPoint).time) && Number.isFinite((p as ChartPoint).price)
  );
}

function isDrawing(d: unknown): d is Drawing {
  if (!d || typeof d !== 'object') return false;
  const x = d as { kind?: unknown; price?: unknown; a?: unknown; b?: unknown };
  if (x.kind === 'hline') return Number.isFinite(x.price);
  return (x.kind === 'trend' || x.kind === 'rect' || x.kind === 'fib') && isPoint(x.a) && isPoint(x.b);
}

export const useDrawingsStore = create<DrawingsState>()(() => ({
  mode: null,
  pending: null,
  bySymbol: read(),
  selected: null,
}));

function save(): void {
  try {
    globalThis.localStorage?.setItem(DRAWINGS_KEY, JSON.stringify(useDrawingsStore.getState().bySymbol));
  } catch {
    // storage full or disabled: drawings last for this session
  }
}

export function setDrawMode(mode: DrawMode): void {
  useDrawingsStore.setState({ mode, pending: null, ...(mode ? { selected: null } : {}) });
}

/** A click on the chart while drawing: one click places a horizontal line; two place a trend line or a Fibonacci. */
export function chartClicked(symbol: string, p: ChartPoint): void {
  const { mode, pending, bySymbol } = useDrawingsStore.getState();
  if (!mode) {
    // A click on the chart outside any drawing deselects.
    if (useDrawingsStore.getState().selected !== null) useDrawingsStore.setState({ selected: null });
    return;
  }
  if (!Number.isFinite(p.price)) return;
  let d: Drawing;
  if (mode === 'hline') d = { kind: 'hline', price: p.price };
  else if (!pending) {
    useDrawingsStore.setState({ pending: p });
    return;
  } else d = { kind: mode, a: pending, b: p };
  const list = [...(bySymbol[symbol] ?? []), d];
  useDrawingsStore.setState({
    bySymbol: { ...bySymbol, [symbol]: list },
    pending: null,
    mode: null,
    selected: list.length - 1,
  });
  save();
}

/** Selects drawing `i` of the chart's symbol (null: none). */
export function selectDrawing(i: number | null): void {
  useDrawingsStore.setState({ selected: i });
}

/** Replaces drawing `i` of `symbol` (a move or an edit) and saves. */
export function updateDrawing(symbol: string, i: number, d: Drawing): void {
  const { bySymbol } = useDrawingsStore.getState();
  const list = bySymbol[symbol];
  if (!list || i < 0 || i >= list.length || !isDrawing(d)) return;
  useDrawingsStore.setState({ bySymbol: { ...bySymbol, [symbol]: list.map((x, k) => (k === i ? d : x)) } });
  save();
}

/** Deletes drawing `i` of `symbol` only, and saves. */
export function deleteDrawing(symbol: string, i: number): void {
  const { bySymbol } = useDrawingsStore.getState();
  const list = bySymbol[symbol];
  if (!list || i < 0 || i >= list.length) return;
  const rest = list.filter((_, k) => k !== i);
  const { [symbol]: _gone, ...others } = bySymbol;
  useDrawingsStore.setState({ bySymbol: rest.length ? { ...others, [symbol]: rest } : others, selected: null });
  save();
}

/** A drawing moved by `dPrice` and with its points' times replaced by `time(t)` (the caller maps a bar shift). */
export function moveDrawing(d: Drawing, dPrice: number, time: (t: number) => number): Drawing {
  if (d.kind === 'hline') return { kind: 'hline', price: d.price + dPrice };
  return {
    kind: d.kind,
    a: { time: time(d.a.time), price: d.a.price + dPrice },
    b: { time: time(d.b.time), price: d.b.price + dPrice },
  };
}

export function clearDrawings(symbol: string): void {
  const { [symbol]: _gone, ...rest } = useDrawingsStore.getState().bySymbol;
  useDrawingsStore.setState({ bySymbol: rest, selected: null });
  save();
}
