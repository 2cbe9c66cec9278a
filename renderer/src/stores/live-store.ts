import { create } from 'zustand';
import type { AppError, Events, KillSwitch, LiveAccount, LiveAlert, LiveFeedStatus, LivePosition, LiveStatus, RiskLimitsValue } from '../../../core/contract';
import { createFrameBatcher, type FrameScheduler } from '../lib/batch';
import { markAcknowledged, mergeAlerts, notifyAlert, type NotificationApi, type WatchRow } from './alerts-logic';
import { applyTickBatches } from './live-fold';
import { setMarks } from './marks-store';
import { loadWatchIndicators } from './watch-indicators';
import { jumpToChart } from './nav-store';

export { applyTickBatches } from './live-fold';

type Ticked = Events['live:ticked'];

interface LiveState {
  readonly isRunning: boolean;
  readonly feed: LiveFeedStatus | null;
  /** Age of the latest tick batch when it arrived (ms), smoothed. */
  readonly latencyMs: number | null;
  /** Ticks processed since the session started. */
  readonly ticks: number;
  readonly watch: ReadonlyMap<string, WatchRow>;
  readonly account: LiveAccount | null;
  /** Account equity over time (EpochMs, value), capped; the equity chart reads it outside React. */
  readonly equity: { readonly time: number[]; readonly value: number[] };
  readonly positions: readonly LivePosition[];
  readonly alerts: readonly LiveAlert[];
  readonly kill: KillSwitch;
  readonly strategy: string | null;
  readonly symbols: readonly string[];
  readonly risk: RiskLimitsValue | null;
  readonly error: AppError | null;
}

const initial: LiveState = {
  isRunning: false,
  feed: null,
  latencyMs: null,
  ticks: 0,
  watch: new Map(),
  account: null,
  equity: { time: [], value: [] },
  positions: [],
  alerts: [],
  kill: { tripped: false, reason: null, at: null },
  strategy: null,
  symbols: [],
  risk: null,
  error: null,
};

export const useLiveStore = create<LiveState>()(() => initial);

let subscriptions: (() => void)[] = [];

/**
 * Subscribes to the live topics. Tick batches are folded once per animation frame (a 1,000 ticks/s
 * feed costs one store update per frame); positions, alerts, feed status and the kill switch apply
 * as they come. Urgent alerts raise a desktop notification when permitted.
 */
export function subscribeLive(schedule?: FrameScheduler, notifications: NotificationApi | undefined = globalThis.Notification as unknown as NotificationApi | undefined): () => void {
  unsubscribeLive();
  const ticks = createFrameBatcher<Ticked>((batches) => useLiveStore.setState((s) => applyTickBatches(s, batches, Date.now())), schedule);
  subscriptions = [
    window.api.on('live:ticked', (b) => ticks.push(b)),
    window.api.on('positions:changed', (positions) => useLiveStore.setState({ positions })),
    window.api.on('alert:raised', (a) => {
      useLiveStore.setState((s) => ({ alerts: mergeAlerts(s.alerts, [a]) }));
      void notifyAlert(a, notifications);
    }),
    window.api.on('feed:status-changed', (feed) => useLiveStore.setState({ feed })),
    window.api.on('killswitch:changed', (kill) => useLiveStore.setState({ kill })),
    () => ticks.dispose(),
  ];
  return unsubscribeLive;
}

export function unsubscribeLive(): void {
  for (const off of subscriptions) off();
  subscriptions = [];
}

function applyStatus(st: LiveStatus): Partial<LiveState> {
  return { isRunning: st.running, feed: st.feed, account: st.account ?? null, kill: st.killSwitch, strategy: st.strategy, symbols: st.symbols };
}

/** Reads the session state, positions, recent alerts and risk limits (on opening the view or reconnecting). */
export async function loadLive(): Promise<void> {
  const [st, pos, al, risk] = await Promise.all([
    window.api.invoke('live:status'),
    window.api.invoke('positions:list'),
    window.api.invoke('alerts:list', { limit: 500 }),
    window.api.invoke('risk:get'),
  ]);
  const err = [st, pos, al, risk].find((r) => !r.ok);
  useLiveStore.setState((s) => ({
    ...(st.ok ? applyStatus(st.value) : {}),
    ...(pos.ok ? { positions: pos.value } : {}),
    ...(al.ok ? { alerts: mergeAlerts(s.alerts, al.value) } : {}),
    ...(risk.ok ? { risk: risk.value } : {}),
    error: err && !err.ok ? err.error : null,
  }));
  if (st.ok && st.value.symbols.length > 0) void loadWatchIndicators(st.value.symbols);
}

/**
 * Starts a paper session on the replay feed: the spec (strategy, params, symbols, costs) comes from
 * the Backtest form; the view then follows the pushed topics.
 */
export async function startLive(spec: Record<string, unknown>, speed: number, from?: string): Promise<void> {
  useLiveStore.setState({ ...initial, watch: new Map(), alerts: useLiveStore.getState().alerts, isRunning: true });
  // Each replay is a fresh journal session: reusing one would resume it where it stopped.
  const session = `replay-${Date.now()}`;
  const r = await window.api.invoke('live:start', { spec, feed: 'replay', speed, session, ...(from ? { from } : {}) });
  useLiveStore.setState(r.ok ? { ...applyStatus(r.value), isRunning: true, error: null } : { isRunning: false, error: r.error });
  if (r.ok) void loadWatchIndicators(r.value.symbols);
}

export async function stopLive(): Promise<void> {
  const r = await window.api.invoke('live:stop');
  useLiveStore.setState(r.ok ? applyStatus(r.value) : { error: r.error });
}

/** Replaces the risk limits (validated by the core). */
export async function setRiskLimits(limits: RiskLimitsValue): Promise<boolean> {
  const { hard, ...rest } = limits;
  const r = await window.api.invoke('risk:set', { ...rest, symbols: { ...limits.symbols }, ...(hard ? { hard: [...hard] } : {}) });
  useLiveStore.setState(r.ok ? { risk: r.value, error: null } : { error: r.error });
  return r.ok;
}

/** Acknowledges an alert: journaled by the core, greyed out here. */
export async function acknowledgeAlert(id: string): Promise<void> {
  const r = await window.api.invoke('alerts:ack', { id });
  if (r.ok) useLiveStore.setState((s) => ({ alerts: markAcknowledged(s.alerts, id, Date.now()) }));
  else useLiveStore.setState({ error: r.error });
}

/** Trips the kill switch (after the user confirmed): flattens and blocks new orders. */
export async function tripKillSwitch(reason: string): Promise<void> {
  const r = await window.api.invoke('killswitch:trip', { reason });
  useLiveStore.setState(r.ok ? { kill: r.value } : { error: r.error });
}

export async function rearmKillSwitch(): Promise<void> {
  const r = await window.api.invoke('killswitch:rearm');
  useLiveStore.setState(r.ok ? { kill: r.value } : { error: r.error });
}

/**
 * Puts the session's filled orders on the chart as markers (buys below, sells above) and opens the
 * chart on `symbol`. The contract has no signal event; fills are what the strategy's signals did.
 */
export async function showFillsOnChart(symbol: string): Promise<void> {
  const r = await window.api.invoke('orders:list');
  if (!r.ok) {
    useLiveStore.setState({ error: r.error });
    return;
  }
  const marks = r.value
    .filter((o) => o.filledQty > 0 && o.parentId === null)
    .map((o) => ({ symbol: o.symbol, time: o.time, side: o.side, text: `${o.side === 'buy' ? 'B' : 'S'} ${o.filledQty}` }));
  setMarks(marks);
  let last = Number.NEGATIVE_INFINITY;
  for (const m of marks) if (m.symbol === symbol && m.time > last) last = m.time;
  jumpToChart(symbol, Number.isFinite(last) ? last : Date.now());
}
