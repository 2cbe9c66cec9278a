import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../live/types';
import { UserAlertInput, type UserAlertFire } from '../model/desk';
import { ackAlerts, alertFacets, queryAlerts } from '../store/desk';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { USER_ALERTS_BOOK, UserAlertService } from './service';

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

function barsCsv(symbol: string, startDay: number, closes: readonly number[]): string {
  const lines = closes.map(
    (c, i) => `${symbol},${new Date(T0 + (startDay + i) * DAY).toISOString().slice(0, 10)},${c},${c},${c},${c},1000`,
  );
  return `symbol,date,open,high,low,close,volume\n${lines.join('\n')}\n`;
}

async function importBars(store: Store, symbol: string, startDay: number, closes: readonly number[]): Promise<void> {
  const r = await importCsv(store, 'bars', { fileName: 'bars.csv', content: barsCsv(symbol, startDay, closes) });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
}

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function setup(now = { t: T0 + 1_000 * DAY }) {
  const store = openStore(':memory:');
  stores.push(store);
  const alerts: Alert[] = [];
  const fires: UserAlertFire[] = [];
  const svc = new UserAlertService(store, { alert: (a) => alerts.push(a), fired: (f) => fires.push(f) }, () => now.t);
  return { store, svc, alerts, fires, now };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('user alerts service', () => {
  it('fires on the bars an import adds, never on bars stored before the rule; once stops it; history and journal agree', async () => {
    const { store, svc, alerts, fires } = setup();
    await importBars(store, 'AAA', 0, [10, 10, 10, 12, 10]);
    const rule = svc.save(
      UserAlertInput.parse({
        symbol: 'AAA',
        condition: { op: 'crosses-above', left: { kind: 'price' }, right: 11 },
        mode: 'once',
      }),
    );
    expect(rule.ok).toBe(true);
    if (!rule.ok) return;
    // The cross on day 3 was stored before the rule: nothing fires.
    expect(svc.onStored()).toBe(0);
    await importBars(store, 'AAA', 5, [10, 11.5, 10, 12]);
    // Two crosses in the new bars (day 6 and day 8); `once` fires on the first only.
    expect(svc.onStored()).toBe(1);
    await tick();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'user-alert', symbol: 'AAA', time: T0 + 6 * DAY, severity: 'warning' });
    expect(fires[0]).toMatchObject({ ruleId: rule.value.id, source: 'import', value: 11.5, time: T0 + 6 * DAY });
    expect(svc.list()[0]).toMatchObject({ status: 'triggered', fires: 1 });
    const hist = svc.history(rule.value.id);
    expect(hist.ok && hist.value.map((f) => f.time)).toEqual([T0 + 6 * DAY]);
    expect(queryAlerts(store, { book: USER_ALERTS_BOOK, limit: 10 }).map((a) => a.id)).toEqual([alerts[0].id]);
    // An edit re-arms it; bars already stored are not judged again.
    const edited = svc.save(
      UserAlertInput.parse({
        id: rule.value.id,
        symbol: 'AAA',
        condition: { op: 'crosses-above', left: { kind: 'price' }, right: 11 },
        mode: 'every',
      }),
    );
    expect(edited.ok && edited.value.status).toBe('active');
    expect(svc.onStored()).toBe(0);
  });

  it('every time fires on each hit; pause skips; expiry stops', async () => {
    const { store, svc, now } = setup();
    const rule = svc.save(
      UserAlertInput.parse({
        symbol: 'BBB',
        condition: { op: 'above', left: { kind: 'price' }, right: 5 },
        mode: 'every',
        expiresAt: T0 + 2_000 * DAY,
      }),
    );
    if (!rule.ok) throw new Error('save');
    await importBars(store, 'BBB', 0, [4, 6, 7, 3, 8]);
    // No bars were stored when it was saved: the first import is history that warms the rule; only its latest
    // bar (8 > 5) is judged, not days 1 and 2 (an `every` rule would otherwise fire once per old bar).
    expect(svc.onStored()).toBe(1);
    svc.pause(rule.value.id, true);
    expect(svc.list()[0].status).toBe('paused');
    await importBars(store, 'BBB', 5, [9]);
    expect(svc.onStored()).toBe(0);
    svc.pause(rule.value.id, false);
    // Paused bars were skipped (the cursor did not move): they are judged on resume.
    await importBars(store, 'BBB', 6, [9]);
    expect(svc.onStored()).toBe(2);
    now.t = T0 + 2_001 * DAY;
    expect(svc.list()[0].status).toBe('expired');
    // Expiry is judged on each stored bar's own date, not on the clock at the import: a late-arriving bar dated
    // before the expiry still fires, one dated after it never does.
    await importBars(store, 'BBB', 7, [9]);
    expect(svc.onStored()).toBe(1);
    // Days 1999, 2000 (the expiry instant itself still counts) and 2001.
    await importBars(store, 'BBB', 1_999, [9, 9, 9]);
    expect(svc.onStored()).toBe(2);
    await importBars(store, 'BBB', 2_003, [9]);
    expect(svc.onStored()).toBe(0);
  });

  it('expiry on a live feed: a replay judges it on the bar time, a real-time feed on the wall clock', async () => {
    const { store, svc, fires, now } = setup();
    await importBars(store, 'EEE', 0, [1, 1, 1]);
    const rule = svc.save(
      UserAlertInput.parse({
        symbol: 'EEE',
        condition: { op: 'above', left: { kind: 'price' }, right: 5 },
        mode: 'every',
        expiresAt: T0 + 10 * DAY,
      }),
    );
    if (!rule.ok) throw new Error('save');
    const bar = (day: number) => ({
      symbol: 'EEE',
      time: T0 + day * DAY,
      open: 9,
      high: 9,
      low: 9,
      close: 9,
      volume: 1,
    });
    // The wall clock is far past the expiry (day 1000): a replay of days 5 and 12 fires on day 5 only.
    svc.onLiveBar('replay-book', bar(5), false);
    svc.onLiveBar('replay-book', bar(12), false);
    // A real-time feed judges expiry on the clock: expired now, whatever its bars' stamps.
    svc.onLiveBar('ws-book', bar(6), true);
    now.t = T0 + 9 * DAY;
    svc.onLiveBar('ws-book', bar(7), true);
    await tick();
    expect(fires.map((f) => [f.book, f.time])).toEqual([
      ['replay-book', T0 + 5 * DAY],
      ['ws-book', T0 + 7 * DAY],
    ]);
  });

  it('judges live bars per book, warmed on the stored bars before them, and ignores repeated bars', async () => {
    const { store, svc, alerts } = setup();
    await importBars(store, 'AAA', 0, [1, 2, 3, 4]);
    // SMA(3) of the stored bars ends at 3; a live bar at 2 after 4 makes price cross below SMA(3) = (3+4+2)/3 = 3.
    svc.save(
      UserAlertInput.parse({
        symbol: 'AAA',
        condition: {
          op: 'crosses-below',
          left: { kind: 'price' },
          right: { kind: 'indicator', name: 'sma', params: { period: 3 } },
        },
        mode: 'every',
      }),
    );
    const bar = { symbol: 'AAA', time: T0 + 4 * DAY, open: 2, high: 2, low: 2, close: 2, volume: 1 };
    svc.onLiveBar('book-a', bar);
    svc.onLiveBar('book-a', bar);
    svc.onLiveBar('book-b', bar);
    await tick();
    expect(alerts.map((a) => a.time)).toEqual([bar.time, bar.time]);
    expect(alertFacets(store)).toEqual({ books: [USER_ALERTS_BOOK], kinds: ['user-alert'] });
    expect(ackAlerts(store, { kind: 'user-alert' }, 5)).toBe(2);
    expect(queryAlerts(store, { unacknowledged: true, limit: 10 })).toEqual([]);
  });

  it('refuses an unknown indicator with the field path and stores nothing', () => {
    const { svc } = setup();
    const r = svc.save(
      UserAlertInput.parse({
        symbol: 'AAA',
        condition: { op: 'above', left: { kind: 'indicator', name: 'zzz' }, right: 1 },
      }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/^condition\.left\.name: unknown indicator/);
    expect(svc.list()).toEqual([]);
  });
});
