import { create } from 'zustand';

/** The workstation views, in nav order (shortcuts 1–9, then 0 for the tenth; the rest from the nav bar). */
export const VIEWS = [
  'chart',
  'backtest',
  'optimize',
  'live',
  'data',
  'strategies',
  'models',
  'jobs',
  'desk',
  'alerts',
  'watchlist',
  'screener',
] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<View, string> = {
  chart: 'Chart',
  backtest: 'Backtest',
  optimize: 'Optimize',
  live: 'Live',
  data: 'Data',
  strategies: 'Strategies',
  models: 'Models',
  jobs: 'Jobs',
  desk: 'Desk',
  alerts: 'Alerts',
  watchlist: 'Watchlist',
  screener: 'Screener',
};

export type Theme = 'dark' | 'light';

interface NavState {
  readonly view: View;
  readonly symbol: string | null;
  /** A time (EpochMs) the chart should scroll to, e.g. a trade opened from the trade list. */
  readonly focusTime: number | null;
  readonly theme: Theme;
  readonly isPaletteOpen: boolean;
}

const THEME_KEY = 'quantdesk.theme';

function initialTheme(): Theme {
  try {
    return globalThis.localStorage?.getItem(THEME_KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

export const useNavStore = create<NavState>()(() => ({
  view: 'chart',
  symbol: null,
  focusTime: null,
  theme: initialTheme(),
  isPaletteOpen: false,
}));

export function showView(view: View): void {
  useNavStore.setState({ view });
}

/** Selects a symbol for the chart (and other views that follow it). */
export function selectSymbol(symbol: string): void {
  useNavStore.setState({ symbol, isPaletteOpen: false });
}

/** Opens the chart on `symbol`, scrolled to `time` (EpochMs). */
export function jumpToChart(symbol: string, time: number): void {
  useNavStore.setState({ view: 'chart', symbol, focusTime: time });
}

export function setPaletteOpen(isPaletteOpen: boolean): void {
  useNavStore.setState({ isPaletteOpen });
}

export function toggleTheme(): void {
  const theme: Theme = useNavStore.getState().theme === 'dark' ? 'light' : 'dark';
  try {
    globalThis.localStorage?.setItem(THEME_KEY, theme);
  } catch {
    // storage may be unavailable (sandboxed file://); the toggle still applies for this session
  }
  useNavStore.setState({ theme });
}

/** The shortcut of the view at nav position `i` (the inverse of {@link viewForKey}), or null past the tenth. */
export function keyForView(i: number): string | null {
  return i < 9 ? String(i + 1) : i === 9 ? '0' : null;
}

/** Maps a key event to a view: keys 1–9, then 0 for the tenth, outside text inputs. */
export function viewForKey(key: string): View | null {
  if (key.length !== 1 || key < '0' || key > '9') return null;
  const i = key === '0' ? 9 : Number(key) - 1;
  return i < VIEWS.length ? VIEWS[i] : null;
}
