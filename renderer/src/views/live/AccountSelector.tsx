import { useEffect, useState } from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { fmtMoney } from '../../lib/format';
import {
  connectBroker,
  disconnectBroker,
  loadBrokers,
  saveBrokerKeys,
  subscribeBroker,
  useBrokerStore,
  type ConnectTarget,
} from '../../stores/broker-store';

/**
 * Which account the live session trades: a banner that says PAPER or LIVE (real money) and the account,
 * the broker selector, the typed arming step for a real-money account, and the last reconciliation with
 * journal and broker side by side when they disagree.
 */
export function AccountSelector() {
  const { brokers, status, armPhrase, isBusy, error } = useBrokerStore();
  const [broker, setBroker] = useState<ConnectTarget['broker']>('paper');
  const [account, setAccount] = useState('');
  const [live, setLive] = useState(false);
  const [typed, setTyped] = useState('');
  const [keyForm, setKeyForm] = useState<Record<string, string> | null>(null);
  const keyNames = brokers.find((b) => b.name === broker)?.keys ?? [];
  useEffect(() => {
    const off = subscribeBroker();
    void loadBrokers();
    return off;
  }, []);
  const isLive = status.mode === 'live';
  const target: ConnectTarget = { broker, live: broker !== 'paper' && live, account: account.trim() || undefined };
  const rec = status.reconcile;
  return (
    <div
      className="panel"
      data-testid="account-selector"
      data-account-mode={status.mode}
      data-account-connected={status.connected ? 'true' : 'false'}
    >
      <div className={`account-banner ${isLive ? 'live' : 'paper'}`} data-testid="account-banner">
        <strong>{isLive ? 'LIVE — REAL MONEY' : 'PAPER'}</strong>
        <span>
          {status.connected
            ? `${status.broker} account ${status.accountId}`
            : `built-in paper broker${status.session ? ` (session ${status.session})` : ''}`}
          {status.equity !== null && ` · equity ${fmtMoney(status.equity)} ${status.currency ?? ''}`}
          {status.buyingPower !== null && ` · buying power ${fmtMoney(status.buyingPower)}`}
        </span>
        {status.connected && rec && (
          <span className={`badge ${rec.ok ? 'ok' : 'bad'}`} data-testid="reconcile-state">
            {rec.ok ? 'reconciled' : `${rec.mismatches.length} mismatch${rec.mismatches.length === 1 ? '' : 'es'}`}
          </span>
        )}
      </div>
      <div className="toolbar">
        <select
          value={broker}
          onChange={(e) => setBroker(e.target.value as ConnectTarget['broker'])}
          disabled={status.connected}
          data-testid="broker-select"
          style={{ width: 220 }}
        >
          {(brokers.length ? brokers : [{ name: 'paper', configured: true, keys: [] }]).map((b) => (
            <option key={b.name} value={b.name}>
              {b.name}
              {b.configured ? '' : ' (keys not set)'}
            </option>
          ))}
        </select>
        {broker !== 'paper' && (
          <>
            <input
              className="mono"
              placeholder="account (default)"
              value={account}
              onChange={(e) => setAccount(e.target.value)}
              style={{ width: 140 }}
              disabled={status.connected}
            />
            <label className="muted">
              <input
                type="checkbox"
                checked={live}
                onChange={(e) => setLive(e.target.checked)}
                disabled={status.connected}
                data-testid="broker-live"
              />{' '}
              real money
            </label>
          </>
        )}
        {status.connected ? (
          <button className="btn" onClick={() => void disconnectBroker()} data-testid="broker-disconnect">
            Disconnect
          </button>
        ) : (
          <button
            className="btn"
            onClick={() => void connectBroker(target)}
            disabled={isBusy || broker === 'paper' || !brokers.find((b) => b.name === broker)?.configured}
            data-testid="broker-connect"
          >
            Connect
          </button>
        )}
        {broker !== 'paper' && !status.connected && keyForm === null && (
          <button className="btn" onClick={() => setKeyForm({})} data-testid="broker-keys">
            Keys…
          </button>
        )}
        {keyForm !== null && broker !== 'paper' && (
          <span className="arm-step" data-testid="broker-key-form">
            {keyNames.map((k) => (
              <input
                key={k}
                type={/SECRET|KEY/.test(k) ? 'password' : 'text'}
                autoComplete="off"
                className="mono"
                placeholder={k}
                value={keyForm[k] ?? ''}
                onChange={(e) => setKeyForm({ ...keyForm, [k]: e.target.value })}
                style={{ width: 150 }}
              />
            ))}
            <button
              className="btn"
              onClick={() => {
                const values = Object.fromEntries(Object.entries(keyForm).filter(([, v]) => v !== ''));
                // The fields are cleared whatever the answer: keys do not stay in the page.
                setKeyForm(null);
                void saveBrokerKeys(broker as 'alpaca' | 'kis', values);
              }}
            >
              Save encrypted
            </button>
            <button className="btn" onClick={() => setKeyForm(null)}>
              Cancel
            </button>
          </span>
        )}
        {armPhrase && !status.connected && (
          <span className="arm-step" data-testid="arm-step">
            <span className="badge bad">real orders</span> type <code className="mono">{armPhrase}</code>{' '}
            <input
              className="mono"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              style={{ width: 160 }}
              data-testid="arm-input"
            />
            <button
              className="btn btn-danger"
              disabled={typed !== armPhrase || isBusy}
              onClick={() => void connectBroker(target, typed)}
              data-testid="arm-confirm"
            >
              Arm live trading
            </button>
          </span>
        )}
      </div>
      <ErrorBanner error={error} onDismiss={() => useBrokerStore.setState({ error: null })} />
      {status.connected && rec && (rec.positions.length > 0 || !rec.ok) && (
        <table className="grid reconcile" data-testid="reconcile-table" data-reconcile-ok={rec.ok ? 'true' : 'false'}>
          <thead>
            <tr>
              <th>{rec.ok ? 'positions (journal = broker)' : 'journal vs broker'}</th>
              <th className="num">journal</th>
              <th className="num">broker</th>
            </tr>
          </thead>
          <tbody>
            {rec.positions.map((p) => (
              <tr key={`p:${p.symbol}`} className={p.journal === p.broker ? '' : 'bad'}>
                <td className="mono">position {p.symbol}</td>
                <td className="num">{p.journal}</td>
                <td className="num">{p.broker}</td>
              </tr>
            ))}
            {rec.mismatches
              .filter((m) => m.kind === 'order')
              .map((m) => (
                <tr key={`o:${m.key}`} className="bad">
                  <td className="mono">order {m.key}</td>
                  <td className="num">{m.journal}</td>
                  <td className="num">{m.broker}</td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
