import { describe, expect, it, vi } from 'vitest';
import type { LiveAlert as Alert } from '../../../core/contract';
import { applyTicks, isUrgent, markAcknowledged, mergeAlerts, notifyAlert, type NotificationApi } from './alerts-logic';

function alert(id: string, time: number, severity: Alert['severity'] = 'info'): Alert {
  return { id, time, kind: 'return-jump', severity, symbol: 'AAA', message: `m${id}`, acknowledgedAt: null };
}

function fakeNotification(permission: NotificationApi['permission'], answer: NotificationApi['permission'] = permission) {
  const shown: string[] = [];
  const requestPermission = vi.fn(async () => answer);
  const Ctor = function (this: unknown, title: string) {
    shown.push(title);
  } as unknown as NotificationApi;
  Object.assign(Ctor, { permission, requestPermission });
  return { api: Ctor, shown, requestPermission };
}

describe('alert stream', () => {
  it('keeps newest first, replaces a re-sent id and caps the list', () => {
    const merged = mergeAlerts([alert('a', 1), alert('b', 3)], [alert('c', 2), { ...alert('a', 1), acknowledgedAt: 9 }]);
    expect(merged.map((a) => a.id)).toEqual(['b', 'c', 'a']);
    expect(merged[2].acknowledgedAt).toBe(9);
    expect(mergeAlerts([], [alert('x', 1), alert('y', 2), alert('z', 3)], 2).map((a) => a.id)).toEqual(['z', 'y']);
  });
  it('acknowledges one alert without touching the others', () => {
    const list = [alert('a', 1), alert('b', 2)];
    const acked = markAcknowledged(list, 'b', 50);
    expect(acked[1].acknowledgedAt).toBe(50);
    expect(acked[0].acknowledgedAt).toBeNull();
    expect(list[1].acknowledgedAt).toBeNull();
  });
  it('notifies only urgent alerts, only with permission, asking once when undecided', async () => {
    const granted = fakeNotification('granted');
    expect(await notifyAlert(alert('a', 1, 'info'), granted.api)).toBe(false);
    expect(await notifyAlert(alert('b', 1, 'critical'), granted.api)).toBe(true);
    expect(granted.shown).toEqual(['QuantDesk critical: return-jump']);

    const denied = fakeNotification('denied');
    expect(await notifyAlert(alert('c', 1, 'critical'), denied.api)).toBe(false);
    expect(denied.requestPermission).not.toHaveBeenCalled();

    const undecided = fakeNotification('default', 'denied');
    expect(await notifyAlert(alert('d', 1, 'critical'), undecided.api)).toBe(false);
    expect(undecided.requestPermission).toHaveBeenCalledTimes(1);
    expect(await notifyAlert(alert('e', 1, 'critical'), undefined)).toBe(false);
    expect(isUrgent(alert('f', 1, 'warning'), 'warning')).toBe(true);
  });
  it('applies a frame of ticks to the watchlist with change against the first price seen', () => {
    let rows = applyTicks(new Map(), new Map([['AAA', { symbol: 'AAA', price: 100, time: 1 }]]));
    rows = applyTicks(rows, new Map([['AAA', { symbol: 'AAA', price: 105, time: 2 }], ['BBB', { symbol: 'BBB', price: 10, time: 2 }]]));
    expect(rows.get('AAA')!.last).toBe(105);
    expect(rows.get('AAA')!.change).toBeCloseTo(0.05, 12);
    expect(rows.get('BBB')!.change).toBe(0);
  });
});
