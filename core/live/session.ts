import type { BacktestSpec } from '../backtest/spec';
import { Journal } from '../store/journal';
import type { Store } from '../store/sqlite-bar-store';
import type { SingleStrategy } from '../strategy/types';
import { BarAggregator, type IntervalName } from './aggregator';
import { AlertCenter, type WebhookTarget } from './alerts';
import { AnomalyDetector, type AnomalyConfig } from './anomalies';
import { PaperBroker, type Account, type KillSwitchState, type OrderRequest } from './broker';
import { specCosts } from './costs';
import type { FeedIssue, FeedSink } from './feeds/types';
import { positionsFromFills, unrealized, type PositionAction, type PositionState } from './positions';
import { RiskChecker, type RiskLimits } from './risk';
import type { SignalExplanation } from '../model/explanation';
import { explanationText } from '../models/live';
import type { PortfolioContext, SessionPortfolio } from './portfolio';
import { StrategyRunner, type StepBar } from './runner';
import { StepAssembler } from './step-assembler';
import type { Alert, FeedStatus, FiredSignal, Fill, LiveBar, Order, Position, Severity, Signal, Tick } from './types';
import { tickToSignalSeconds, ticksTotal } from '../metrics/registry';

/** A batch of price changes pushed at most every `tickedEveryMs` (the Live view's ticker). */
export interface LiveTicked {
  readonly at: number;
  /** Ticks (or bars) processed since the previous batch. */
  readonly count: number;
  /**
   * The latest price of every symbol that changed since the previous batch, and `prevClose`: the last price
   * of the symbol's previous UTC day (the previous bar's close on a daily feed), NaN before one was seen.
   */
  readonly prices: readonly {
    readonly symbol: string;
    readonly time: number;
    readonly price: number;
    readonly prevClose: number;
  }[];
  readonly account: Account;
}

/** Events a session pushes, each only after the journal transaction holding its facts committed. */
export interface LiveEvents {
  'live:ticked': LiveTicked;
  'positions:changed': readonly Position[];
  'alert:raised': Alert;
  'signal:fired': FiredSignal;
  'feed:status-changed': FeedStatus;
  'killswitch:changed': KillSwitchState;
}

/** Options of {@link LiveSession}. */
export interface SessionOptions {
  readonly store: Store;
  /** A point-in-time universe's membership (a desk book on a named universe); see `RunnerOptions.member`. */
  readonly member?: (symbol: string, time: number) => boolean;
  /** Journal session id: orders, fills and positions of a session are restored together. */
  readonly session: string;
  readonly spec: BacktestSpec;
  readonly strategy: SingleStrategy<any, any>;
  /** Strategy parameters parsed by its schema. */
  readonly params: unknown;
  readonly symbols: readonly string[];
  readonly risk?: RiskLimits;
  /** Builds the session's risk checker from its limits (the desk's books add desk-wide checks); default a plain {@link RiskChecker}. */
  readonly riskChecker?: (limits: RiskLimits | undefined) => RiskChecker;
  readonly anomalies?: AnomalyConfig;
  readonly cooldownMs?: number;
  readonly webhooks?: readonly WebhookTarget[];
  /** Severity of the `signal` alert every strategy entry and exit raises (default `info`). */
  readonly signalSeverity?: Severity;
  /** Bar interval the strategies step on when the feed sends ticks (default `1m`); bar feeds step on whatever they send. */
  readonly interval?: IntervalName;
  /** Late-tick grace of the aggregator (ms). */
  readonly graceMs?: number;
  /** Every closed bar the session steps (the user's alert rules judge it); called inside the batch's transaction. */
  readonly onBar?: (bar: LiveBar) => void;
  /**
   * The account's equity after each time step of a bar feed (a replay: one point per day, however fast it runs),
   * called after the step's transaction committed; `live:ticked` samples it only every 100 ms.
   */
  readonly onStepEquity?: (time: number, equity: number) => void;
  /** Push an event (after commit). */
  readonly emit?: <E extends keyof LiveEvents>(channel: E, payload: LiveEvents[E]) => void;
  /** Minimum ms between `live:ticked` pushes. Default 100. */
  readonly tickedEveryMs?: number;
  /** Keep at most this many signals and fills in memory for listing (the journal has them all). Default 100,000. */
  readonly keep?: number;
  readonly now?: () => number;
  /** A model behind the strategy (`model-signal`): sees each whole step before the runner decides, and explains its signals. */
  readonly model?: SessionModel;
}

/** What a session asks of a live model (see `core/models/live.ts`). */
export interface SessionModel {
  observe(step: readonly StepBar[]): void;
  explain(symbol: string, time: number): SignalExplanation | undefined;
  /** A portfolio rule (top-k) moving the whole book at rebalance dates, beside or instead of per-symbol decisions. */
  readonly portfolio?: SessionPortfolio | null;
}

/** What a restart found in the journal. */
export interface RestoreReport {
  readonly orders: number;
  readonly openOrders: number;
  readonly fills: number;
  readonly positions: readonly Position[];
  /** Positions recomputed from the journaled fills equal the journaled position snapshots. */
  readonly positionsMatch: boolean;
  readonly mismatches: readonly string[];
  readonly undeliveredAlerts: number;
  readonly killSwitch: KillSwitchState;
  /** The last journaled event time (EpochMs), or null for a new session. */
  readonly resumeAfter: number | null;
}

type Pending = { [E in keyof LiveEvents]: readonly [E, LiveEvents[E]] }[keyof LiveEvents];

/**
 * One live (or paper) session: feed → aggregator → strategy runner → paper broker → risk → alerts,
 * with every order, fill, position change and alert journaled before anything is pushed. Each feed
 * batch runs in one SQLite transaction; events raised inside it are emitted only after it commits, so
 * a crash can lose an emit but never show something the journal lacks.
 */
export class LiveSession implements FeedSink {
  readonly session: string;
  readonly journal: Journal;
  readonly broker: PaperBroker;
  readonly runner: StrategyRunner;
  readonly alerts: AlertCenter;
  readonly aggregator: BarAggregator;
  readonly anomalies: AnomalyDetector;
  readonly signals: Signal[] = [];
  readonly fills: Fill[] = [];
  readonly #o: SessionOptions;
  readonly #now: () => number;
  #pending: Pending[] = [];
  #depth = 0;
  #positionsDirty = false;
  #lastTicked = 0;
  #tickCount = 0;
  readonly #dirtyPrices = new Map<string, { symbol: string; time: number; price: number; prevClose: number }>();
  // Per symbol: the UTC day of its latest price, that price, and the last price of the day before (the day's change reference).
  readonly #days = new Map<string, { day: number; last: number; prevClose: number }>();
  #feedStatus: FeedStatus | null = null;
  #lastEventTime = 0;
  // Bar steps at or before this time were traded before a restart: they only warm the strategies up.
  #resumeAfter = Number.NEGATIVE_INFINITY;

  constructor(o: SessionOptions) {
    this.#o = o;
    this.session = o.session;
    this.#now = o.now ?? Date.now;
    this.journal = new Journal(o.store);
    this.alerts = new AlertCenter({
      session: o.session,
      journal: this.journal,
      cooldownMs: o.cooldownMs,
      webhooks: o.webhooks,
      onRaised: (a) => this.#pending.push(['alert:raised', a]),
    });
    const keep = o.keep ?? 100_000;
    const persisted = this.journal.getState<RiskLimits>(o.session, 'risk');
    this.broker = new PaperBroker({
      session: o.session,
      cash: o.spec.capital,
      costs: specCosts(o.spec),
      risk: o.riskChecker ? o.riskChecker(o.risk ?? persisted) : new RiskChecker(o.risk ?? persisted),
      hooks: {
        order: (ord, time, isNew) => (isNew ? this.journal.insertOrder(ord) : this.journal.updateOrder(ord, time)),
        fill: (f, p) => {
          this.journal.insertFill(f);
          this.journal.upsertPosition(this.session, p, f.time);
          this.#positionsDirty = true;
          if (this.fills.length < keep) this.fills.push(f);
        },
        action: (a, p) => {
          // Journaled with the position so a restart rebuilds both (fills alone would lose a split).
          const list = this.journal.getState<PositionAction[]>(this.session, 'actions') ?? [];
          list.push(a);
          this.journal.setState(this.session, 'actions', list);
          this.journal.upsertPosition(this.session, p, a.time);
          this.#positionsDirty = true;
        },
        breach: (b, time) => {
          this.alerts.raise({
            kind: 'risk-limit',
            severity: b.hard ? 'critical' : 'warning',
            symbol: b.symbol,
            message: b.message,
            time,
            key: `risk:${b.limit}:${b.symbol ?? ''}`,
          });
        },
        killSwitch: (k) => {
          this.journal.setState(this.session, 'killswitch', k);
          this.#pending.push(['killswitch:changed', k]);
          this.alerts.raise({
            kind: 'kill-switch',
            severity: k.tripped ? 'critical' : 'info',
            message: k.tripped ? `kill switch tripped: ${k.reason}` : 'kill switch re-armed',
            time: k.at ?? this.#now(),
            key: `kill-switch:${k.tripped}:${k.at}`,
          });
        },
      },
    });
    this.runner = new StrategyRunner({
      spec: o.spec,
      strategy: o.strategy,
      params: o.params,
      symbols: o.symbols,
      broker: this.broker,
      member: o.member,
      onSignal: (sig) => this.#onSignal(sig),
    });
    const interval = o.interval ?? '1m';
    this.aggregator = new BarAggregator(
      { intervals: [interval], graceMs: o.graceMs },
      {
        onBar: (b) => this.#closedBar(b),
      },
    );
    this.anomalies = new AnomalyDetector(o.anomalies);
    this.#steps = o.model ? new StepAssembler(o.symbols, (step) => this.#closedStep(step)) : null;
  }

  // Tick feeds with a model: the aggregator closes each symbol's bar alone; the model reads a time step whole.
  readonly #steps: StepAssembler | null;

  // Every entry and exit is an alert of kind `signal` (journaled with the signal as payload, sent to the
  // webhooks, de-duplicated by its exact decision), then pushed as `signal:fired` after the commit.
  #signalAlert(s: Signal): void {
    if (this.#batchAt > 0) tickToSignalSeconds.observe((performance.now() - this.#batchAt) / 1000);
    const strategy = this.#o.spec.strategy;
    const payload = {
      strategy,
      symbol: s.symbol,
      time: s.time,
      side: s.side,
      price: s.price,
      target: s.target,
      reason: s.reason,
      ...(s.explanation ? { explanation: s.explanation } : {}),
    };
    const why = s.explanation
      ? `; prediction ${s.explanation.prediction.toPrecision(3)}: ${explanationText(s.explanation)}`
      : '';
    const a = this.alerts.raise({
      kind: 'signal',
      severity: this.#o.signalSeverity ?? 'info',
      symbol: s.symbol,
      time: s.time,
      key: signalKey(s),
      payload,
      message: `${strategy} ${s.side} at ${s.price.toFixed(4)}, target ${s.target} (${REASON[s.reason]})${why}`,
    });
    if (a) this.#pending.push(['signal:fired', { ...payload, alertId: a.id }]);
  }

  /** The latest `limit` signals of this session from the journal, newest first (only `symbol`'s when given). */
  listSignals(limit = 500, symbol?: string): FiredSignal[] {
    return this.journal.loadSignals(this.session, limit, symbol);
  }

  /** Runs `fn` in one journal transaction, then emits what it raised. */
  #commit(fn: () => void): void {
    // Nested commits (a feed batching many steps) join the outer transaction and emit after it.
    if (this.#depth > 0) return fn();
    this.#depth++;
    try {
      this.journal.transaction(fn);
    } catch (e) {
      this.#pending = [];
      this.#stepEquity.length = 0;
      throw e;
    } finally {
      this.#depth--;
    }
    this.#flush();
  }

  /** (time, equity) pairs of the steps in the transaction, handed to `onStepEquity` once it commits. */
  readonly #stepEquity: number[] = [];

  #flush(): void {
    const emit = this.#o.emit;
    if (this.#stepEquity.length > 0) {
      const onStep = this.#o.onStepEquity!;
      for (let i = 0; i < this.#stepEquity.length; i += 2) onStep(this.#stepEquity[i], this.#stepEquity[i + 1]);
      this.#stepEquity.length = 0;
    }
    if (this.#positionsDirty) {
      this.#positionsDirty = false;
      this.#pending.push(['positions:changed', this.positions()]);
    }
    const now = this.#now();
    if (this.#dirtyPrices.size > 0 && now - this.#lastTicked >= (this.#o.tickedEveryMs ?? 100)) this.#pushTicked(now);
    const batch = this.#pending;
    this.#pending = [];
    if (emit) for (const [channel, payload] of batch) (emit as (c: string, p: unknown) => void)(channel, payload);
  }

  #pushTicked(now: number): void {
    this.#lastTicked = now;
    this.#pending.push([
      'live:ticked',
      { at: now, count: this.#tickCount, prices: [...this.#dirtyPrices.values()], account: this.broker.account() },
    ]);
    this.#dirtyPrices.clear();
    this.#tickCount = 0;
  }

  /** Pushes any `live:ticked` batch still held back by the rate limit. */
  flushTicked(): void {
    if (this.#dirtyPrices.size === 0) return;
    this.#pushTicked(this.#now());
    this.#flush();
  }

  #price(symbol: string, time: number, price: number): void {
    this.#tickCount++;
    const day = Math.floor(time / 86_400_000);
    let d = this.#days.get(symbol);
    if (!d) this.#days.set(symbol, (d = { day, last: price, prevClose: Number.NaN }));
    else if (day > d.day) {
      d.prevClose = d.last;
      d.day = day;
    }
    d.last = price;
    const p = this.#dirtyPrices.get(symbol);
    if (p) {
      p.time = time;
      p.price = price;
      p.prevClose = d.prevClose;
    } else this.#dirtyPrices.set(symbol, { symbol, time, price, prevClose: d.prevClose });
  }

  #anomalies(b: LiveBar): void {
    // On signal prices: a split's drop in the traded price is not a market move.
    const f = (b as StepBar).factor;
    const found = this.anomalies.onBar(b.symbol, f === undefined ? b.close : b.close * f, b.volume);
    for (const a of found)
      this.alerts.raise({
        kind: a.kind,
        severity: 'warning',
        symbol: a.symbol,
        message: a.message,
        time: b.time,
        payload: { value: a.value },
      });
  }

  // A bar closed by the aggregator (tick feeds): the strategy decides at its close.
  #closedBar(b: LiveBar): void {
    if (this.#steps) return this.#steps.push(b);
    this.runner.closes([b]);
    this.#anomalies(b);
    this.#o.onBar?.(b);
  }

  // A time step of aggregated bars for a model: its features and predictions, then the decisions at the closes.
  #closedStep(step: readonly LiveBar[]): void {
    const model = this.#o.model!;
    model.observe(step);
    this.runner.closes(step);
    // A bar's open is history by the time ticks close it: a portfolio rebalances at the decision's closes here.
    const portfolio = model.portfolio;
    if (portfolio)
      portfolio.closes(step, { ...this.#portfolioContext(false), spec: { ...this.#o.spec, fill: 'close' } });
    for (const b of step) {
      this.#anomalies(b);
      this.#o.onBar?.(b);
    }
  }

  // A feed that sends both trades and bars (e.g. Binance trade and kline streams together) would step the
  // strategies twice: the first kind seen drives the session, the other is ignored with one warning.
  #mode: 'ticks' | 'bars' | null = null;
  #mixedWarned = false;

  #accept(kind: 'ticks' | 'bars', time: number): boolean {
    if (this.#mode === null) this.#mode = kind;
    if (this.#mode === kind) return true;
    if (this.#mixedWarned) return false;
    this.#mixedWarned = true;
    this.#commit(() => {
      this.alerts.raise({
        kind: 'feed-mixed',
        severity: 'warning',
        time,
        key: 'feed-mixed',
        message: `the feed sends both trades and bars; stepping on ${this.#mode}, ignoring ${kind}`,
      });
    });
    return false;
  }

  /** Feed sink: a batch of trade prints. */
  ticks(batch: readonly Tick[]): void {
    if (batch.length === 0 || !this.#accept('ticks', batch[0].time)) return;
    // /metrics: ticks received, and latency from a batch reaching the session to each signal it raises.
    ticksTotal.inc(batch.length);
    this.#batchAt = performance.now();
    this.#commit(() => {
      for (let i = 0; i < batch.length; i++) this.#tick(batch[i]);
      this.journal.setState(this.session, 'lastTime', this.#lastEventTime);
    });
    this.#batchAt = 0;
  }

  #batchAt = 0;

  #tick(t: Tick): void {
    this.#lastEventTime = t.time;
    this.aggregator.push(t.symbol, t.time, t.price, t.size);
    this.runner.openTick(t.symbol, t.time, t.price);
    this.broker.onTick(t.symbol, t.time, t.price);
    this.#price(t.symbol, t.time, t.price);
  }

  /** Processes one tick without the per-batch transaction (the caller holds one): the benchmark's path. */
  tickInTransaction(t: Tick): void {
    this.#tick(t);
  }

  /** Runs `fn` (many {@link tickInTransaction}, or many feed batches) in one transaction, emitting afterwards. */
  batch(fn: () => void): void {
    this.#commit(fn);
  }

  /** Feed sink: one time step of closed bars. */
  bars(step: readonly StepBar[]): void {
    if (step.length === 0 || !this.#accept('bars', step[0].time)) return;
    this.#o.model?.observe(step);
    const portfolio = this.#o.model?.portfolio;
    if (step[0].time <= this.#resumeAfter) {
      if (portfolio) {
        const ctx = this.#portfolioContext(true);
        portfolio.opens(step, ctx);
        portfolio.closes(step, ctx);
      }
      this.runner.warm(step);
      // The anomaly detector's windows are state too: warm them on the same bars (their alerts were
      // journaled before the restart), so the first bars after the resume are judged as in one run.
      for (const b of step) this.anomalies.onBar(b.symbol, b.close, b.volume);
      return;
    }
    this.#commit(() => {
      this.journal.setState(this.session, 'lastTime', step.length > 0 ? step[0].time : this.#lastEventTime);
      for (const b of step) {
        this.broker.matchBar(b);
        this.#lastEventTime = b.time;
      }
      if (portfolio) {
        const ctx = this.#portfolioContext(false);
        this.runner.step(step, () => portfolio.opens(step, ctx));
        portfolio.closes(step, ctx);
      } else this.runner.step(step);
      for (const b of step) {
        this.#price(b.symbol, b.time, b.close);
        this.#anomalies(b);
        this.#o.onBar?.(b);
      }
      if (this.#o.onStepEquity) this.#stepEquity.push(step[0].time, this.broker.equity());
    });
  }

  /** Feed sink: connection state; a stale feed raises a warning. */
  status(s: FeedStatus): void {
    this.#feedStatus = s;
    this.#commit(() => {
      this.#pending.push(['feed:status-changed', s]);
      if (s.state === 'stale')
        this.alerts.raise({
          kind: 'stale-feed',
          severity: 'warning',
          message: `${s.feed} feed is stale: ${s.detail ?? ''}`.trim(),
          time: s.at,
          key: `stale:${s.feed}`,
        });
    });
  }

  /** Feed sink: gaps, out-of-order and malformed messages become warnings (de-duplicated per symbol). */
  issue(i: FeedIssue): void {
    if (i.kind === 'out-of-order') return;
    this.#commit(() => {
      this.alerts.raise({
        kind: `feed-${i.kind}`,
        severity: 'warning',
        symbol: i.symbol,
        message: `${i.feed}: ${i.message}`,
        time: i.time,
      });
    });
  }

  /** The feed's latest status, or null before it reported one. */
  get feedStatus(): FeedStatus | null {
    return this.#feedStatus;
  }

  /** Submits a manual order (the Live view's ticket), journaled before it is returned. */
  submit(req: OrderRequest): Order {
    let o!: Order;
    this.#commit(() => (o = this.broker.submit(req, Math.max(this.#lastEventTime, this.#now()))));
    return o;
  }

  /** Flattens every open position through the normal order path (reduce-only market orders), journaled before it returns. */
  flattenAll(reason: string): Order[] {
    let out: Order[] = [];
    this.#commit(() => (out = this.broker.flattenAll(Math.max(this.#lastEventTime, this.#now()), reason)));
    return out;
  }

  /** Cancels a working order (journaled); false if it was not working. */
  cancel(id: string): boolean {
    let done = false;
    this.#commit(
      () => (done = this.broker.cancel(id, Math.max(this.#lastEventTime, this.#now()), 'cancelled by user')),
    );
    return done;
  }

  /** Trips the kill switch by hand. */
  trip(reason: string): void {
    this.#commit(() => this.broker.trip(reason, this.#now()));
  }

  /** Re-arms the kill switch (explicit). */
  rearm(): void {
    this.#commit(() => this.broker.rearm(this.#now()));
  }

  /** Replaces the risk limits and journals them for restarts. */
  setRisk(limits: RiskLimits): void {
    this.#commit(() => {
      this.broker.risk.set(limits);
      this.journal.setState(this.session, 'risk', limits);
    });
  }

  /** Acknowledges an alert. */
  ack(id: string): boolean {
    return this.alerts.ack(id, this.#now());
  }

  /** Open positions and closed ones with realised PnL, marked at the latest price. */
  positions(): Position[] {
    return this.broker.positions().map(toPosition);
  }

  /** Closes the replay: with `spec.closeAtEnd`, flattens at the last closes. */
  finish(): void {
    this.#commit(() => this.runner.finish(this.#lastEventTime));
    this.flushTicked();
  }

  // A strategy's or portfolio rule's signal: with the model's explanation, kept and alerted.
  #onSignal(sig: Signal): void {
    const explanation = sig.reason === 'signal' ? this.#o.model?.explain(sig.symbol, sig.time) : undefined;
    const s = explanation ? { ...sig, explanation } : sig;
    if (this.signals.length < (this.#o.keep ?? 100_000)) this.signals.push(s);
    this.#signalAlert(s);
  }

  #portfolioContext(warming: boolean): PortfolioContext {
    return {
      broker: this.broker,
      spec: this.#o.spec,
      symbols: this.#o.symbols,
      warming,
      signal: (sig) => this.#onSignal(sig),
    };
  }

  /**
   * Restores the session from its journal after a restart (crash or `kill -9`): orders (working ones
   * resume), fills (positions and cash rebuilt from them), the kill switch, and checks the journaled
   * position snapshots against positions recomputed from the fills. Undelivered alerts stay in the
   * outbox for the dispatcher. Strategy state is not journaled: a bar feed that replays history warms
   * the strategies up on the bars up to the last journaled step (without trading them again) and
   * trades from the next one on.
   */
  restore(): RestoreReport {
    this.#resumeAfter = this.journal.getState<number>(this.session, 'lastTime') ?? Number.NEGATIVE_INFINITY;
    // The same decision fed again after the restart (a feed resending history) is not alerted twice.
    for (const s of this.journal.loadSignals(this.session, 1_000)) this.alerts.seen(signalKey(s), 'signal', s.time);
    const orders = this.journal.loadOrders(this.session);
    const fills = this.journal.loadFills(this.session);
    const kill = this.journal.getState<KillSwitchState>(this.session, 'killswitch');
    if (kill) this.broker.restoreKillSwitch(kill);
    const actions = this.journal.getState<PositionAction[]>(this.session, 'actions') ?? [];
    this.#commit(() => this.broker.restore(orders, fills, this.#now(), actions));
    const fromFills = positionsFromFills(fills, actions);
    const journaled = this.journal.loadPositions(this.session);
    const mismatches: string[] = [];
    const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    const seen = new Set<string>();
    for (const j of journaled) {
      seen.add(j.symbol);
      const f = fromFills.get(j.symbol);
      if (!f || !close(f.qty, j.qty) || !close(f.avgCost, j.avgCost) || !close(f.realized, j.realized)) {
        mismatches.push(
          `${j.symbol}: journal qty ${j.qty} avg ${j.avgCost} realized ${j.realized}; fills give ${f ? `qty ${f.qty} avg ${f.avgCost} realized ${f.realized}` : 'nothing'}`,
        );
      }
    }
    for (const s of fromFills.keys()) if (!seen.has(s)) mismatches.push(`${s}: fills but no journaled position`);
    if (mismatches.length > 0) {
      this.#commit(() => {
        this.alerts.raise({
          kind: 'journal-mismatch',
          severity: 'critical',
          message: mismatches.join('; '),
          time: this.#now(),
        });
      });
    }
    return {
      orders: orders.length,
      openOrders: this.broker.orders().filter((o) => o.status === 'new' || o.status === 'partially-filled').length,
      fills: fills.length,
      positions: this.positions(),
      positionsMatch: mismatches.length === 0,
      mismatches,
      undeliveredAlerts: this.journal.pendingOutbox().length,
      killSwitch: this.broker.killSwitch,
      resumeAfter: Number.isFinite(this.#resumeAfter) ? this.#resumeAfter : null,
    };
  }
}

const REASON: Record<Signal['reason'], string> = { signal: 'at the close', stop: 'stop hit', target: 'target hit' };

/** The de-duplication key of a signal alert: one per symbol, bar time, side and reason. */
function signalKey(s: Signal): string {
  return `signal:${s.symbol}:${s.time}:${s.side}:${s.reason}`;
}

/** A position state as the contract's `Position`. */
export function toPosition(p: PositionState): Position {
  return {
    symbol: p.symbol,
    qty: p.qty,
    avgCost: p.avgCost,
    realized: p.realized,
    unrealized: unrealized(p),
    last: p.last === p.last ? p.last : 0,
  };
}
