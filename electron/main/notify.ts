import { Notification } from 'electron';
import type { Events } from '../../core/contract';

/**
 * A critical live alert (kill switch, hard risk limit) also becomes an OS notification, so it is seen
 * while the window is hidden. The alert was journaled before it was emitted; this is only a display.
 * Returns whether a notification was shown.
 */
export function notifyDesktop(alert: Events['alert:raised']): boolean {
  // A user's own alert rule (issue 16) always notifies: the user asked for it.
  if ((alert.severity !== 'critical' && alert.kind !== 'user-alert') || !Notification.isSupported()) return false;
  const title = `QuantDesk: ${alert.kind}${alert.symbol ? ` ${alert.symbol}` : ''}`;
  new Notification({
    title,
    body: alert.message,
    urgency: alert.severity === 'critical' ? 'critical' : 'normal',
  }).show();
  return true;
}
