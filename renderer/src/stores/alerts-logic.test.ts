import { describe, expect, it, vi } from 'vitest';
import type { LiveAlert as Alert } from '../../../core/contract';
import {
  applyTicks,
  filterAlerts,
  isUrgent,
  markAcknowledged,
  mergeAlerts,
  notifyAlert,
  openCounts,
  shouldNotify,
  type NotificationApi,
} from './alerts-logic';

function alert(id: string, time: number, severity: Alert['severity'] = 'info'): Alert {
  return { id, time, kind: 'return-jump', severity, symbol: 'AAA', message: `m${id}`, acknowledgedAt: null };
}

function fakeNotification(
  permission: NotificationApi['permission'],
  answer: NotificationApi['permission'] = permission,
) {
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
    const merged = mergeAlerts(
      [alert('a', 1), alert('b', 3)],
      [alert('c', 2), { ...alert('a', 1), acknowledgedAt: 9 }],
    );
    expect(merged.map((a) => a.id)).toEqual(['b', 'c', 'a']);
    expect(merged[2].acknowledgedAt).toBe(9);
    expect(mergeAlerts([], [alert('x', 1), alert('y', 2), alert('z', 3)], 2).map((a) => a.id)).toEqual(['z', 'y']);
  });
  it('caps signal alerts and the others apart, so a flood of signals keeps an older risk alert', () => {
    const risk = { ...alert('risk', 1, 'critical'), kind: 'risk-limit' };
    const signals = Array.from({ length: 30 }, (_, i) => ({ ...alert(`s${i}`, 10 + i), kind: 'signal' }));
    const merged = mergeAlerts([risk], signals, 10);
    expect(merged).toHaveLength(11);
    expect(merged.at(-1)!.id).toBe('risk');
    expect(merged.slice(0, 10).map((a) => a.id)).toEqual(Array.from({ length: 10 }, (_, i) => `s${29 - i}`));
  });
  it('filters the stream into signals and anomalies & risk, and counts the open ones of each', () => {
    const list = [
      { ...alert('s1', 3), kind: 'signal' },
      alert('j1', 2, 'warning'),
      { ...alert('s2', 1), kind: 'signal', acknowledgedAt: 5 },
      { ...alert('k', 0, 'critical'), kind: 'kill-switch' },
    ];
    expect(filterAlerts(list, 'all')).toBe(list);
    expect(filterAlerts(list, 'signals').map((a) => a.id)).toEqual(['s1', 's2']);
    expect(filterAlerts(list, 'other').map((a) => a.id)).toEqual(['j1', 'k']);
    expect(openCounts(list)).toEqual({ all: 3, signals: 1, other: 2 });
  });
  it('the page notifies only under serve (Electron main notifies itself), and only urgent alerts', () => {
    expect(shouldNotify(alert('a', 1, 'critical'), 'serve')).toBe(true);
    expect(shouldNotify(alert('a', 1, 'critical'), 'electron')).toBe(false);
    expect(shouldNotify(alert('a', 1, 'critical'), null)).toBe(false);
    expect(shouldNotify(alert('a', 1, 'warning'), 'serve')).toBe(false);
    expect(shouldNotify({ ...alert('a', 1, 'info'), kind: 'signal' }, 'serve')).toBe(false);
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
    // A user's own alert rule notifies whatever its severity (issue 16).
    expect(isUrgent({ ...alert('g', 1, 'info'), kind: 'user-alert' })).toBe(true);
    expect(shouldNotify({ ...alert('g', 1, 'info'), kind: 'user-alert' }, 'serve')).toBe(true);
  });
  it('applies a frame of ticks to the watchlist with change against the first price seen', () => {
    let rows = applyTicks(new Map(), new Map([['AAA', { symbol: 'AAA', price: 100, time: 1 }]]));
    rows = applyTicks(
      rows,
      new Map([
        ['AAA', { symbol: 'AAA', price: 105, time: 2 }],
        ['BBB', { symbol: 'BBB', price: 10, time: 2 }],
      ]),
    );
    expect(rows.get('AAA')!.last).toBe(105);
    expect(rows.get('AAA')!.change).toBeCloseTo(0.05, 12);
    expect(rows.get('BBB')!.change).toBe(0);
  });
});
