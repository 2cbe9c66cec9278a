import { useEffect } from 'react';
import { describeCondition } from '../../../../core/model/desk';
import { fmtDateTime } from '../../lib/format';
import {
  ackAllShown,
  ackOne,
  deleteRule,
  editRule,
  loadUserAlerts,
  pauseRule,
  selectRule,
  setAlertListFilter,
  subscribeUserAlerts,
  useUserAlertsStore,
} from '../../stores/user-alerts-store';
import { AlertEditor } from './AlertEditor';
import '../desk/desk.css';

/** User alerts: the rule editor, the rules (pause, edit, delete), a rule's history, and every book's alerts with filters and ack all. */
export function AlertsView() {
  const rules = useUserAlertsStore((s) => s.rules);
  const editing = useUserAlertsStore((s) => s.editing);
  const selected = useUserAlertsStore((s) => s.selected);
  const history = useUserAlertsStore((s) => s.history);
  const alerts = useUserAlertsStore((s) => s.alerts);
  const books = useUserAlertsStore((s) => s.books);
  const kinds = useUserAlertsStore((s) => s.kinds);
  const filter = useUserAlertsStore((s) => s.filter);
  useEffect(() => {
    void loadUserAlerts();
    return subscribeUserAlerts();
  }, []);
  const sel = rules.find((r) => r.id === selected);
  return (
    <div className="desk-view" data-testid="alerts-view">
      <AlertEditor key={editing?.id ?? 'new'} rule={editing} />
      <div className="panel">
        <div className="panel-title">
          Alert rules <span className="muted">{rules.length}</span>
        </div>
        <div className="panel-body" style={{ padding: 0 }}>
          <table className="grid" data-testid="alert-rules">
            <thead>
              <tr>
                <th>Symbol</th>
                <th>Name</th>
                <th>Condition</th>
                <th>Fires</th>
                <th>Expires</th>
                <th>Status</th>
                <th className="num">Fired</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rules.map((r) => (
                <tr
                  key={r.id}
                  className={r.id === selected ? 'selected' : ''}
                  data-testid="alert-rule"
                  data-id={r.id}
                  data-status={r.status}
                  data-fires={r.fires}
                  onClick={() => void selectRule(r.id)}
                >
                  <td className="mono">{r.symbol}</td>
                  <td>{r.name}</td>
                  <td className="mono">{describeCondition(r.condition)}</td>
                  <td>{r.mode === 'once' ? 'once' : 'every time'}</td>
                  <td className="muted">{r.expiresAt === null ? '—' : fmtDateTime(r.expiresAt)}</td>
                  <td>
                    <span className={`status-chip ${r.status}`}>{r.status}</span>
                  </td>
                  <td className="num">{r.fires}</td>
                  <td onClick={(e) => e.stopPropagation()}>
                    <button className="btn-ghost" onClick={() => editRule(r)} data-testid="rule-edit">
                      Edit
                    </button>
                    <button
                      className="btn-ghost"
                      onClick={() => void pauseRule(r.id, r.status !== 'paused')}
                      data-testid="rule-pause"
                    >
                      {r.status === 'paused' ? 'Resume' : 'Pause'}
                    </button>
                    <button className="btn-ghost" onClick={() => void deleteRule(r.id)} data-testid="rule-delete">
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
              {rules.length === 0 && (
                <tr>
                  <td colSpan={8} className="muted">
                    No alert rules yet: create one above (price, change, volume or any indicator; crosses, bands, %
                    moves).
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      </div>
      {sel && (
        <div className="panel" data-testid="alert-history" data-rule={sel.id} data-count={history.length}>
          <div className="panel-title">
            History: {sel.name || sel.symbol} <span className="muted">{history.length} firings</span>
          </div>
          <div className="panel-body" style={{ padding: 0, maxHeight: 200, overflow: 'auto' }}>
            <table className="grid">
              <tbody>
                {history.map((f) => (
                  <tr key={f.alertId} data-testid="alert-fire">
                    <td className="mono muted">{fmtDateTime(f.time)}</td>
                    <td className="num mono">{Number.isFinite(f.value) ? f.value.toPrecision(6) : '—'}</td>
                    <td className="muted">{f.source === 'live' ? `live · ${f.book}` : 'import'}</td>
                    <td style={{ whiteSpace: 'normal' }}>{f.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <div className="panel">
        <div className="panel-title">
          Alerts <span className="muted">{alerts.length}</span>
          <span className="spacer" />
          <select
            value={filter.book}
            onChange={(e) => setAlertListFilter({ book: e.target.value })}
            data-testid="alert-book-filter"
            aria-label="Book"
          >
            <option value="">all books</option>
            {books.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
          <select
            value={filter.kind}
            onChange={(e) => setAlertListFilter({ kind: e.target.value })}
            data-testid="alert-kind-filter"
            aria-label="Kind"
          >
            <option value="">all kinds</option>
            {kinds.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
          <label className="muted" style={{ display: 'flex', gap: 4, alignItems: 'center' }}>
            <input
              type="checkbox"
              checked={filter.unacknowledged}
              onChange={(e) => setAlertListFilter({ unacknowledged: e.target.checked })}
              data-testid="alert-unacked"
            />
            open only
          </label>
          <button
            className="btn-ghost"
            onClick={() => void ackAllShown()}
            data-testid="alert-ack-all"
            title="Acknowledge every open alert of this book and kind"
          >
            Ack all
          </button>
        </div>
        <div className="panel-body" style={{ padding: 0, maxHeight: 280, overflow: 'auto' }}>
          <table
            className="grid"
            data-testid="desk-alerts"
            data-count={alerts.length}
            data-open={alerts.filter((a) => a.acknowledgedAt === null).length}
          >
            <tbody>
              {alerts.map((a) => (
                <tr
                  key={a.id}
                  className={`alert-row sev-${a.severity} ${a.acknowledgedAt !== null ? 'acked' : ''}`}
                  data-kind={a.kind}
                  data-book={a.book}
                >
                  <td className="mono muted">{fmtDateTime(a.time)}</td>
                  <td>
                    <span
                      className={`badge ${a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'ok'}`}
                    >
                      {a.severity}
                    </span>
                  </td>
                  <td className="muted">{a.book}</td>
                  <td className="mono">{a.symbol ?? ''}</td>
                  <td className="muted">{a.kind}</td>
                  <td style={{ whiteSpace: 'normal' }}>{a.message}</td>
                  <td>
                    {a.acknowledgedAt === null ? (
                      <button className="btn-ghost" onClick={() => void ackOne(a.id)}>
                        Ack
                      </button>
                    ) : (
                      <span className="muted">✓</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
    </div>
  );
}
