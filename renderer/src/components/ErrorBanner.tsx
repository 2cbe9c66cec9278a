import type { AppError } from '../../../core/contract';

const LABELS: Record<AppError['code'], string> = {
  'not-found': 'not found',
  'invalid-input': 'invalid input',
  cancelled: 'cancelled',
  conflict: 'conflict',
  unavailable: 'unavailable',
  internal: 'error',
};

/** An API or validation error shown in place, with the per-line details the core returned. */
export function ErrorBanner({ error, onDismiss }: { error: AppError | string | null; onDismiss?: () => void }) {
  if (!error) return null;
  const e: AppError = typeof error === 'string' ? { code: 'internal', message: error } : error;
  return (
    <div className="error-banner" role="alert" data-error-code={e.code}>
      <div className="error-head">
        <span className="error-code">{LABELS[e.code] ?? e.code}</span>
        <span className="error-message">{e.message}</span>
        {onDismiss && (
          <button className="btn-ghost" onClick={onDismiss} aria-label="Dismiss">
            ×
          </button>
        )}
      </div>
      {e.details && e.details.length > 0 && (
        <ul className="error-details">
          {e.details.slice(0, 50).map((d, i) => (
            <li key={i}>{d}</li>
          ))}
          {e.details.length > 50 && <li>… {e.details.length - 50} more</li>}
        </ul>
      )}
    </div>
  );
}
