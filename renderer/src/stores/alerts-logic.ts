import type { LiveAlert as Alert } from '../../../core/contract';

type Severity = Alert['severity'];

/** How many alerts the stream keeps in memory (the journal keeps them all). */
export const MAX_ALERTS = 500;

/** The alert stream's filter: everything, strategy signals only, or the rest (anomalies, risk, kill switch, feed). */
export type AlertFilter = 'all' | 'signals' | 'other';

/** A strategy entry or exit (kind `signal`), as opposed to an anomaly, risk or feed alert. */
export function isSignalAlert(a: Alert): boolean {
  return a.kind === 'signal';
}

/** The alerts `filter` shows, in their order. */
export function filterAlerts(list: readonly Alert[], filter: AlertFilter): readonly Alert[] {
  if (filter === 'all') return list;
  const wantSignals = filter === 'signals';
  return list.filter((a) => isSignalAlert(a) === wantSignals);
}

/** Unacknowledged alerts per filter, for the filter buttons. */
export function openCounts(list: readonly Alert[]): Record<AlertFilter, number> {
  let signals = 0;
  let other = 0;
  for (const a of list) {
    if (a.acknowledgedAt !== null) continue;
    if (isSignalAlert(a)) signals++;
    else other++;
  }
  return { all: signals + other, signals, other };
}

/**
 * Merges incoming alerts into the stream: newest first (by time, then arrival), one entry per id
 * (a re-sent alert, e.g. after an acknowledgement, replaces the old entry), capped at `cap` signal
 * alerts plus `cap` others, so a busy strategy never pushes a risk or anomaly alert out of the stream.
 */
export function mergeAlerts(current: readonly Alert[], incoming: readonly Alert[], cap = MAX_ALERTS): Alert[] {
  const byId = new Map<string, Alert>();
  for (const a of current) byId.set(a.id, a);
  for (const a of incoming) byId.set(a.id, a);
  const sorted = [...byId.values()].sort((a, b) => b.time - a.time);
  let signals = 0;
  let other = 0;
  const out: Alert[] = [];
  for (const a of sorted) {
    if (isSignalAlert(a) ? signals++ < cap : other++ < cap) out.push(a);
  }
  return out;
}

/** Marks one alert acknowledged at `at` (EpochMs) without mutating the list. */
export function markAcknowledged(list: readonly Alert[], id: string, at: number): Alert[] {
  return list.map((a) => (a.id === id ? { ...a, acknowledgedAt: at } : a));
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Alerts at or above `min` severity deserve a desktop notification, and so does every firing of the user's own alert rules (issue 16). */
export function isUrgent(a: Alert, min: Severity = 'critical'): boolean {
  return a.kind === 'user-alert' || RANK[a.severity] >= RANK[min];
}

/**
 * Whether the renderer itself should show a desktop notification for `a`: only urgent alerts, and only
 * under `quantdesk serve`. In Electron the main process already shows an OS notification for critical
 * alerts (`electron/main/notify.ts`), and a second one from the page would double it; while the host is
 * not known yet (`null`), nothing is shown.
 */
export function shouldNotify(a: Alert, host: string | null): boolean {
  return host === 'serve' && isUrgent(a);
}

/** The browser's Notification API, as far as we use it (injectable in tests). */
export interface NotificationApi {
  readonly permission: 'default' | 'denied' | 'granted';
  requestPermission(): Promise<'default' | 'denied' | 'granted'>;
  new (title: string, options?: { body?: string; tag?: string }): unknown;
}

/**
 * Shows a desktop notification for an urgent alert. Guarded: no API, or permission denied, does
 * nothing and returns false; `default` asks once. Never throws (some browsers throw from the constructor).
 */
export async function notifyAlert(a: Alert, api: NotificationApi | undefined): Promise<boolean> {
  if (!api || !isUrgent(a)) return false;
  try {
    let perm = api.permission;
    if (perm === 'default') perm = await api.requestPermission();
    if (perm !== 'granted') return false;
    new api(`QuantDesk ${a.severity}: ${a.kind}`, {
      body: `${a.symbol ? a.symbol + ': ' : ''}${a.message}`,
      tag: a.id,
    });
    return true;
  } catch {
    return false;
  }
}

/**
 * A watchlist row: last price, the day's change against `ref` (the previous day's close, i.e. the previous
 * bar's close on a daily feed; NaN until the host has seen one), and the latest tick's time.
 */
export interface WatchRow {
  readonly symbol: string;
  readonly last: number;
  readonly ref: number;
  readonly change: number;
  readonly time: number;
}

/**
 * Applies the latest tick per symbol (one frame's batch) to the watchlist. The change is the day's change:
 * against the tick's `prevClose` when the host sent one, else the row's previous reference. (It used to be the
 * change since the first tick the page saw, labelled like a day's change.) `firstSeen` is kept for callers
 * that have no `prevClose` (older hosts): it is used only when no reference is known at all.
 */
export function applyTicks(
  rows: ReadonlyMap<string, WatchRow>,
  latest: ReadonlyMap<string, { symbol: string; price: number; time: number; prevClose?: number | null }>,
  firstSeen?: ReadonlyMap<string, number>,
): Map<string, WatchRow> {
  const out = new Map(rows);
  for (const [sym, t] of latest) {
    const prev = out.get(sym);
    const sent = t.prevClose;
    const ref =
      sent === undefined
        ? prev
          ? prev.ref
          : (firstSeen?.get(sym) ?? t.price)
        : sent === null || !Number.isFinite(sent)
          ? Number.NaN
          : sent;
    out.set(sym, { symbol: sym, last: t.price, ref, change: ref > 0 ? t.price / ref - 1 : Number.NaN, time: t.time });
  }
  return out;
}
