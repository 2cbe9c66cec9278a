import { describe, expect, it } from 'vitest';
import { parseSpec } from '../backtest/spec';
import { openStore } from '../store/sqlite-bar-store';
import { getStrategy } from '../strategies';
import type { SingleStrategy } from '../strategy/types';
import { LiveSession, type LiveEvents, type SessionOptions } from './session';
import type { FiredSignal, LiveBar, Tick } from './types';
import { connection } from '../store/internal';

const T0 = Date.UTC(2024, 0, 2, 14, 30);
const MIN = 60_000;
const strategy = getStrategy('sma-cross') as SingleStrategy;

function makeSession(
  name: string,
  emit?: <E extends keyof LiveEvents>(c: E, p: LiveEvents[E]) => void,
  extra: Partial<SessionOptions> = {},
) {
  const store = extra.store ?? openStore(':memory:');
  const p = parseSpec({
    strategy: 'sma-cross',
    symbols: ['X'],
    params: { fast: 2, slow: 4 },
    sizing: { method: 'fixed-qty', qty: 10 },
    slippageBps: 10,
    commission: { rate: 0, fixed: 1 },
  });
  if (!p.ok) throw new Error(p.errors.join());
  const session = new LiveSession({
    store,
    session: name,
    spec: p.spec,
    strategy,
    params: strategy.params.parse(p.spec.params),
    symbols: ['X'],
    emit,
    interval: '1m',
    ...extra,
  });
  return { store, session };
}

/** Minute bars from closes, each as 3 ticks: the open exactly at the minute, a high, then the close. */
function ticksAndBars(closes: number[]): { ticks: Tick[]; bars: LiveBar[] } {
  const ticks: Tick[] = [];
  const bars: LiveBar[] = [];
  for (let i = 0; i < closes.length; i++) {
    const open = i === 0 ? closes[0] : closes[i - 1];
    const high = Math.max(open, closes[i]) + 0.5;
    const t = T0 + i * MIN;
    ticks.push(
      { symbol: 'X', time: t, price: open, size: 1 },
      { symbol: 'X', time: t + 20_000, price: high, size: 1 },
      { symbol: 'X', time: t + 40_000, price: closes[i], size: 1 },
    );
    bars.push({
      symbol: 'X',
      intervalMs: MIN,
      time: t,
      open,
      high,
      low: Math.min(open, closes[i]),
      close: closes[i],
      volume: 3,
    });
  }
  return { ticks, bars };
}

const CLOSES = [10, 10, 10, 10, 9, 8, 9, 11, 12, 13, 12, 10, 9, 8, 8, 9, 11, 13, 14, 13, 11, 9, 8, 8];

describe('LiveSession on ticks', () => {
  it('aggregates ticks into bars, decides at the close, fills at the next bar open: the same fills as the bar path', () => {
    const { ticks, bars } = ticksAndBars(CLOSES);
    const a = makeSession('ticks');
    for (let i = 0; i < ticks.length; i += 5) a.session.ticks(ticks.slice(i, i + 5));
    const b = makeSession('bars');
    for (const bar of bars) b.session.bars([bar]);
    const view = (f: { time: number; side: string; qty: number; price: number }) => [f.time, f.side, f.qty, f.price];
    expect(a.session.fills.length).toBeGreaterThan(2);
    // The tick path has seen every bar but the last (still open), so it may lag the bar path by the last decision only.
    expect(a.session.fills.map(view)).toEqual(b.session.fills.slice(0, a.session.fills.length).map(view));
    for (const f of a.session.fills)
      expect(f.price).toBeCloseTo(bars[(f.time - T0) / MIN].open * (f.side === 'buy' ? 1.001 : 0.999), 9);
    expect(a.session.aggregator.stats.bars).toBe(CLOSES.length - 1);
    a.store.close();
    b.store.close();
  });

  it('emits fills and alerts only after they are committed to the journal', () => {
    const seen: string[] = [];
    let store!: ReturnType<typeof openStore>;
    const emit = <E extends keyof LiveEvents>(channel: E, payload: LiveEvents[E]) => {
      const fills = connection(store).prepare("SELECT count(*) FROM fills WHERE session = 'j'").pluck().get() as number;
      const alerts = connection(store)
        .prepare("SELECT count(*) FROM alerts WHERE session = 'j'")
        .pluck()
        .get() as number;
      const signals = connection(store)
        .prepare("SELECT count(*) FROM alerts WHERE session = 'j' AND kind = 'signal'")
        .pluck()
        .get() as number;
      if (channel === 'positions:changed') seen.push(`positions@${fills}`);
      if (channel === 'alert:raised') seen.push(`alert:${(payload as { kind: string }).kind}@${alerts}`);
      if (channel === 'signal:fired') seen.push(`signal@${signals}`);
      expect(connection(store).inTransaction).toBe(false);
    };
    const made = makeSession('j', emit);
    store = made.store;
    const { ticks } = ticksAndBars(CLOSES);
    made.session.ticks(ticks);
    made.session.issue({ kind: 'gap', feed: 'websocket', symbol: 'X', time: T0, message: 'X: 3 message(s) missing' });
    made.session.status({ feed: 'websocket', state: 'stale', at: T0 + 99 * MIN, detail: 'no message for 31 s' });
    const fills = made.session.fills.length;
    const n = made.session.signals.length;
    expect(n).toBeGreaterThan(1);
    // One batch: each signal's alert then its signal:fired, all after the commit (the journal already holds all of them).
    const perSignal = Array.from({ length: n }, () => [`alert:signal@${n}`, `signal@${n}`]).flat();
    expect(seen).toEqual([...perSignal, `positions@${fills}`, `alert:feed-gap@${n + 1}`, `alert:stale-feed@${n + 2}`]);
    const kinds = made.session.alerts.list().map((a) => [a.kind, a.severity]);
    expect(kinds).toEqual([
      ['stale-feed', 'warning'],
      ['feed-gap', 'warning'],
      ...Array.from({ length: n }, () => ['signal', 'info']),
    ]);
    made.store.close();
  });

  it('a hard daily-loss limit trips the kill switch from the tick stream, journals it and refuses new orders', () => {
    const changes: unknown[] = [];
    const made = makeSession('k', (c, p) => void (c === 'killswitch:changed' && changes.push(p)));
    made.session.setRisk({ symbols: {}, maxDailyLoss: 5 });
    made.session.ticks([{ symbol: 'X', time: T0, price: 100, size: 1 }]);
    made.session.submit({ symbol: 'X', side: 'buy', qty: 10 });
    made.session.ticks([
      { symbol: 'X', time: T0 + 1, price: 100, size: 1 },
      { symbol: 'X', time: T0 + 2, price: 99, size: 1 },
    ]);
    expect(made.session.broker.killSwitch.tripped).toBe(true);
    expect(changes).toHaveLength(1);
    expect(made.session.journal.getState('k', 'killswitch')).toMatchObject({ tripped: true });
    expect(made.session.submit({ symbol: 'X', side: 'sell', qty: 1 }).status).toBe('rejected');
    made.session.rearm();
    expect(made.session.submit({ symbol: 'X', side: 'sell', qty: 1 }).status).toBe('new');
    made.store.close();
  });

  it('a feed sending both trades and bars steps on the first kind only, with one warning', () => {
    const { ticks, bars } = ticksAndBars(CLOSES);
    const a = makeSession('mixed');
    a.session.ticks(ticks.slice(0, 30));
    const stepped = a.session.aggregator.stats.bars;
    a.session.bars([bars[12]]);
    a.session.bars([bars[13]]);
    a.session.ticks(ticks.slice(30));
    expect(a.session.alerts.list().filter((x) => x.kind === 'feed-mixed')).toHaveLength(1);
    expect(a.session.aggregator.stats.bars).toBeGreaterThan(stepped);
    const b = makeSession('ticks-only');
    b.session.ticks(ticks);
    expect(a.session.fills.map((f) => [f.time, f.price])).toEqual(b.session.fills.map((f) => [f.time, f.price]));
    a.store.close();
    b.store.close();
  });
});

describe('LiveSession signal alerts', () => {
  const sigView = (x: {
    symbol: string;
    time: number;
    side: string;
    price: number;
    target: number;
    reason: string;
  }) => [x.symbol, x.time, x.side, x.price, x.target, x.reason];

  it('journals every entry and exit as a signal alert with its webhook delivery, pushes signal:fired and lists them', () => {
    const fired: FiredSignal[] = [];
    const raised: string[] = [];
    const made = makeSession(
      'sig',
      (c, p) => {
        if (c === 'signal:fired') fired.push(p as FiredSignal);
        if (c === 'alert:raised') raised.push((p as { id: string }).id);
      },
      { signalSeverity: 'warning', webhooks: [{ kind: 'json', url: 'http://127.0.0.1:9/hook' }] },
    );
    const { bars } = ticksAndBars(CLOSES);
    for (const bar of bars) made.session.bars([bar]);
    const signals = made.session.signals;
    expect(signals.length).toBeGreaterThanOrEqual(2);
    expect(new Set(signals.map((x) => x.side))).toEqual(new Set(['buy', 'sell']));
    // Pushed in order, each after its own alert, and identical to what the journal lists (newest first).
    expect(fired.map(sigView)).toEqual(signals.map(sigView));
    expect(fired.every((f) => f.strategy === 'sma-cross' && raised.includes(f.alertId))).toBe(true);
    const listed = made.session.listSignals();
    expect(listed).toEqual([...fired].reverse());
    expect(made.session.listSignals(1)).toEqual([fired.at(-1)]);
    expect(made.session.listSignals(500, 'Y')).toEqual([]);
    const alerts = made.session.alerts.list().filter((a) => a.kind === 'signal');
    expect(alerts.map((a) => a.id)).toEqual(listed.map((x) => x.alertId));
    expect(
      alerts.every((a) => a.severity === 'warning' && a.symbol === 'X' && a.message.startsWith('sma-cross ')),
    ).toBe(true);
    // One outbox row per signal alert, so a webhook gets every signal even if it is down now.
    const outbox = made.session.journal.pendingOutbox();
    expect(outbox.map((r) => r.alertId).sort()).toEqual(alerts.map((a) => a.id).sort());
    const first = made.session.listSignals().at(-1)!;
    const body = JSON.parse(outbox.find((r) => r.alertId === first.alertId)!.body);
    expect(body).toMatchObject({
      kind: 'signal',
      severity: 'warning',
      symbol: 'X',
      data: { strategy: 'sma-cross', side: first.side, price: first.price, reason: first.reason },
    });
    // Acknowledged like any alert.
    expect(made.session.ack(listed[0].alertId)).toBe(true);
    expect(made.session.alerts.list().find((a) => a.id === listed[0].alertId)!.acknowledgedAt).not.toBeNull();
    made.store.close();
  });

  it('restores the signals after a restart and does not alert the same decision twice when a feed resends history', () => {
    const { ticks } = ticksAndBars(CLOSES);
    const first = makeSession('restart');
    first.session.ticks(ticks);
    const before = first.session.listSignals();
    expect(before.length).toBeGreaterThan(1);
    // A new process on the same journal: the signals are there before anything is fed.
    const fired: FiredSignal[] = [];
    const second = makeSession('restart', (c, p) => void (c === 'signal:fired' && fired.push(p as FiredSignal)), {
      store: first.store,
    });
    second.session.restore();
    expect(second.session.listSignals()).toEqual(before);
    // The feed resends the same ticks: the cold strategy decides the same again, but nothing is alerted twice.
    second.session.ticks(ticks);
    expect(second.session.signals.map(sigView)).toEqual(first.session.signals.map(sigView));
    expect(fired).toEqual([]);
    expect(second.session.listSignals()).toEqual(before);
    first.store.close();
  });
});
