import { useMemo } from 'react';
import { fmtDateTime } from '../../lib/format';
import { filterAlerts, openCounts, type AlertFilter } from '../../stores/alerts-logic';
import { acknowledgeAlert, retryDeadLetters, setAlertFilter, useLiveStore } from '../../stores/live-store';

const FILTERS: readonly [AlertFilter, string][] = [
  ['all', 'All'],
  ['signals', 'Signals'],
  ['other', 'Anomalies & risk'],
];

/** Alerts, newest first, coloured by severity, each acknowledgeable; filtered to all, signals, or anomalies and risk. */
export function AlertStream() {
  const all = useLiveStore((s) => s.alerts);
  const filter = useLiveStore((s) => s.alertFilter);
  const alerts = useMemo(() => filterAlerts(all, filter), [all, filter]);
  const open = useMemo(() => openCounts(all), [all]);
  const outbox = useLiveStore((s) => s.outbox);
  return (
    <div className="panel" style={{ flex: 1 }}>
      <div className="panel-title">
        Alerts <span className="muted">{open[filter]} open</span>
        <span className="spacer" />
        <span className="segmented" role="group" aria-label="Alert filter">
          {FILTERS.map(([f, label]) => (
            <button
              key={f}
              className={`btn-ghost ${filter === f ? 'active' : ''}`}
              aria-pressed={filter === f}
              onClick={() => setAlertFilter(f)}
              data-testid={`alert-filter-${f}`}
              title={`${open[f]} unacknowledged`}
            >
              {label} <span className="muted">{open[f]}</span>
            </button>
          ))}
        </span>
      </div>
      {outbox && (outbox.pending > 0 || outbox.dead > 0) && (
        <div
          className={`outbox-line ${outbox.dead > 0 ? 'bad' : 'warn'}`}
          data-testid="outbox-status"
          data-pending={outbox.pending}
          data-dead={outbox.dead}
          style={{ padding: '4px 8px' }}
        >
          <span className={`badge ${outbox.dead > 0 ? 'bad' : 'warn'}`}>webhooks</span> {outbox.pending} waiting
          {outbox.dead > 0 ? `, ${outbox.dead} failed for good (dead letters, kept until retried)` : ''}
          {outbox.dead > 1 && (
            <button
              className="btn-ghost"
              style={{ marginLeft: 8 }}
              onClick={() => void retryDeadLetters()}
              data-testid="dead-letter-retry-all"
              title="Deliver every dead letter again, with a fresh attempt budget"
            >
              Retry all
            </button>
          )}
          {outbox.deadLetters.slice(0, 3).map((d) => (
            <div
              key={`${d.alertId}-${d.endpoint}`}
              className="muted mono"
              data-testid="dead-letter"
              data-alert-id={d.alertId}
            >
              {fmtDateTime(d.deadAt)} {d.endpoint}: {d.lastError ?? 'failed'}
              <button
                className="btn-ghost"
                style={{ marginLeft: 8 }}
                onClick={() => void retryDeadLetters(d.alertId)}
                data-testid="dead-letter-retry"
                title="Deliver this alert again, with a fresh attempt budget"
              >
                Retry
              </button>
            </div>
          ))}
        </div>
      )}
      <div className="panel-body" style={{ padding: 0, maxHeight: 260 }}>
        <table className="grid" data-testid="alert-stream" data-alerts={alerts.length} data-filter={filter}>
          <tbody>
            {alerts.map((a) => (
              <tr
                key={a.id}
                className={`alert-row sev-${a.severity} ${a.acknowledgedAt !== null ? 'acked' : ''}`}
                data-severity={a.severity}
                data-kind={a.kind}
                data-id={a.id}
              >
                <td className="mono muted">{fmtDateTime(a.time)}</td>
                <td>
                  <span
                    className={`badge ${a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'ok'}`}
                  >
                    {a.severity}
                  </span>
                </td>
                <td className="mono">{a.symbol ?? ''}</td>
                <td className="muted">{a.kind}</td>
                <td style={{ whiteSpace: 'normal' }}>{a.message}</td>
                <td>
                  {a.acknowledgedAt === null ? (
                    <button className="btn-ghost" onClick={() => void acknowledgeAlert(a.id)} data-testid="ack">
                      Ack
                    </button>
                  ) : (
                    <span className="muted">✓</span>
                  )}
                </td>
              </tr>
            ))}
            {alerts.length === 0 && (
              <tr>
                <td className="muted">{filter === 'all' ? 'No alerts yet.' : 'No alerts of this kind.'}</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
