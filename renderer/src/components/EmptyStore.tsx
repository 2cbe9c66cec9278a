import { fmtInt } from '../lib/format';
import { initDefaultDataset, useInitStore } from '../stores/data-store';
import { ErrorBanner } from './ErrorBanner';

/** Shown when the store holds no instruments: load the bundled default dataset, or import CSV in Data. */
export function EmptyStore() {
  const { isRunning, step, rows, error } = useInitStore();
  return (
    <div className="panel" style={{ maxWidth: 560, margin: '40px auto' }} data-testid="empty-store">
      <div className="panel-title">The store is empty</div>
      <div className="panel-body">
        <p style={{ marginTop: 0 }}>
          Load the default dataset (a seeded synthetic market of 500 stocks with corporate actions and restated
          fundamentals, plus the S&amp;P 500 index), or import your own CSV files in the Data view (5).
        </p>
        <button
          className="btn btn-primary"
          disabled={isRunning}
          onClick={() => void initDefaultDataset()}
          data-testid="init-default"
        >
          {isRunning ? 'Loading…' : 'Load the default dataset'}
        </button>
        {isRunning && (
          <span className="muted mono" style={{ marginLeft: 10 }}>
            {step ?? 'starting'} · {fmtInt(rows)} rows
          </span>
        )}
      </div>
      <ErrorBanner error={error} />
    </div>
  );
}
