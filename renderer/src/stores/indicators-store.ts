import { create } from 'zustand';
import type { AppError, IndicatorDescription, IndicatorSeries } from '../../../core/contract';
import { LINE_COLORS } from '../charts/theme';
import type { DrawnIndicator } from '../charts/types';
import { alignToBars } from '../charts/align';

export { alignToBars } from '../charts/align';

/** Indicators drawn over the price (same scale); every other one gets its own pane below. */
export const OVERLAY_INDICATORS: ReadonlySet<string> = new Set(['sma', 'ema', 'wma', 'bbands', 'ichimoku', 'vwap']);

/** Conventional reference levels of bounded oscillators. */
const LEVELS: Readonly<Record<string, readonly number[]>> = {
  rsi: [30, 70],
  stoch: [20, 80],
  williamsr: [-80, -20],
  cci: [-100, 100],
};

/** An indicator the user added to the chart. */
export interface ActiveIndicator {
  readonly id: string;
  readonly name: string;
  readonly params: Readonly<Record<string, number>>;
}

interface IndicatorsState {
  readonly catalog: readonly IndicatorDescription[];
  readonly active: readonly ActiveIndicator[];
  /** Computed series by active id, for the symbol in `symbol`. */
  readonly results: Readonly<Record<string, IndicatorSeries>>;
  readonly symbol: string | null;
  readonly error: AppError | null;
}

export const useIndicatorsStore = create<IndicatorsState>()(() => ({
  catalog: [],
  active: [],
  results: {},
  symbol: null,
  error: null,
}));

let nextId = 1;

/** Loads the indicator catalogue (names, params schemas, outputs). */
export async function loadIndicatorCatalog(): Promise<void> {
  const r = await window.api.invoke('indicators:list');
  useIndicatorsStore.setState(r.ok ? { catalog: r.value, error: null } : { error: r.error });
}

async function compute(a: ActiveIndicator, symbol: string): Promise<void> {
  const r = await window.api.invoke('indicators:compute', { name: a.name, params: { ...a.params }, symbol });
  // The symbol or the list may have changed while this was computing: drop stale answers.
  const s = useIndicatorsStore.getState();
  if (s.symbol !== symbol || !s.active.some((x) => x.id === a.id)) return;
  if (r.ok) useIndicatorsStore.setState({ results: { ...s.results, [a.id]: r.value }, error: null });
  else useIndicatorsStore.setState({ error: r.error });
}

/** Adds an indicator with parameters and computes it for the current symbol. */
export async function addIndicator(name: string, params: Readonly<Record<string, number>>): Promise<void> {
  const a: ActiveIndicator = { id: `${name}-${nextId++}`, name, params };
  useIndicatorsStore.setState((s) => ({ active: [...s.active, a] }));
  const symbol = useIndicatorsStore.getState().symbol;
  if (symbol) await compute(a, symbol);
}

/** Removes an indicator and its series. */
export function removeIndicator(id: string): void {
  useIndicatorsStore.setState((s) => {
    const results = { ...s.results };
    delete results[id];
    return { active: s.active.filter((a) => a.id !== id), results };
  });
}

/** Recomputes every active indicator for `symbol` (the chart's symbol changed). */
export async function computeIndicatorsFor(symbol: string): Promise<void> {
  useIndicatorsStore.setState({ symbol, results: {} });
  await Promise.all(useIndicatorsStore.getState().active.map((a) => compute(a, symbol)));
}

/** `sma(20)`, `macd(12,26,9)`: the legend label. */
export function indicatorLabel(a: ActiveIndicator): string {
  return `${a.name.toUpperCase()}(${Object.values(a.params).join(',')})`;
}

/** Turns computed results into what the price chart draws, aligned to the bars, colours assigned in order. */
export function drawnIndicators(
  active: readonly ActiveIndicator[],
  results: Readonly<Record<string, IndicatorSeries>>,
  barTime: ArrayLike<number>,
): DrawnIndicator[] {
  const out: DrawnIndicator[] = [];
  let color = 0;
  for (const a of active) {
    const r = results[a.id];
    if (!r) continue;
    const lines = Object.entries(r.outputs).map(([name, values]) => ({
      name: name === 'value' ? '' : name,
      values: alignToBars(barTime, r.time, values),
      color: LINE_COLORS[color++ % LINE_COLORS.length],
      style: name === 'histogram' || name === 'hist' ? ('histogram' as const) : ('line' as const),
    }));
    out.push({
      id: a.id,
      label: indicatorLabel({ ...a, params: r.params }),
      placement: OVERLAY_INDICATORS.has(a.name) ? 'overlay' : 'pane',
      time: barTime,
      lines,
      levels: LEVELS[a.name],
      ...(a.name === 'ichimoku' ? { displace: r.params.base ?? 26 } : {}),
    });
  }
  return out;
}
