import { useEffect, useState } from 'react';
import type { AppError, PlatformApiKey } from '../../../../core/contract';
import { ErrorBanner } from '../../components/ErrorBanner';

const LABEL: Record<PlatformApiKey['connector'], string> = { alphavantage: 'Alpha Vantage', dart: 'DART OpenAPI' };

/**
 * Data connectors' API keys, write-only: the page sends a key to the host (which stores it encrypted
 * with safeStorage in the desktop app) and only ever hears back whether it is set. The field is cleared
 * as soon as it is sent. A key in the environment wins over a stored one.
 */
export function ApiKeysPanel() {
  const [keys, setKeys] = useState<readonly PlatformApiKey[] | null>(null);
  const [draft, setDraft] = useState<Partial<Record<PlatformApiKey['connector'], string>>>({});
  const [error, setError] = useState<AppError | null>(null);
  useEffect(() => {
    void window.api.invoke('platform:api-keys').then((r) => (r.ok ? setKeys(r.value) : setError(r.error)));
  }, []);
  const save = async (connector: PlatformApiKey['connector'], value: string) => {
    // Cleared whatever the answer: a key does not stay in the page.
    setDraft((d) => ({ ...d, [connector]: '' }));
    const r = await window.api.invoke('platform:api-key-set', { connector, value });
    if (r.ok) setKeys(r.value);
    setError(r.ok ? null : r.error);
  };
  if (keys === null) return null;
  return (
    <div className="panel" data-testid="api-keys">
      <div className="panel-title">API keys</div>
      <ErrorBanner error={error} />
      <table className="grid">
        <tbody>
          {keys.map((k) => (
            <tr key={k.connector}>
              <td>{LABEL[k.connector]}</td>
              <td className="mono muted">{k.env}</td>
              <td className={k.set ? 'pos' : 'muted'} data-testid={`api-key-${k.connector}`}>
                {k.set ? 'set' : 'not set'}
              </td>
              <td>
                {k.storable ? (
                  <span>
                    <input
                      type="password"
                      autoComplete="off"
                      className="mono"
                      placeholder={k.set ? 'replace key' : 'key'}
                      value={draft[k.connector] ?? ''}
                      onChange={(e) => setDraft({ ...draft, [k.connector]: e.target.value })}
                      style={{ width: 180 }}
                      data-testid={`api-key-input-${k.connector}`}
                    />{' '}
                    <button
                      className="btn"
                      disabled={!draft[k.connector]}
                      onClick={() => void save(k.connector, draft[k.connector] ?? '')}
                      data-testid={`api-key-save-${k.connector}`}
                    >
                      Save encrypted
                    </button>{' '}
                    {k.set && (
                      <button className="btn" onClick={() => void save(k.connector, '')}>
                        Remove
                      </button>
                    )}
                  </span>
                ) : (
                  <span className="muted">set {k.env} in the environment of this host</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted panel-body">
        {keys.some((k) => k.storable)
          ? 'Keys are stored encrypted (the OS keychain) and never shown again; a variable set in the environment wins over a stored key.'
          : 'This host reads API keys from its environment only; the desktop app can store them encrypted.'}
      </p>
    </div>
  );
}
