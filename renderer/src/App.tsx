import { useEffect } from 'react';
import { NavBar } from './components/NavBar';
import { StatusBar } from './components/StatusBar';
import { SymbolPalette } from './components/SymbolPalette';
import { subscribeSignals } from './stores/live-store';
import { setPaletteOpen, showView, useNavStore, viewForKey, type View } from './stores/nav-store';
import { installSpecDrop } from './stores/spec-file';
import { BacktestView } from './views/backtest/BacktestView';
import { ChartView } from './views/chart/ChartView';
import { DataView } from './views/data/DataView';
import { DeskView } from './views/desk/DeskView';
import { JobsView } from './views/jobs/JobsView';
import { LiveView } from './views/live/LiveView';
import { ModelsView } from './views/models/ModelsView';
import { OptimizeView } from './views/optimize/OptimizeView';
import { StrategiesView } from './views/strategies/StrategiesView';
import { AlertsView } from './views/alerts/AlertsView';
import { Panes } from './views/desk/Panes';
import { ScreenerView } from './views/screener/ScreenerView';
import { WatchlistView } from './views/watchlist/WatchlistView';
import { initLayout } from './stores/layout-store';
import { subscribeUserAlertNotifications } from './stores/user-alerts-store';

const VIEW_COMPONENTS: Record<View, () => React.JSX.Element> = {
  chart: ChartView,
  backtest: BacktestView,
  optimize: OptimizeView,
  live: LiveView,
  data: DataView,
  models: ModelsView,
  jobs: JobsView,
  strategies: StrategiesView,
  desk: DeskView,
  alerts: AlertsView,
  watchlist: WatchlistView,
  screener: ScreenerView,
};

const renderView = (v: View) => {
  const C = VIEW_COMPONENTS[v];
  return <C />;
};

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  return el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable;
}

/** The workstation shell: nav, the active view inside its error boundary, the status bar, the symbol palette. */
export function App() {
  const view = useNavStore((s) => s.view);
  const theme = useNavStore((s) => s.theme);
  const isPaletteOpen = useNavStore((s) => s.isPaletteOpen);

  useEffect(() => {
    document.body.dataset.theme = theme;
  }, [theme]);

  // A backtest spec (.json) dropped anywhere on the window opens in the Backtest form.
  useEffect(() => installSpecDrop(), []);

  // Panes and workspaces (issue 16): the stored layout, or one view in a `#view=NAME` tab.
  useEffect(() => {
    if (window.api) void initLayout(location.hash);
  }, []);

  // The user's own alert rules notify whichever view is open.
  useEffect(() => (window.api ? subscribeUserAlertNotifications() : undefined), []);

  // Live signals become chart markers whichever view is open.
  useEffect(() => (window.api ? subscribeSignals() : undefined), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setPaletteOpen(!useNavStore.getState().isPaletteOpen);
        return;
      }
      if (e.key === 'Escape' && useNavStore.getState().isPaletteOpen) {
        setPaletteOpen(false);
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const v = viewForKey(e.key);
      if (v) showView(v);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="app">
      <NavBar />
      <main className="view" data-active-view={view}>
        <Panes render={renderView} />
      </main>
      <StatusBar />
      {isPaletteOpen && <SymbolPalette />}
    </div>
  );
}
