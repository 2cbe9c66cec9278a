import { parseSpec, type BacktestSpec } from '../backtest/spec';
import { fail, ok, type Result } from '../model/result';
import { Journal } from '../store/journal';
import type { Store } from '../store/sqlite-bar-store';
import type { IntervalName } from './aggregator';
import type { WebhookTarget } from './alerts';
import type { AnomalyConfig } from './anomalies';
import type { KillSwitchState, OrderRequest } from './broker';
import { FEEDS, type FeedName } from './feeds/registry';
import type { Feed } from './feeds/types';
import { ModelDuel, type DuelReport } from '../models/duel';
import { championOf, FanoutSink, planCanary } from './canary';
import { OutboxDispatcher, type OutboxState } from './outbox';
import { parseDate } from '../model/time';
import { LiveSpecError, resolveLiveModel, resolveSpec, resolveStrategy } from './replay';
import { SteppedSink } from './step-assembler';
import { NO_LIMITS, type RiskLimits } from './risk';
import { LiveSession, toPosition, type LiveEvents, type RestoreReport } from './session';
import type { Alert, FeedStatus, FiredSignal, LiveBar, Order, Position, Severity } from './types';

/** What `live:start` asks for (the contract's `LiveStartInput`, defaults applied). */
export interface StartRequest {
  readonly spec: unknown;
  readonly feed: FeedName;
  readonly url?: string;
  readonly speed: number;
  readonly from?: string;
  /** Bar interval for tick feeds (default `1m`). */
  readonly interval?: IntervalName;
  readonly session: string;
  readonly risk?: RiskLimits;
  readonly webhooks: readonly WebhookTarget[];
  readonly anomalies?: AnomalyConfig;
  readonly cooldownMs?: number;
  /** Severity of the `signal` alerts (default `info`). */
  readonly signalSeverity?: Severity;
}

/** The service's state as `live:status` reports it. */
export interface LiveServiceStatus {
  readonly running: boolean;
  readonly session: string | null;
  readonly strategy: string | null;
  readonly symbols: readonly string[];
  readonly feed: FeedStatus | null;
  readonly account: ReturnType<LiveSession['broker']['account']> | null;
  readonly killSwitch: KillSwitchState;
}

const ARMED: KillSwitchState = { tripped: false, reason: null, at: null };

/** A journaled session as `live:sessions` lists it. */
export interface SessionInfo {
  readonly name: string;
  /** Wall time of its last start (ms), or null for a session journaled before starts were recorded. */
  readonly startedAt: number | null;
  /** The last event time it stepped (ms), or null. */
  readonly lastTime: number | null;
  readonly strategy: string | null;
  readonly symbols: readonly string[];
  readonly feed: string | null;
  readonly killSwitch: KillSwitchState;
  /** True when its start request is kept, so `live:resume` can restart it by name. */
  readonly resumable: boolean;
}

/** What a session keeps to be resumed by name: its start request without webhooks (a URL may carry a token) or risk (kept apart). */
type StoredStart = Omit<StartRequest, 'webhooks' | 'risk' | 'session'>;

/** A streaming start's `from` (YYYY-MM-DD) as EpochMs: a model's features warm on the history before it. */
function liveFrom(text: string): number {
  const t = parseDate(text);
  if (t === null) throw new LiveSpecError([`from: expected a date YYYY-MM-DD, got "${text}"`]);
  return t;
}

function parseJson<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/**
 * The host's live service: at most one running session (a spec on a feed), the webhook outbox
 * dispatcher, and read access to the journal of the last session when none runs. Electron main and
 * `quantdesk serve` own one each (see `createServices`); `quantdesk live run` uses it too.
 */
export class LiveService {
  readonly #store: Store;
  readonly #emit: <E extends keyof LiveEvents>(channel: E, payload: LiveEvents[E]) => void;
  readonly #journal: Journal;
  #session: LiveSession | null = null;
  #feed: Feed | null = null;
  #strategy: string | null = null;
  #symbols: readonly string[] = [];
  /** The running or most recently started session (from the journal after a restart), or null when none ever ran. */
  #lastSession: string | null;
  // The stopped session's positions as last marked: the journal keeps quantities and costs, not marks.
  #stoppedPositions: { session: string; positions: Position[] } | null = null;
  #ticker: NodeJS.Timeout | null = null;
  #duel: ModelDuel | null = null;
  #canary: LiveSession | null = null;
  #outbox: OutboxDispatcher;
  /** The restore report of the last start. */
  lastRestore: RestoreReport | null = null;
  /** The restore report of the last start's canary session (`<session>~challenger`), or null when it has none. */
  lastCanaryRestore: RestoreReport | null = null;
  /** Called with every closed bar of a running session and the session's name (the user's alert rules judge it). */
  onBar: ((session: string, bar: LiveBar, realtime: boolean) => void) | null = null;
  /** Called with the session's name when one starts (or resumes), before its journal is restored. */
  onStart: ((session: string) => void) | null = null;
  /** Called with the running session's equity after each committed time step of a bar feed (see `onStepEquity`). */
  onStepEquity: ((time: number, equity: number) => void) | null = null;

  constructor(
    store: Store,
    emit: <E extends keyof LiveEvents>(channel: E, payload: LiveEvents[E]) => void,
    outboxPollMs = 1_000,
  ) {
    this.#store = store;
    this.#emit = emit;
    this.#journal = new Journal(store);
    this.#outbox = new OutboxDispatcher({ journal: this.#journal });
    if (!store.readonly) this.#outbox.start(outboxPollMs);
    // After a restart the last session is the journal's, not a phantom "default": its kill switch is what status shows.
    this.#lastSession = this.#journal.listSessions()[0]?.session ?? null;
  }

  /** The running session, if any. */
  get session(): LiveSession | null {
    return this.#session;
  }

  /** The running feed, if any. */
  get feed(): Feed | null {
    return this.#feed;
  }

  /** Starts a session: validates the spec, restores the session's journal, then starts the feed. */
  start(req: StartRequest): Result<LiveServiceStatus> {
    if (this.#session)
      return fail('conflict', `a live session ("${this.#session.session}") is already running; stop it first`);
    const parsed = parseSpec(req.spec);
    if (!parsed.ok) return fail('invalid-input', `spec: ${parsed.errors.join('; ')}`, parsed.errors);
    return this.startSpec({ ...req, spec: parsed.spec });
  }

  /** {@link start} with a spec already parsed by `BacktestSpecSchema` (the API validated it at the boundary). */
  startSpec(req: StartRequest & { readonly spec: BacktestSpec }): Result<LiveServiceStatus> {
    if (this.#session)
      return fail('conflict', `a live session ("${this.#session.session}") is already running; stop it first`);
    const spec = req.spec;
    // Spec-level exits (issue 17) are applied by the backtest engine; the live runner does not place them yet:
    // refuse rather than run a session without the stops the spec asks for.
    if (spec.exits !== undefined)
      return fail(
        'invalid-input',
        'spec.exits: protective exits in the spec are applied by the backtest engine only; the live session does not place them yet (remove "exits", or give the strategy its own stopLoss/takeProfit)',
        ['spec.exits: not supported by live sessions yet'],
      );
    let strategy;
    let symbols: readonly string[];
    let feed: Feed;
    try {
      const kind = FEEDS[req.feed];
      const staleMs = req.anomalies?.staleMs;
      if (kind.replaysStore) {
        const r = resolveSpec(this.#store, spec, { from: req.from });
        strategy = r;
        symbols = r.symbols;
        feed = kind.create({
          symbols: r.symbols,
          staleMs,
          replay: {
            panel: r.panel,
            from: r.from,
            to: r.to,
            speed: req.speed,
            catchUpUntil: this.#journal.getState<number>(req.session, 'lastTime') ?? undefined,
          },
        });
      } else {
        // Streaming feeds trade symbols the store need not hold (e.g. BTCUSDT): only the strategy is resolved.
        if (!spec.symbols) return fail('invalid-input', 'symbols: a streaming feed needs explicit "symbols"');
        symbols = spec.symbols;
        // model-signal: its features warm on the stored history before `from` (default: now), then live bars update them.
        strategy =
          spec.strategy === 'model-signal'
            ? resolveLiveModel(this.#store, spec, symbols, req.from ? liveFrom(req.from) : Date.now())
            : resolveStrategy(spec, this.#store);
        if (kind.needsUrl && !req.url) return fail('invalid-input', `url: the ${req.feed} feed needs a URL`);
        feed = kind.create({ symbols, url: req.url, staleMs });
      }
    } catch (e) {
      if (e instanceof LiveSpecError) return fail('invalid-input', e.message, e.errors);
      throw e;
    }
    // models (issue 18): a model-signal spec's live model, and its canary session when the challenger trades.
    const { champion, canary } = planCanary({
      store: this.#store,
      session: req.session,
      spec,
      strategy: strategy.strategy,
      params: strategy.params,
      symbols,
      risk: req.risk,
      webhooks: req.webhooks,
      emit: this.#emit,
      interval: req.interval,
      anomalies: req.anomalies,
      cooldownMs: req.cooldownMs,
      signalSeverity: req.signalSeverity,
      onBar: (b) => this.onBar?.(req.session, b, !FEEDS[req.feed].replaysStore),
      onStepEquity: (t, eq) => this.onStepEquity?.(t, eq),
      ...('model' in strategy && strategy.model ? { model: strategy.model } : {}),
    });
    this.onStart?.(req.session);
    const session = new LiveSession(champion);
    this.#duel = 'model' in strategy && strategy.model instanceof ModelDuel ? strategy.model : null;
    this.#canary = canary;
    // The canary keeps its own journal: a restart (resume) restores its orders, fills and last step with the champion.
    this.lastCanaryRestore = canary ? canary.restore() : null;
    if (!this.#store.readonly) {
      const { webhooks: _w, risk: _r, session: _s, ...stored } = req;
      this.#journal.transaction(() => {
        this.#journal.setState(req.session, 'startedAt', Date.now());
        this.#journal.setState(req.session, 'start', stored satisfies StoredStart);
      });
    }
    this.lastRestore = session.restore();
    this.#session = session;
    this.#feed = feed;
    this.#strategy = spec.strategy;
    this.#symbols = symbols;
    this.#lastSession = req.session;
    const sink = canary ? new FanoutSink([session, canary]) : session;
    // A model reads each time step whole; a streaming feed sends each symbol's bar alone: group them first.
    const stepped = 'model' in strategy && strategy.model && !FEEDS[req.feed].replaysStore;
    feed.start(stepped ? new SteppedSink(sink, symbols) : sink);
    // Prices held back by the 100 ms rate limit still go out when the feed goes quiet.
    this.#ticker = setInterval(() => session.flushTicked(), 100).unref();
    void feed.done.then(() => {
      if (this.#feed === feed) session.flushTicked();
    });
    return ok(this.status());
  }

  /** Stops the feed (the journal is already committed) and ends the session. */
  async stop(): Promise<LiveServiceStatus> {
    const feed = this.#feed;
    const session = this.#session;
    this.#feed = null;
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
    if (feed) await feed.stop();
    session?.flushTicked();
    this.#canary = null;
    if (session) this.#stoppedPositions = { session: session.session, positions: session.positions() };
    this.#session = null;
    return this.status();
  }

  /** The running session's champion/challenger comparison (a `model-signal` spec with `params.challenger`), or null. */
  duel(): (DuelReport & { canaryAccount: ReturnType<LiveSession['broker']['account']> | null }) | null {
    if (!this.#session || !this.#duel) return null;
    return { ...this.#duel.report(), canaryAccount: this.#canary ? this.#canary.broker.account() : null };
  }

  /** Releases the service (stops the session and the outbox dispatcher). */
  async dispose(): Promise<void> {
    await this.stop();
    this.#outbox.stop();
  }

  /** Whether a session runs, its strategy, symbols, feed status, account and kill switch (the stored one when idle). */
  status(): LiveServiceStatus {
    const s = this.#session;
    return {
      // Idle: the last session (journaled across restarts), whose kill switch is the one reported.
      running: s !== null,
      session: s?.session ?? this.#lastSession,
      strategy: s ? this.#strategy : null,
      symbols: s ? this.#symbols : [],
      feed: s?.feedStatus ?? null,
      account: s ? s.broker.account() : null,
      killSwitch: s ? s.broker.killSwitch : this.#storedKill(),
    };
  }

  #storedKill(): KillSwitchState {
    return this.#lastSession === null
      ? ARMED
      : (this.#journal.getState<KillSwitchState>(this.#lastSession, 'killswitch') ?? ARMED);
  }

  /** Every journaled session, most recently started first, with its kill switch as journaled. */
  sessions(): SessionInfo[] {
    const rows = this.#journal.listSessions();
    const starts = new Map(rows.map((r) => [r.session, r.start]));
    return rows.map((r) => {
      // A canary journal is started (and resumed) by its champion's request.
      const champion = championOf(r.session);
      const start = parseJson<StoredStart>(r.start ?? (champion !== null ? (starts.get(champion) ?? null) : null));
      const spec = (start?.spec ?? null) as { strategy?: unknown; symbols?: unknown } | null;
      const running = this.#session?.session === r.session;
      return {
        name: r.session,
        startedAt: parseJson<number>(r.startedAt),
        lastTime: parseJson<number>(r.lastTime),
        strategy: typeof spec?.strategy === 'string' ? spec.strategy : null,
        symbols: Array.isArray(spec?.symbols) ? spec.symbols.filter((x): x is string => typeof x === 'string') : [],
        feed: start?.feed ?? null,
        killSwitch: running ? this.#session!.broker.killSwitch : (parseJson<KillSwitchState>(r.killswitch) ?? ARMED),
        resumable: start !== null,
      };
    });
  }

  /**
   * Restarts session `name` with the start request it was last started with (spec, feed, speed, ...):
   * its journal is restored as after a crash and it continues after its last step. `speed` overrides the
   * replay speed. Webhooks are not kept with a session; risk limits are (journaled apart).
   */
  resume(name: string, speed?: number): Result<LiveServiceStatus> {
    const champion = championOf(name);
    // A canary runs beside its champion, never alone: resuming it resumes the pair.
    if (champion !== null && this.#journal.getState<StoredStart>(name, 'start') === undefined) {
      if (this.#session?.session === champion)
        return fail('conflict', `session "${name}" runs with its champion "${champion}", which is already running`);
      return this.resume(champion, speed);
    }
    const stored = this.#journal.getState<StoredStart>(name, 'start');
    if (stored === undefined) {
      const known = this.#journal.listSessions().some((r) => r.session === name);
      return fail(
        'not-found',
        known
          ? `session "${name}" was started before sessions kept their start; start it again with its spec`
          : `no session "${name}"`,
      );
    }
    return this.start({ ...stored, ...(speed === undefined ? {} : { speed }), session: name, webhooks: [] });
  }

  /** The webhook outbox: deliveries being retried, dead letters and the latest of them. */
  outboxState(): OutboxState {
    return this.#outbox.state();
  }

  /**
   * Puts dead letters back in the outbox with a fresh attempt budget, due now: those of alert `alertId`,
   * or all of them. Returns how many deliveries were requeued (the dispatcher picks them up on its next poll).
   */
  retryDeadLetters(alertId?: string): number {
    return this.#journal.requeueDead(Date.now(), alertId);
  }

  /** Delivers what the outbox holds for up to `timeoutMs` (see {@link OutboxDispatcher.drain}). */
  drainOutbox(timeoutMs: number): ReturnType<OutboxDispatcher['drain']> {
    // Pause, not stop: a request in flight is let finish and recorded, so it is not sent twice.
    this.#outbox.pause();
    return this.#outbox.drain(timeoutMs);
  }

  /** Positions of the running session, or those of the session stopped last (at their last marks), or the journaled ones of the last session. */
  positions(): Position[] {
    if (this.#session) return this.#session.positions();
    if (this.#lastSession === null) return [];
    const kept = this.#stoppedPositions;
    if (kept && kept.session === this.#lastSession) return kept.positions;
    return this.#journal.loadPositions(this.#lastSession).map((p) => toPosition({ ...p, last: Number.NaN }));
  }

  /** Orders of the running (or last) session, newest first. */
  orders(): Order[] {
    const list = this.#session
      ? [...this.#session.broker.orders()]
      : this.#lastSession === null
        ? []
        : this.#journal.loadOrders(this.#lastSession);
    return list.reverse();
  }

  /** Submits a manual paper order to the running session. */
  submit(req: OrderRequest): Result<Order> {
    if (!this.#session) return fail('unavailable', 'no live session is running; start one with live:start');
    return ok({ ...this.#session.submit(req) });
  }

  /** Closes every position of the running session with reduce-only market orders (accepted even with the kill switch tripped). */
  flatten(reason: string): Result<Order[]> {
    if (!this.#session)
      return fail('unavailable', 'no live session is running; positions can only be flattened in a running session');
    return ok(this.#session.flattenAll(reason).map((o) => ({ ...o })));
  }

  /** Cancels a working order of the running session; false if it is not working. */
  cancel(id: string): Result<{ cancelled: boolean }> {
    if (!this.#session) return fail('unavailable', 'no live session is running');
    return ok({ cancelled: this.#session.cancel(id) });
  }

  /** Alerts, newest first: all, only strategy signals, or only the others (anomalies, risk, feed). */
  alerts(limit = 500, category: 'all' | 'signal' | 'other' = 'all'): Alert[] {
    const name = this.#session?.session ?? this.#lastSession;
    return name === null ? [] : this.#journal.loadAlerts(name, limit, category);
  }

  /** Strategy signals of the running (or last) session from the journal, newest first; only `symbol`'s when given. */
  signals(limit = 500, symbol?: string): FiredSignal[] {
    const name = this.#session?.session ?? this.#lastSession;
    return name === null ? [] : this.#journal.loadSignals(name, limit, symbol);
  }

  /** Acknowledges an alert. */
  ack(id: string): boolean {
    return this.#session ? this.#session.ack(id) : this.#journal.ackAlert(id, Date.now());
  }

  /** The risk limits in force (or journaled for the last session). */
  risk(): RiskLimits {
    return (
      this.#session?.broker.risk.limits ??
      (this.#lastSession === null ? undefined : this.#journal.getState<RiskLimits>(this.#lastSession, 'risk')) ??
      NO_LIMITS
    );
  }

  /** Replaces the risk limits (journaled for restarts). */
  setRisk(limits: RiskLimits): RiskLimits {
    if (this.#session) this.#session.setRisk(limits);
    else this.#journal.setState((this.#lastSession ??= 'default'), 'risk', limits);
    return limits;
  }

  /** Trips the kill switch. Without a running session the tripped state is journaled and applies at the next start. */
  trip(reason: string): KillSwitchState {
    if (this.#session) {
      this.#session.trip(reason);
      return this.#session.broker.killSwitch;
    }
    const k = { tripped: true, reason, at: Date.now() };
    this.#journal.setState((this.#lastSession ??= 'default'), 'killswitch', k);
    this.#emit('killswitch:changed', k);
    return k;
  }

  /** Re-arms the kill switch. */
  rearm(): KillSwitchState {
    if (this.#session) {
      this.#session.rearm();
      return this.#session.broker.killSwitch;
    }
    const k = { tripped: false, reason: null, at: Date.now() };
    this.#journal.setState((this.#lastSession ??= 'default'), 'killswitch', k);
    this.#emit('killswitch:changed', k);
    return k;
  }
}
