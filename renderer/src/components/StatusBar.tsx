import { useConnectionStore } from '../stores/connection-store';
import { toggleTheme, useNavStore } from '../stores/nav-store';
import { HealthPanel } from './HealthPanel';

/** Bottom bar: connection state, host, symbol, theme toggle. */
export function StatusBar() {
  const status = useConnectionStore((s) => s.status);
  const host = useConnectionStore((s) => s.host);
  const version = useConnectionStore((s) => s.version);
  const error = useConnectionStore((s) => s.error);
  const dataset = useConnectionStore((s) => s.dataset);
  const symbol = useNavStore((s) => s.symbol);
  const theme = useNavStore((s) => s.theme);
  return (
    <footer className="status-bar">
      <span className={`conn conn-${status}`} data-status={status} title={error ?? ''}>
        <span className="dot" /> {status}
      </span>
      {host && <span className="muted">{host}</span>}
      {version && <span className="muted">v{version}</span>}
      {error && status !== 'connected' && <span className="neg">{error}</span>}
      {dataset && dataset.state === 'loading' && (
        <span className="warn-text" data-testid="dataset-loading">
          Loading default dataset{dataset.fraction !== null ? ` ${(dataset.fraction * 100).toFixed(0)}%` : '…'}{' '}
          {dataset.message}
        </span>
      )}
      {dataset && dataset.state === 'failed' && <span className="neg">Default dataset failed: {dataset.message}</span>}
      <span className="spacer" />
      {status === 'connected' && <HealthPanel />}
      {symbol && <span className="mono">{symbol}</span>}
      <span className="muted">1–6 views · Ctrl+K symbol</span>
      <button className="btn-ghost" onClick={toggleTheme} data-testid="theme-toggle">
        {theme === 'dark' ? 'Light' : 'Dark'} theme
      </button>
    </footer>
  );
}
