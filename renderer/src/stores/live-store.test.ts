import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveAlert, LiveTick } from '../../../core/contract';
import type { NotificationApi } from './alerts-logic';
import { acknowledgeAlert, applyTickBatches, loadLive, subscribeLive, tripKillSwitch, unsubscribeLive, useLiveStore } from './live-store';
import { installFakeApi } from './test-api';

const initial = useLiveStore.getState();
const account = { cash: 1000, equity: 1100, grossExposure: 100, dayStartEquity: 1000, realized: 0, unrealized: 100 };

function tick(at: number, price: number, symbol = 'AAA'): LiveTick {
  return { at, count: 1, prices: [{ symbol, time: at, price }], account: { ...account, equity: 1000 + price } };
}

function frames() {
  const q: (() => void)[] = [];
  return { schedule: (cb: () => void) => q.push(cb), tick: () => q.splice(0).forEach((cb) => cb()), get size() { return q.length; } };
}

const critical: LiveAlert = { id: 'a1', time: 5, kind: 'kill-switch', severity: 'critical', symbol: null, message: 'daily loss', acknowledgedAt: null };

describe('live store', () => {
  beforeEach(() => {
    unsubscribeLive();
    useLiveStore.setState(initial, true);
  });

  it('folds a burst of tick batches into one update per frame with the latest prices', () => {
    const fake = installFakeApi({});
    const f = frames();
    subscribeLive(f.schedule, undefined);
    let renders = 0;
    const unsub = useLiveStore.subscribe(() => renders++);
    for (let i = 1; i <= 1000; i++) fake.emit('live:ticked', tick(i, 100 + i, i % 2 ? 'AAA' : 'BBB'));
    expect(f.size).toBe(1);
    expect(renders).toBe(0);
    f.tick();
    expect(renders).toBe(1);
    const s = useLiveStore.getState();
    expect(s.ticks).toBe(1000);
    expect(s.watch.get('AAA')!.last).toBe(1099);
    expect(s.watch.get('BBB')!.last).toBe(1100);
    expect(s.watch.get('AAA')!.ref).toBe(101);
    expect(s.account!.equity).toBe(2100);
    expect(s.equity.value).toEqual([2100]);
    expect(s.equity.time).toEqual([1000]);
    unsub();
  });

  it('keeps equity times strictly ascending', () => {
    const s1 = { ...initial, ...applyTickBatches(initial, [tick(10, 1)], 10) };
    const s2 = { ...s1, ...applyTickBatches(s1, [tick(10, 2)], 10) };
    const s3 = { ...s2, ...applyTickBatches(s2, [tick(20, 3)], 25) };
    expect(s3.equity.time).toEqual([10, 20]);
    expect(s3.equity.value).toEqual([1002, 1003]);
    expect(s3.latencyMs).toBeCloseTo(1, 10);
    // Unknown equity (null over JSON) adds no point but still updates prices.
    const unknown = { ...tick(30, 4), account: { ...account, equity: null as unknown as number } };
    const s4 = { ...s3, ...applyTickBatches(s3, [unknown], 30) };
    expect(s4.equity.time).toEqual([10, 20]);
    expect(s4.watch.get('AAA')!.last).toBe(4);
  });

  it('applies positions, alerts newest first with a notification, feed status and the kill switch as they come', () => {
    const fake = installFakeApi({});
    const shown: string[] = [];
    const N = function (this: unknown, title: string) {
      shown.push(title);
    } as unknown as NotificationApi;
    Object.assign(N, { permission: 'granted', requestPermission: vi.fn() });
    subscribeLive(frames().schedule, N);
    fake.emit('positions:changed', [{ symbol: 'AAA', qty: 10, avgCost: 100, realized: 0, unrealized: 5, last: 100.5 }]);
    fake.emit('alert:raised', { ...critical, id: 'old', time: 1, severity: 'info' });
    fake.emit('alert:raised', critical);
    fake.emit('feed:status-changed', { feed: 'replay', state: 'open', at: 1 });
    fake.emit('killswitch:changed', { tripped: true, reason: 'daily loss', at: 5 });
    const s = useLiveStore.getState();
    expect(s.positions[0].qty).toBe(10);
    expect(s.alerts.map((a) => a.id)).toEqual(['a1', 'old']);
    expect(s.feed!.state).toBe('open');
    expect(s.kill.tripped).toBe(true);
    return Promise.resolve().then(() => expect(shown).toEqual(['QuantDesk critical: kill-switch']));
  });

  it('acknowledges through the API and greys the alert; shows an API error in place', async () => {
    const fake = installFakeApi({
      'alerts:ack': () => ({ ok: true, value: { acknowledged: true } }),
      'killswitch:trip': () => ({ ok: false, error: { code: 'unavailable', message: 'no live session' } }),
    });
    useLiveStore.setState({ alerts: [critical] });
    await acknowledgeAlert('a1');
    expect(fake.calls[0]).toEqual({ channel: 'alerts:ack', input: { id: 'a1' } });
    expect(useLiveStore.getState().alerts[0].acknowledgedAt).not.toBeNull();
    await tripKillSwitch('manual');
    expect(useLiveStore.getState().error?.message).toBe('no live session');
  });

  it('loads the session state on opening the view', async () => {
    installFakeApi({
      'live:status': () => ({ ok: true, value: { running: true, session: 'default', strategy: 'sma-cross', symbols: ['AAA'], feed: { feed: 'replay', state: 'open', at: 1 }, account, killSwitch: { tripped: false, reason: null, at: null } } }),
      'positions:list': () => ({ ok: true, value: [] }),
      'alerts:list': () => ({ ok: true, value: [critical] }),
      'risk:get': () => ({ ok: true, value: { symbols: {}, maxDailyLoss: 500 } }),
    });
    await loadLive();
    const s = useLiveStore.getState();
    expect(s.isRunning).toBe(true);
    expect(s.strategy).toBe('sma-cross');
    expect(s.alerts).toHaveLength(1);
    expect(s.risk?.maxDailyLoss).toBe(500);
    expect(s.error).toBeNull();
  });
});
