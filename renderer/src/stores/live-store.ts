import { create } from 'zustand';
import type {
  AppError,
  BacktestSpecInput,
  Events,
  KillSwitch,
  LiveAccount,
  LiveAlert,
  LiveFeedStatus,
  LivePosition,
  LiveSessionInfo,
  LiveSignal,
  LiveStatus,
  OutboxStatus,
  RiskLimitsValue,
} from '../../../core/contract';
import { createFrameBatcher, type FrameScheduler } from '../lib/batch';
import {
  markAcknowledged,
  mergeAlerts,
  notifyAlert,
  shouldNotify,
  type AlertFilter,
  type NotificationApi,
  type WatchRow,
} from './alerts-logic';
import { useConnectionStore } from './connection-store';
import { applyTickBatches, mergeHistory } from './live-fold';
import { addSignalMarks, clearSignalMarks, setSymbolSignalMarks } from './marks-store';
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
  /** Bumped when `equity` is replaced rather than appended to (a new session, the host's history): the chart redraws it whole. */
  readonly equityEpoch: number;
  readonly positions: readonly LivePosition[];
  readonly alerts: readonly LiveAlert[];
  /** Which alerts the stream shows: all, strategy signals, or anomalies and risk. */
  readonly alertFilter: AlertFilter;
  readonly kill: KillSwitch;
  readonly strategy: string | null;
  readonly symbols: readonly string[];
  readonly risk: RiskLimitsValue | null;
  /** The running or last session's name (journaled: it survives a restart). */
  readonly session: string | null;
  /** Journaled sessions, most recently started first (resumable by name). */
  readonly sessions: readonly LiveSessionInfo[];
  /** The webhook outbox: deliveries waiting and dead letters (null until loaded). */
  readonly outbox: OutboxStatus | null;
  readonly error: AppError | null;
  /** The last Flatten all: how many closing orders went in, and when (page time). */
  readonly flattened: { readonly orders: number; readonly at: number } | null;
}

const initial: LiveState = {
  isRunning: false,
  feed: null,
  latencyMs: null,
  ticks: 0,
  watch: new Map(),
  account: null,
  equity: { time: [], value: [] },
  equityEpoch: 0,
  positions: [],
  alerts: [],
  alertFilter: 'all',
  kill: { tripped: false, reason: null, at: null },
  strategy: null,
  symbols: [],
  risk: null,
  session: null,
  sessions: [],
  outbox: null,
  error: null,
  flattened: null,
};

export const useLiveStore = create<LiveState>()(() => initial);

let subscriptions: (() => void)[] = [];

/**
 * Subscribes to the live topics. Tick batches and alerts are folded once per animation frame (a 1,000
 * ticks/s feed, or a replay firing thousands of signal alerts, costs one store update per frame);
 * positions, feed status and the kill switch apply as they come. Urgent alerts raise a desktop notification when permitted, from the page only under
 * `quantdesk serve` (Electron's main process notifies by itself: see {@link shouldNotify}).
 */
export function subscribeLive(
  schedule?: FrameScheduler,
  notifications: NotificationApi | undefined = globalThis.Notification as unknown as NotificationApi | undefined,
): () => void {
  unsubscribeLive();
  const ticks = createFrameBatcher<Ticked>(
    (batches) => useLiveStore.setState((s) => applyTickBatches(s, batches, Date.now())),
    schedule,
  );
  // Every strategy signal is an alert too: a fast replay pushes thousands, so they are merged once per frame.
  const alerts = createFrameBatcher<LiveAlert>(
    (list) => useLiveStore.setState((s) => ({ alerts: mergeAlerts(s.alerts, list) })),
    schedule,
  );
  subscriptions = [
    window.api.on('live:ticked', (b) => ticks.push(b)),
    window.api.on('positions:changed', (positions) => useLiveStore.setState({ positions })),
    window.api.on('alert:raised', (a) => {
      alerts.push(a);
      if (shouldNotify(a, useConnectionStore.getState().host)) void notifyAlert(a, notifications);
    }),
    window.api.on('feed:status-changed', (feed) => useLiveStore.setState({ feed })),
    window.api.on('killswitch:changed', (kill) => useLiveStore.setState({ kill })),
    () => ticks.dispose(),
    // Webhook deliveries change without an event of their own: the outbox line is refreshed every few seconds.
    (() => {
      const timer = setInterval(() => void loadOutboxAndSessions(), 5_000);
      return () => clearInterval(timer);
    })(),
    () => {
      alerts.flush();
      alerts.dispose();
    },
  ];
  return unsubscribeLive;
}

/**
 * Follows `signal:fired` for the whole app (not only while the Live view is open), so the Chart view's
 * live markers stay current: signals are folded into the marks store once per frame.
 */
export function subscribeSignals(schedule?: FrameScheduler): () => void {
  const batch = createFrameBatcher<LiveSignal>(addSignalMarks, schedule);
  const off = window.api.on('signal:fired', (s) => batch.push(s));
  return () => {
    off();
    batch.dispose();
  };
}

/** Chooses which alerts the stream shows. */
export function setAlertFilter(alertFilter: AlertFilter): void {
  useLiveStore.setState({ alertFilter });
}

export function unsubscribeLive(): void {
  for (const off of subscriptions) off();
  subscriptions = [];
}

function applyStatus(st: LiveStatus): Partial<LiveState> {
  return {
    isRunning: st.running,
    feed: st.feed,
    account: st.account ?? null,
    kill: st.killSwitch,
    strategy: st.strategy,
    symbols: st.symbols,
    session: st.session,
  };
}

/** Reads the webhook outbox (waiting, dead letters) and the journaled sessions; a failed call leaves its part as it was. */
export async function loadOutboxAndSessions(): Promise<void> {
  const [ob, ss] = await Promise.all([window.api.invoke('outbox:status'), window.api.invoke('live:sessions')]);
  useLiveStore.setState({ ...(ob.ok ? { outbox: ob.value } : {}), ...(ss.ok ? { sessions: ss.value } : {}) });
}

/**
 * A default session name a user can read back: the strategy and the start time (UTC, to the second), with
 * ` (2)`, ` (3)`, … when a journaled session already has it. A default must never name an existing session:
 * an existing name resumes that session (two starts in one minute used to resume the first one).
 */
export function defaultSessionName(strategy: string, now = new Date(), taken: Iterable<string> = []): string {
  const base = `${strategy} ${now.toISOString().slice(0, 19).replace('T', ' ')}`;
  const used = new Set(taken);
  let name = base;
  for (let k = 2; used.has(name); k++) name = `${base} (${k})`;
  return name;
}

/** Reads the session state, positions, recent alerts and risk limits (on opening the view or reconnecting). */
export async function loadLive(): Promise<void> {
  // Signal alerts and the others are read apart, so a busy strategy cannot push the risk alerts off the page.
  const [st, pos, sig, other, risk, hist] = await Promise.all([
    window.api.invoke('live:status'),
    window.api.invoke('positions:list'),
    window.api.invoke('alerts:list', { limit: 500, category: 'signal' }),
    window.api.invoke('alerts:list', { limit: 500, category: 'other' }),
    window.api.invoke('risk:get'),
    window.api.invoke('live:history'),
  ]);
  // The history only adds what the page missed: without it the page shows the next batches, as before.
  const err = [st, pos, sig, other, risk].find((r) => !r.ok);
  useLiveStore.setState((s) => ({
    ...(st.ok ? applyStatus(st.value) : {}),
    // What the page missed before it opened: the equity curve and the watchlist's last prices.
    ...(() => {
      const merged = hist.ok && st.ok ? mergeHistory(s, hist.value, st.value.session) : null;
      return merged ? { ...merged, equityEpoch: s.equityEpoch + 1 } : {};
    })(),
    ...(pos.ok ? { positions: pos.value } : {}),
    alerts: mergeAlerts(s.alerts, [...(sig.ok ? sig.value : []), ...(other.ok ? other.value : [])]),
    ...(risk.ok ? { risk: risk.value } : {}),
    error: err && !err.ok ? err.error : null,
  }));
  if (st.ok && st.value.symbols.length > 0) void loadWatchIndicators(st.value.symbols);
  void loadOutboxAndSessions();
}

/**
 * The page's state as a session starts or resumes: the session's figures, watchlist, equity (redrawn whole) and
 * alerts start empty; the alert filter, the session list and the outbox stay. A new session's alert stream starts
 * empty, as a reload shows it (`alerts:list` reads the running session's journal): a replay re-runs history, so the
 * earlier session's alerts carry later market times and would sort above the new session's. They stay in the journal.
 */
function clearForSession(): void {
  useLiveStore.setState((s) => ({
    ...initial,
    watch: new Map(),
    alerts: [],
    alertFilter: s.alertFilter,
    sessions: s.sessions,
    outbox: s.outbox,
    isRunning: true,
    equityEpoch: s.equityEpoch + 1,
  }));
  clearSignalMarks();
}

/**
 * Starts a paper session on the replay feed: the spec (strategy, params, symbols, costs) comes from
 * the Backtest form; the view then follows the pushed topics.
 */
export async function startLive(
  spec: Record<string, unknown>,
  speed: number,
  from?: string,
  session?: string,
): Promise<void> {
  clearForSession();
  const { sessions } = useLiveStore.getState();
  // A session is named for the user (an existing name resumes that session where it stopped).
  let name = session?.trim();
  if (!name) {
    const known = await window.api.invoke('live:sessions');
    const taken = (known.ok ? known.value : sessions).map((x) => x.name);
    name = defaultSessionName(typeof spec.strategy === 'string' ? spec.strategy : 'session', new Date(), taken);
  }
  const r = await window.api.invoke('live:start', {
    spec: spec as BacktestSpecInput,
    feed: 'replay',
    speed,
    session: name,
    ...(from ? { from } : {}),
  });
  useLiveStore.setState(
    r.ok ? { ...applyStatus(r.value), isRunning: true, error: null } : { isRunning: false, error: r.error },
  );
  if (r.ok) void loadWatchIndicators(r.value.symbols);
  void loadOutboxAndSessions();
}

/** Resumes a journaled session by name with the spec and feed it was started with (its kill switch as journaled). */
export async function resumeLive(session: string, speed?: number): Promise<void> {
  clearForSession();
  const r = await window.api.invoke('live:resume', { session, ...(speed === undefined ? {} : { speed }) });
  useLiveStore.setState(
    r.ok ? { ...applyStatus(r.value), isRunning: true, error: null } : { isRunning: false, error: r.error },
  );
  if (r.ok) {
    void loadWatchIndicators(r.value.symbols);
    await loadLive();
  }
}

export async function stopLive(): Promise<void> {
  const r = await window.api.invoke('live:stop');
  useLiveStore.setState(r.ok ? applyStatus(r.value) : { error: r.error });
  // The stopped session's positions at their last marks (the host keeps them; the journal has no marks).
  const pos = await window.api.invoke('positions:list');
  if (pos.ok) useLiveStore.setState({ positions: pos.value });
}

/**
 * Flattens every open position of the running session (after the user confirmed): one reduce-only market
 * order each, journaled by the core and filled at the next price; works with the kill switch tripped.
 * Returns how many orders went in, or null on error.
 */
export async function flattenAll(reason = 'flatten all from the Live view'): Promise<number | null> {
  const r = await window.api.invoke('positions:flatten', { reason });
  if (!r.ok) {
    useLiveStore.setState({ error: r.error });
    return null;
  }
  useLiveStore.setState({ error: null, flattened: { orders: r.value.length, at: Date.now() } });
  return r.value.length;
}

/** Replaces the risk limits (validated by the core). */
export async function setRiskLimits(limits: RiskLimitsValue): Promise<boolean> {
  const { hard, ...rest } = limits;
  const r = await window.api.invoke('risk:set', {
    ...rest,
    symbols: { ...limits.symbols },
    ...(hard ? { hard: [...hard] } : {}),
  });
  useLiveStore.setState(r.ok ? { risk: r.value, error: null } : { error: r.error });
  return r.ok;
}

/** Acknowledges an alert: journaled by the core, greyed out here. */
export async function acknowledgeAlert(id: string): Promise<void> {
  const r = await window.api.invoke('alerts:ack', { id });
  if (r.ok) useLiveStore.setState((s) => ({ alerts: markAcknowledged(s.alerts, id, Date.now()) }));
  else useLiveStore.setState({ error: r.error });
}

/**
 * Requeues dead letters (those of alert `alertId`, or all) for delivery with a fresh attempt budget,
 * then reloads the outbox line. Returns how many deliveries were requeued, or null on error.
 */
export async function retryDeadLetters(alertId?: string): Promise<number | null> {
  const r = await window.api.invoke('outbox:retry', alertId === undefined ? {} : { alertId });
  if (!r.ok) useLiveStore.setState({ error: r.error });
  await loadOutboxAndSessions();
  return r.ok ? r.value.requeued : null;
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
 * Opens the chart on `symbol` with the session's strategy signals as markers (buys below, sells above),
 * read from the journal (`signals:list`); later signals arrive by `signal:fired` (see {@link subscribeSignals}).
 */
export async function showSignalsOnChart(symbol: string): Promise<void> {
  const r = await window.api.invoke('signals:list', { symbol, limit: 5000 });
  if (!r.ok) {
    useLiveStore.setState({ error: r.error });
    return;
  }
  setSymbolSignalMarks(symbol, r.value);
  // Newest first: the first is the latest decision, where the chart opens.
  jumpToChart(symbol, r.value.length > 0 ? r.value[0].time : Date.now());
}
