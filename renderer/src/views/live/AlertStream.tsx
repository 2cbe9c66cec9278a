import { fmtDateTime } from '../../lib/format';
import { acknowledgeAlert, useLiveStore } from '../../stores/live-store';

/** Alerts, newest first, coloured by severity, each acknowledgeable. */
export function AlertStream() {
  const alerts = useLiveStore((s) => s.alerts);
  return (
    <div className="panel" style={{ flex: 1 }}>
      <div className="panel-title">
        Alerts <span className="muted">{alerts.filter((a) => a.acknowledgedAt === null).length} open</span>
      </div>
      <div className="panel-body" style={{ padding: 0, maxHeight: 260 }}>
        <table className="grid" data-testid="alert-stream" data-alerts={alerts.length}>
          <tbody>
            {alerts.map((a) => (
              <tr key={a.id} className={`alert-row sev-${a.severity} ${a.acknowledgedAt !== null ? 'acked' : ''}`} data-severity={a.severity}>
                <td className="mono muted">{fmtDateTime(a.time)}</td>
                <td>
                  <span className={`badge ${a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'ok'}`}>{a.severity}</span>
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
                <td className="muted">No alerts yet.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
