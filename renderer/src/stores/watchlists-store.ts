import { create } from 'zustand';
import type { ColumnTable, DeskColumn, Watchlist } from '../../../core/model/desk';

interface WatchlistsState {
  readonly lists: readonly Watchlist[];
  /** The list shown (and the one the palette adds to). */
  readonly active: string | null;
  readonly table: ColumnTable | null;
  readonly error: string | null;
}

export const useWatchlistsStore = create<WatchlistsState>()(() => ({
  lists: [],
  active: null,
  table: null,
  error: null,
}));

/** Column presets the picker offers (any indicator or expression can be added through the API too). */
export const COLUMN_PRESETS: readonly { readonly label: string; readonly column: DeskColumn }[] = [
  { label: 'Last', column: { kind: 'last' } },
  { label: 'Day change %', column: { kind: 'change' } },
  { label: 'Volume', column: { kind: 'volume' } },
  { label: 'RSI(14)', column: { kind: 'rsi', period: 14 } },
  { label: 'vs SMA50 %', column: { kind: 'sma-distance', period: 50 } },
  { label: 'vs SMA200 %', column: { kind: 'sma-distance', period: 200 } },
  { label: '52-week high', column: { kind: 'high-52w' } },
  { label: '52-week low', column: { kind: 'low-52w' } },
  { label: 'Return 20 bars %', column: { kind: 'return', bars: 20 } },
  { label: 'EPS (known now)', column: { kind: 'fundamental', field: 'eps' } },
  { label: 'Book value/share (known now)', column: { kind: 'fundamental', field: 'book_value_per_share' } },
];

// Edits run one after another, each on the list as the previous one left it (two quick clicks add two columns).
let chain: Promise<unknown> = Promise.resolve();
function queued<T>(fn: () => Promise<T>): Promise<T> {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
}

function activeList(): Watchlist | undefined {
  const { lists, active } = useWatchlistsStore.getState();
  return lists.find((l) => l.id === active);
}

/** Loads the lists (keeping the active one, else the first) and the active list's table. */
export async function loadWatchlists(): Promise<void> {
  const r = await window.api.invoke('watchlists:list');
  if (!r.ok) return useWatchlistsStore.setState({ error: r.error.message });
  const active = useWatchlistsStore.getState().active;
  useWatchlistsStore.setState({
    lists: r.value,
    active: r.value.some((l) => l.id === active) ? active : (r.value[0]?.id ?? null),
    error: null,
  });
  await refreshTable();
}

/** Recomputes the active list's columns (as of now). */
export async function refreshTable(): Promise<void> {
  const w = activeList();
  if (!w) return useWatchlistsStore.setState({ table: null });
  const r = await window.api.invoke('watchlists:table', { id: w.id });
  if (useWatchlistsStore.getState().active !== w.id) return;
  useWatchlistsStore.setState(r.ok ? { table: r.value, error: null } : { error: r.error.message });
}

async function save(w: Omit<Watchlist, 'updatedAt' | 'id'> & { id?: string }): Promise<Watchlist | null> {
  const r = await window.api.invoke('watchlists:save', {
    ...(w.id ? { id: w.id } : {}),
    name: w.name,
    symbols: [...w.symbols],
    columns: [...w.columns],
  });
  if (!r.ok) {
    useWatchlistsStore.setState({ error: r.error.message });
    return null;
  }
  useWatchlistsStore.setState((s) => ({
    lists: s.lists.some((l) => l.id === r.value.id)
      ? s.lists.map((l) => (l.id === r.value.id ? r.value : l))
      : [...s.lists, r.value],
    error: null,
  }));
  await refreshTable();
  return r.value;
}

/** Creates a list and shows it. */
export async function createWatchlist(name: string, symbols: readonly string[] = []): Promise<Watchlist | null> {
  const w = await save({
    name,
    symbols,
    columns: [{ kind: 'last' }, { kind: 'change' }, { kind: 'volume' }, { kind: 'rsi', period: 14 }],
  });
  if (w) {
    useWatchlistsStore.setState({ active: w.id });
    await refreshTable();
  }
  return w;
}

/** Shows list `id`. */
export function showWatchlist(id: string): void {
  useWatchlistsStore.setState({ active: id, table: null });
  void refreshTable();
}

/** Adds symbols to the active list (a new list when there is none); symbols already there are skipped. */
export function addToWatchlist(symbols: readonly string[], listId?: string): Promise<void> {
  return queued(() => addNow(symbols, listId));
}

async function addNow(symbols: readonly string[], listId?: string): Promise<void> {
  let w = listId ? useWatchlistsStore.getState().lists.find((l) => l.id === listId) : activeList();
  if (!w) {
    if (useWatchlistsStore.getState().lists.length === 0) await loadWatchlists();
    w = activeList() ?? (await createWatchlist('Watchlist'))!;
    if (!w) return;
  }
  const add = symbols.filter((s) => !w!.symbols.includes(s));
  if (add.length) await save({ ...w, symbols: [...w.symbols, ...add] });
}

/** Removes a symbol from the active list. */
export function removeFromWatchlist(symbol: string): Promise<void> {
  return queued(async () => {
    const w = activeList();
    if (w) await save({ ...w, symbols: w.symbols.filter((s) => s !== symbol) });
  });
}

/** Moves a symbol up (-1) or down (+1) in the active list. */
export function moveInWatchlist(symbol: string, by: -1 | 1): Promise<void> {
  return queued(async () => {
    const w = activeList();
    if (!w) return;
    const i = w.symbols.indexOf(symbol);
    const j = i + by;
    if (i < 0 || j < 0 || j >= w.symbols.length) return;
    const next = [...w.symbols];
    [next[i], next[j]] = [next[j], next[i]];
    await save({ ...w, symbols: next });
  });
}

/** Adds a column to the active list. */
export function addColumn(column: DeskColumn): Promise<void> {
  return queued(async () => {
    const w = activeList();
    if (w) await save({ ...w, columns: [...w.columns, column] });
  });
}

/** Removes column `j` of the active list. */
export function removeColumn(j: number): Promise<void> {
  return queued(async () => {
    const w = activeList();
    if (w) await save({ ...w, columns: w.columns.filter((_, k) => k !== j) });
  });
}

/** Renames the active list. */
export async function renameWatchlist(name: string): Promise<void> {
  const w = activeList();
  if (w) await save({ ...w, name });
}

/** Deletes the active list. */
export async function deleteActiveWatchlist(): Promise<void> {
  const w = activeList();
  if (!w) return;
  await window.api.invoke('watchlists:delete', { id: w.id });
  useWatchlistsStore.setState({ active: null });
  await loadWatchlists();
}
