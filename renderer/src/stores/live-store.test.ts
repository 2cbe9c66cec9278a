import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { LiveAlert, LiveSignal, LiveTick } from '../../../core/contract';
import type { NotificationApi } from './alerts-logic';
import { useConnectionStore } from './connection-store';
import {
  acknowledgeAlert,
  applyTickBatches,
  defaultSessionName,
  flattenAll,
  loadLive,
  loadOutboxAndSessions,
  resumeLive,
  retryDeadLetters,
  setAlertFilter,
  showSignalsOnChart,
  startLive,
  stopLive,
  subscribeLive,
  subscribeSignals,
  tripKillSwitch,
  unsubscribeLive,
  useLiveStore,
} from './live-store';
import { setMarks, useMarksStore } from './marks-store';
import { useNavStore } from './nav-store';
import { installFakeApi } from './test-api';

const initial = useLiveStore.getState();
const account = { cash: 1000, equity: 1100, grossExposure: 100, dayStartEquity: 1000, realized: 0, unrealized: 100 };

function tick(at: number, price: number, symbol = 'AAA'): LiveTick {
  return { at, count: 1, prices: [{ symbol, time: at, price }], account: { ...account, equity: 1000 + price } };
}

function frames() {
  const q: (() => void)[] = [];
  return {
    schedule: (cb: () => void) => q.push(cb),
    tick: () => q.splice(0).forEach((cb) => cb()),
    get size() {
      return q.length;
    },
  };
}

const critical: LiveAlert = {
  id: 'a1',
  time: 5,
  kind: 'kill-switch',
  severity: 'critical',
  symbol: null,
  message: 'daily loss',
  acknowledgedAt: null,
};

function signal(
  alertId: string,
  time: number,
  side: 'buy' | 'sell',
  symbol = 'AAA',
  reason: LiveSignal['reason'] = 'signal',
): LiveSignal {
  return { alertId, strategy: 'sma-cross', symbol, time, side, price: 10, target: side === 'buy' ? 1 : 0, reason };
}

function recordingNotification() {
  const shown: string[] = [];
  const N = function (this: unknown, title: string) {
    shown.push(title);
  } as unknown as NotificationApi;
  Object.assign(N, { permission: 'granted', requestPermission: vi.fn() });
  return { N, shown };
}

describe('live store', () => {
  beforeEach(() => {
    unsubscribeLive();
    useLiveStore.setState(initial, true);
    useMarksStore.setState({ marks: [] });
    useConnectionStore.setState({ host: 'serve' });
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
    const { N, shown } = recordingNotification();
    const f = frames();
    subscribeLive(f.schedule, N);
    fake.emit('positions:changed', [{ symbol: 'AAA', qty: 10, avgCost: 100, realized: 0, unrealized: 5, last: 100.5 }]);
    fake.emit('alert:raised', { ...critical, id: 'old', time: 1, severity: 'info' });
    fake.emit('alert:raised', critical);
    fake.emit('feed:status-changed', { feed: 'replay', state: 'open', at: 1 });
    fake.emit('killswitch:changed', { tripped: true, reason: 'daily loss', at: 5 });
    // Alerts wait for the frame; the rest applied at once.
    expect(useLiveStore.getState().alerts).toEqual([]);
    f.tick();
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
      'live:status': () => ({
        ok: true,
        value: {
          running: true,
          session: 'default',
          strategy: 'sma-cross',
          symbols: ['AAA'],
          feed: { feed: 'replay', state: 'open', at: 1 },
          account,
          killSwitch: { tripped: false, reason: null, at: null },
        },
      }),
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

  it("draws what a view opened late missed: the host's equity curve and last prices, then the page's newer points", async () => {
    const status = {
      running: true,
      session: 'late',
      strategy: 'model-signal',
      symbols: ['AAA', 'BBB'],
      feed: { feed: 'replay', state: 'open', at: 1 },
      account,
      killSwitch: { tripped: false, reason: null, at: null },
    };
    const history = {
      session: 'late',
      equity: { time: [10, 20, 30], value: [1000, 1010, 1020] },
      prices: [
        { symbol: 'AAA', time: 30, price: 5, prevClose: 4 },
        { symbol: 'BBB', time: 30, price: 7, prevClose: 8 },
      ],
      ticks: 250,
    };
    const fake = installFakeApi({
      'live:status': () => ({ ok: true, value: status }),
      'live:history': () => ({ ok: true, value: history }),
      'positions:list': () => ({ ok: true, value: [] }),
      'alerts:list': () => ({ ok: true, value: [] }),
      'risk:get': () => ({ ok: true, value: { symbols: {} } }),
    });
    const f = frames();
    subscribeLive(f.schedule, undefined);
    // A batch the page folded while the history was on its way: newer than the host's last point, so kept after it.
    fake.emit('live:ticked', tick(40, 6));
    f.tick();
    const epoch = useLiveStore.getState().equityEpoch;
    await loadLive();
    const s = useLiveStore.getState();
    expect(s.equity).toEqual({ time: [10, 20, 30, 40], value: [1000, 1010, 1020, 1006] });
    expect(s.equityEpoch).toBe(epoch + 1);
    // AAA ticked on the page after the history's price: the page's row stays; BBB comes from the history.
    expect(s.watch.get('AAA')).toMatchObject({ last: 6, time: 40 });
    expect(s.watch.get('BBB')).toMatchObject({ last: 7, ref: 8, time: 30 });
    // The session's tick count is the host's (the page alone had counted its one batch).
    expect(s.ticks).toBe(250);
    // Another session's history (a restart since) changes nothing; a missing one is no error.
    installFakeApi({
      'live:status': () => ({ ok: true, value: { ...status, session: 'other' } }),
      'live:history': () => ({ ok: true, value: history }),
      'positions:list': () => ({ ok: true, value: [] }),
      'alerts:list': () => ({ ok: true, value: [] }),
      'risk:get': () => ({ ok: true, value: { symbols: {} } }),
    });
    await loadLive();
    expect(useLiveStore.getState().equity).toEqual(s.equity);
    expect(useLiveStore.getState().error).toBeNull();
  });
});

describe('live store: signals and notifications', () => {
  beforeEach(() => {
    unsubscribeLive();
    useLiveStore.setState(initial, true);
    useMarksStore.setState({ marks: [] });
  });

  it('shows a browser notification for a critical alert under serve only: Electron main already notifies', async () => {
    const fake = installFakeApi({});
    const { N, shown } = recordingNotification();
    const f = frames();
    subscribeLive(f.schedule, N);
    useConnectionStore.setState({ host: 'electron' });
    fake.emit('alert:raised', { ...critical, id: 'e1' });
    useConnectionStore.setState({ host: null });
    fake.emit('alert:raised', { ...critical, id: 'unknown-host' });
    useConnectionStore.setState({ host: 'serve' });
    fake.emit('alert:raised', { ...critical, id: 's1', kind: 'risk-limit' });
    fake.emit('alert:raised', { ...critical, id: 's2', kind: 'signal', severity: 'info' });
    await Promise.resolve();
    expect(shown).toEqual(['QuantDesk critical: risk-limit']);
    // Every one of them is in the stream all the same.
    f.tick();
    expect(useLiveStore.getState().alerts).toHaveLength(4);
  });

  it('merges a burst of signal alerts into the stream once per frame, keeping a risk alert among them', () => {
    const fake = installFakeApi({});
    const f = frames();
    subscribeLive(f.schedule, undefined);
    let updates = 0;
    const unsub = useLiveStore.subscribe(() => updates++);
    fake.emit('alert:raised', { ...critical, id: 'risk', kind: 'risk-limit', time: 0 });
    for (let i = 0; i < 2_000; i++)
      fake.emit('alert:raised', { ...critical, id: `s${i}`, kind: 'signal', severity: 'info', time: 1 + i });
    expect(updates).toBe(0);
    f.tick();
    expect(updates).toBe(1);
    const alerts = useLiveStore.getState().alerts;
    expect(alerts).toHaveLength(501);
    expect(alerts[0].id).toBe('s1999');
    expect(alerts.at(-1)!.id).toBe('risk');
    unsub();
  });

  it('turns pushed signals into chart markers once per frame, whichever view is open, and keeps run markers', () => {
    const fake = installFakeApi({});
    const f = frames();
    setMarks([{ symbol: 'AAA', time: 1, side: 'buy', text: 'L' }]);
    const off = subscribeSignals(f.schedule);
    let updates = 0;
    const unsub = useMarksStore.subscribe(() => updates++);
    fake.emit('signal:fired', signal('x1', 100, 'buy'));
    fake.emit('signal:fired', signal('x2', 200, 'sell', 'AAA', 'stop'));
    fake.emit('signal:fired', signal('x3', 300, 'buy', 'BBB'));
    expect(updates).toBe(0);
    f.tick();
    expect(updates).toBe(1);
    const marks = useMarksStore.getState().marks;
    expect(marks.map((m) => [m.symbol, m.time, m.side, m.text, m.source])).toEqual([
      ['AAA', 1, 'buy', 'L', 'run'],
      ['AAA', 100, 'buy', 'B', 'live'],
      ['AAA', 200, 'sell', 'S stop', 'live'],
      ['BBB', 300, 'buy', 'B', 'live'],
    ]);
    off();
    expect(fake.listenerCount('signal:fired')).toBe(0);
    unsub();
  });

  it('opens the chart on a symbol with its journaled signals, without doubling one also pushed', async () => {
    const fake = installFakeApi({
      'signals:list': (input) => {
        const { symbol } = input as { symbol: string };
        return {
          ok: true,
          value:
            symbol === 'AAA' ? [signal('a3', 300, 'sell'), signal('a2', 200, 'buy'), signal('a1', 100, 'sell')] : [],
        };
      },
    });
    const f = frames();
    subscribeSignals(f.schedule);
    fake.emit('signal:fired', signal('a3', 300, 'sell'));
    fake.emit('signal:fired', signal('b1', 50, 'buy', 'BBB'));
    f.tick();
    await showSignalsOnChart('AAA');
    expect(fake.calls.at(-1)).toEqual({ channel: 'signals:list', input: { symbol: 'AAA', limit: 5000 } });
    const marks = useMarksStore.getState().marks;
    expect(marks.filter((m) => m.symbol === 'AAA').map((m) => m.id)).toEqual(['a1', 'a2', 'a3']);
    expect(marks.filter((m) => m.symbol === 'BBB').map((m) => m.id)).toEqual(['b1']);
    // The same signal pushed again after the list (it was committed before both) stays one marker.
    fake.emit('signal:fired', signal('a3', 300, 'sell'));
    f.tick();
    expect(useMarksStore.getState().marks.filter((m) => m.id === 'a3')).toHaveLength(1);
    const nav = useNavStore.getState();
    expect([nav.view, nav.symbol, nav.focusTime]).toEqual(['chart', 'AAA', 300]);
  });

  it('a failed signals:list shows its error and leaves the markers alone', async () => {
    installFakeApi({ 'signals:list': () => ({ ok: false, error: { code: 'internal', message: 'journal closed' } }) });
    setMarks([{ symbol: 'AAA', time: 1, side: 'buy' }]);
    await showSignalsOnChart('AAA');
    expect(useLiveStore.getState().error?.message).toBe('journal closed');
    expect(useMarksStore.getState().marks).toHaveLength(1);
  });

  it('loads signal alerts and the others apart, so 500 signals do not hide a risk alert; the filter survives a new replay', async () => {
    const signals = Array.from({ length: 500 }, (_, i): LiveAlert => ({
      ...critical,
      id: `s${i}`,
      kind: 'signal',
      severity: 'info',
      time: 1_000 + i,
    }));
    const fake = installFakeApi({
      'live:status': () => ({
        ok: true,
        value: {
          running: false,
          session: null,
          strategy: null,
          symbols: [],
          feed: null,
          account: null,
          killSwitch: { tripped: false, reason: null, at: null },
        },
      }),
      'positions:list': () => ({ ok: true, value: [] }),
      'alerts:list': (input) => ({
        ok: true,
        value: (input as { category: string }).category === 'signal' ? signals : [critical],
      }),
      'risk:get': () => ({ ok: true, value: { symbols: {} } }),
      'live:start': () => ({ ok: false, error: { code: 'invalid-input', message: 'no' } }),
    });
    await loadLive();
    const cats = fake.calls
      .filter((c) => c.channel === 'alerts:list')
      .map((c) => (c.input as { category: string }).category);
    expect(cats.sort()).toEqual(['other', 'signal']);
    const s = useLiveStore.getState();
    expect(s.alerts).toHaveLength(501);
    expect(s.alerts.at(-1)!.id).toBe('a1');
    setAlertFilter('other');
    setMarks([{ symbol: 'AAA', time: 1, side: 'buy', text: 'B', id: 'old' }], 'live');
    await startLive({ strategy: 'sma-cross' }, 0);
    expect(useLiveStore.getState().alertFilter).toBe('other');
    // A new session's markers start empty.
    expect(useMarksStore.getState().marks).toEqual([]);
  });

  // Issue 11, item 4: the positions table went stale between fills (ABAG Last 102.16 beside a watchlist 231.24).
  it('reprices positions from every tick batch, so Last matches the watchlist and the rows sum to the account unrealized', () => {
    const fake = installFakeApi({});
    const f = frames();
    subscribeLive(f.schedule, undefined);
    fake.emit('positions:changed', [
      { symbol: 'AAA', qty: 10, avgCost: 100, realized: 0, unrealized: 0, last: 100 },
      { symbol: 'BBB', qty: -4, avgCost: 50, realized: 7, unrealized: 0, last: 50 },
    ]);
    const acct = { ...account, unrealized: 10 * (108 - 100) + -4 * (45 - 50) };
    fake.emit('live:ticked', {
      at: 1,
      count: 2,
      prices: [
        { symbol: 'AAA', time: 1, price: 104, prevClose: 100 },
        { symbol: 'BBB', time: 1, price: 45, prevClose: 50 },
      ],
      account: acct,
    });
    fake.emit('live:ticked', {
      at: 2,
      count: 1,
      prices: [{ symbol: 'AAA', time: 2, price: 108, prevClose: 100 }],
      account: acct,
    });
    f.tick();
    const s = useLiveStore.getState();
    expect(s.positions.map((p) => [p.symbol, p.last, p.unrealized, p.realized])).toEqual([
      ['AAA', 108, 80, 0],
      ['BBB', 45, 20, 7],
    ]);
    expect(s.positions.map((p) => p.last)).toEqual(['AAA', 'BBB'].map((x) => s.watch.get(x)!.last));
    expect(s.positions.reduce((a, p) => a + p.unrealized, 0)).toBe(s.account!.unrealized);
  });

  // Issue 11, item 9: Chg was the change since the replay started, labelled like a day's change.
  it("shows the day's change: against the previous bar's close the host sends, not the first tick seen", () => {
    const s1 = applyTickBatches(
      initial,
      [{ at: 1, count: 1, prices: [{ symbol: 'AAA', time: 1, price: 100, prevClose: null }], account }],
      1,
    );
    expect(Number.isNaN(s1.watch.get('AAA')!.change)).toBe(true);
    const s2 = applyTickBatches(
      s1,
      [{ at: 2, count: 1, prices: [{ symbol: 'AAA', time: 2, price: 110, prevClose: 100 }], account }],
      2,
    );
    const s3 = applyTickBatches(
      s2,
      [{ at: 3, count: 1, prices: [{ symbol: 'AAA', time: 3, price: 99, prevClose: 110 }], account }],
      3,
    );
    expect(s2.watch.get('AAA')!.change).toBeCloseTo(0.1, 12);
    expect(s3.watch.get('AAA')!.change).toBeCloseTo(99 / 110 - 1, 12);
  });

  it("a second session's alerts sort first without a reload: the earlier session's (later replay times) are not kept", async () => {
    const fake = installFakeApi({
      'live:start': () => ({
        ok: true,
        value: {
          running: true,
          session: 's2',
          strategy: 'sma-cross',
          symbols: ['AAA'],
          feed: null,
          account,
          killSwitch: { tripped: false, reason: null, at: null },
        },
      }),
      'indicators:compute': () => ({ ok: false, error: { code: 'not-found', message: 'x' } }),
    });
    const f = frames();
    subscribeLive(f.schedule, undefined);
    // The first session replayed up to 2025: its alerts carry late market times.
    fake.emit('alert:raised', { ...critical, id: 'old', time: Date.UTC(2025, 5, 1), kind: 'signal', severity: 'info' });
    f.tick();
    await startLive({ strategy: 'sma-cross' }, 0);
    // The second replays from 2016.
    fake.emit('alert:raised', {
      ...critical,
      id: 'new1',
      time: Date.UTC(2016, 0, 5),
      kind: 'signal',
      severity: 'info',
    });
    fake.emit('alert:raised', {
      ...critical,
      id: 'new2',
      time: Date.UTC(2016, 0, 6),
      kind: 'signal',
      severity: 'info',
    });
    f.tick();
    expect(useLiveStore.getState().alerts.map((a) => a.id)).toEqual(['new2', 'new1']);
  });

  it('keeps the last prices after Stop and sends Flatten all through positions:flatten', async () => {
    const marked = [{ symbol: 'AAA', qty: 2922, avgCost: 90, realized: 0, unrealized: 2922 * 12, last: 102 }];
    const fake = installFakeApi({
      'live:stop': () => ({
        ok: true,
        value: {
          running: false,
          session: null,
          strategy: null,
          symbols: [],
          feed: null,
          account: null,
          killSwitch: { tripped: false, reason: null, at: null },
        },
      }),
      'positions:list': () => ({ ok: true, value: marked }),
      'positions:flatten': () => ({
        ok: true,
        value: [
          {
            id: 'o1',
            session: 's',
            time: 1,
            symbol: 'AAA',
            side: 'sell',
            type: 'market',
            qty: 2922,
            limitPrice: null,
            stopPrice: null,
            parentId: null,
            status: 'new',
            filledQty: 0,
          },
        ],
      }),
    });
    useLiveStore.setState({ positions: [{ ...marked[0], last: 0, unrealized: 0 }] });
    await stopLive();
    expect(useLiveStore.getState().positions[0].last).toBe(102);
    expect(await flattenAll('test')).toBe(1);
    expect(fake.calls.find((c) => c.channel === 'positions:flatten')!.input).toEqual({ reason: 'test' });
    expect(useLiveStore.getState().flattened?.orders).toBe(1);
  });
});

describe('live store: named sessions and the webhook outbox', () => {
  beforeEach(() => useLiveStore.setState(initial, true));

  it('names a new session for the user (not replay-<ms>), resumes one by name, and loads the outbox with its dead letters', async () => {
    const stopped = {
      running: false,
      session: 'trend A',
      strategy: null,
      symbols: [],
      feed: null,
      account: null,
      killSwitch: { tripped: true, reason: 'manual', at: 9 },
    };
    const sessions = [
      {
        name: 'trend A',
        startedAt: 1,
        lastTime: 2,
        strategy: 'sma-cross',
        symbols: ['AAA'],
        feed: 'replay',
        killSwitch: { tripped: true, reason: 'manual', at: 9 },
        resumable: true,
      },
    ];
    const outbox = {
      pending: 3,
      dead: 1,
      deadLetters: [
        {
          alertId: 'a9',
          endpoint: 'hooks.example:443',
          attempts: 8,
          lastError: 'HTTP 503 (attempt 8 of 8)',
          deadAt: 7,
        },
      ],
    };
    const fake = installFakeApi({
      'live:status': () => ({ ok: true, value: stopped }),
      'positions:list': () => ({ ok: true, value: [] }),
      'alerts:list': () => ({ ok: true, value: [] }),
      'risk:get': () => ({ ok: true, value: { symbols: {} } }),
      'outbox:status': () => ({ ok: true, value: outbox }),
      'live:sessions': () => ({ ok: true, value: sessions }),
      'live:start': (input) => ({
        ok: true,
        value: {
          ...stopped,
          running: true,
          session: (input as { session: string }).session,
          symbols: ['AAA'],
          killSwitch: { tripped: false, reason: null, at: null },
        },
      }),
      'live:resume': (input) => ({
        ok: true,
        value: { ...stopped, running: true, session: (input as { session: string }).session, symbols: ['AAA'] },
      }),
    });
    await loadLive();
    await vi.waitFor(() => expect(useLiveStore.getState().outbox).toEqual(outbox));
    expect(useLiveStore.getState()).toMatchObject({ session: 'trend A', sessions, kill: { tripped: true } });
    await startLive({ strategy: 'sma-cross' }, 0);
    const started = fake.calls.find((c) => c.channel === 'live:start')!.input as { session: string };
    expect(started.session).toMatch(/^sma-cross \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    await startLive({ strategy: 'sma-cross' }, 0, undefined, '  my book  ');
    expect((fake.calls.filter((c) => c.channel === 'live:start')[1].input as { session: string }).session).toBe(
      'my book',
    );
    await resumeLive('trend A', 5);
    expect(fake.calls.find((c) => c.channel === 'live:resume')!.input).toEqual({ session: 'trend A', speed: 5 });
    expect(useLiveStore.getState()).toMatchObject({ session: 'trend A', kill: { tripped: true } });
  });

  it('never gives a default name that an existing session has (that would resume it)', () => {
    const now = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(defaultSessionName('sma-cross', now)).toBe('sma-cross 2026-01-02 03:04:05');
    expect(defaultSessionName('sma-cross', now, ['sma-cross 2026-01-02 03:04:05'])).toBe(
      'sma-cross 2026-01-02 03:04:05 (2)',
    );
    expect(
      defaultSessionName('sma-cross', now, ['sma-cross 2026-01-02 03:04:05', 'sma-cross 2026-01-02 03:04:05 (2)']),
    ).toBe('sma-cross 2026-01-02 03:04:05 (3)');
  });

  it('retries a dead letter (or all) through outbox:retry, then reloads the outbox; a refusal shows as the error', async () => {
    let dead = [
      { alertId: 'a9', endpoint: 'hooks.example:443', attempts: 8, lastError: 'HTTP 503 (attempt 8 of 8)', deadAt: 7 },
    ];
    const fake = installFakeApi({
      'outbox:status': () => ({ ok: true, value: { pending: 0, dead: dead.length, deadLetters: dead } }),
      'live:sessions': () => ({ ok: true, value: [] }),
      'outbox:retry': (input) => {
        const id = (input as { alertId?: string }).alertId;
        if (id !== undefined && !dead.some((d) => d.alertId === id))
          return { ok: false, error: { code: 'not-found', message: `no dead letter for alert ${id}` } };
        const n = id === undefined ? dead.length : 1;
        dead = id === undefined ? [] : dead.filter((d) => d.alertId !== id);
        return { ok: true, value: { requeued: n } };
      },
    });
    await loadOutboxAndSessions();
    expect(useLiveStore.getState().outbox?.dead).toBe(1);
    expect(await retryDeadLetters('a9')).toBe(1);
    expect(fake.calls.find((c) => c.channel === 'outbox:retry')!.input).toEqual({ alertId: 'a9' });
    expect(useLiveStore.getState().outbox).toEqual({ pending: 0, dead: 0, deadLetters: [] });
    expect(await retryDeadLetters('a9')).toBeNull();
    expect(useLiveStore.getState().error).toEqual({ code: 'not-found', message: 'no dead letter for alert a9' });
    expect(await retryDeadLetters()).toBe(0);
    expect(fake.calls.filter((c) => c.channel === 'outbox:retry').at(-1)!.input).toEqual({});
  });
});
