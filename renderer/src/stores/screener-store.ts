import { create } from 'zustand';
import type { DeskColumn, SavedScreen, ScreenFilter, ScreenResult } from '../../../core/model/desk';
import { setSetup } from './backtest-store';
import { showView } from './nav-store';
import { addToWatchlist, createWatchlist, loadWatchlists } from './watchlists-store';

/** The screen being edited (the form), in the shape `screener:run` takes. */
export interface ScreenForm {
  /** YYYY-MM-DD, or '' for now. */
  readonly date: string;
  readonly universe: string;
  readonly columns: readonly DeskColumn[];
  readonly filters: readonly ScreenFilter[];
  readonly rank: { readonly column: number; readonly order: 'desc' | 'asc' } | null;
  readonly limit: number;
}

interface ScreenerState {
  readonly form: ScreenForm;
  readonly result: ScreenResult | null;
  readonly saved: readonly SavedScreen[];
  readonly isRunning: boolean;
  readonly error: string | null;
  readonly notice: string | null;
}

export const DEFAULT_SCREEN: ScreenForm = {
  date: '',
  universe: '',
  columns: [
    { kind: 'last' },
    { kind: 'rsi', period: 14 },
    { kind: 'return', bars: 20 },
    { kind: 'sma-distance', period: 50 },
  ],
  filters: [],
  rank: { column: 2, order: 'desc' },
  limit: 50,
};

export const useScreenerStore = create<ScreenerState>()(() => ({
  form: DEFAULT_SCREEN,
  result: null,
  saved: [],
  isRunning: false,
  error: null,
  notice: null,
}));

/** Edits the form. */
export function setScreen(patch: Partial<ScreenForm>): void {
  useScreenerStore.setState((s) => ({ form: { ...s.form, ...patch } }));
}

/** Removes column `j`, dropping the filters on it and shifting the others. */
export function removeScreenColumn(j: number): void {
  const f = useScreenerStore.getState().form;
  const shift = (c: number) => (c > j ? c - 1 : c);
  setScreen({
    columns: f.columns.filter((_, k) => k !== j),
    filters: f.filters.filter((x) => x.column !== j).map((x) => ({ ...x, column: shift(x.column) })),
    rank: f.rank === null || f.rank.column === j ? null : { ...f.rank, column: shift(f.rank.column) },
  });
}

function toDef(f: ScreenForm) {
  return {
    asOf: f.date ? Date.parse(`${f.date}T23:59:59.999Z`) : null,
    ...(f.universe.trim() ? { universe: f.universe.trim() } : {}),
    columns: [...f.columns],
    filters: [...f.filters],
    ...(f.rank ? { rank: f.rank } : {}),
    limit: f.limit,
  };
}

/** Runs the screen in the form. */
export async function runScreen(): Promise<void> {
  useScreenerStore.setState({ isRunning: true, error: null, notice: null });
  const r = await window.api.invoke('screener:run', toDef(useScreenerStore.getState().form));
  useScreenerStore.setState(
    r.ok
      ? { result: r.value, isRunning: false }
      : { error: (r.error.details ?? [r.error.message]).join('; '), isRunning: false },
  );
}

/** Loads the saved screens. */
export async function loadScreens(): Promise<void> {
  const r = await window.api.invoke('screener:list');
  if (r.ok) useScreenerStore.setState({ saved: r.value });
}

/** Saves the form under `name`. */
export async function saveScreenAs(name: string): Promise<boolean> {
  const r = await window.api.invoke('screener:save', { name, screen: toDef(useScreenerStore.getState().form) });
  if (!r.ok) {
    useScreenerStore.setState({ error: (r.error.details ?? [r.error.message]).join('; ') });
    return false;
  }
  useScreenerStore.setState({ notice: `Saved “${name}”` });
  await loadScreens();
  return true;
}

/** Loads a saved screen into the form. */
export function openScreen(id: string): void {
  const s = useScreenerStore.getState().saved.find((x) => x.id === id);
  if (!s) return;
  const d = s.screen;
  setScreen({
    date: d.asOf === null ? '' : new Date(d.asOf).toISOString().slice(0, 10),
    universe: d.universe ?? '',
    columns: d.columns,
    filters: d.filters,
    rank: d.rank ?? null,
    limit: d.limit,
  });
}

/** Deletes a saved screen. */
export async function deleteSavedScreen(id: string): Promise<void> {
  await window.api.invoke('screener:delete', { id });
  await loadScreens();
}

/** Sends the result's symbols to watchlist `listId`, or to a new list named `newName`. */
export async function sendToWatchlist(listId: string | null, newName: string): Promise<void> {
  const symbols = useScreenerStore.getState().result?.symbols ?? [];
  if (!symbols.length) return;
  await loadWatchlists();
  if (listId) await addToWatchlist(symbols, listId);
  else await createWatchlist(newName || 'Screen', symbols);
  useScreenerStore.setState({ notice: `${symbols.length} symbols sent to the watchlist` });
}

/** Puts the result's symbols in the Backtest form (its universe) and opens it. */
export function sendToBacktest(): void {
  const symbols = useScreenerStore.getState().result?.symbols ?? [];
  if (!symbols.length) return;
  setSetup({ symbols: symbols.join(', '), universe: '' });
  showView('backtest');
}
