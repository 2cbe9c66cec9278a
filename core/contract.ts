/**
 * The one contract between the renderer and the core services. Electron's preload and IPC wiring,
 * the `quantdesk serve` WebSocket host and the renderer's client are all typed by it: a method or
 * event that is not declared here does not exist.
 *
 * Each method declares a zod input schema (validated once, at the boundary, before any handler
 * runs) and its result type. Each event declares its payload type. Channels are `<domain>:<verb>`
 * for methods and `<domain>:<past-tense verb>` for events.
 *
 * This file imports nothing but zod and model types. Sections are per domain; add to your own.
 */
import { z } from 'zod';
import type { AppError, Result } from './model/result';
import type { SignalExplanation } from './model/explanation';

export type { AppError, Result } from './model/result';

/** A method's declaration: its input schema and, as a phantom type, its result. */
export interface MethodDef<I extends z.ZodType, O> {
  readonly input: I;
  readonly __result?: O;
}

function method<I extends z.ZodType>(input: I) {
  return { returns: <O>(): MethodDef<I, O> => ({ input }) };
}

/** An event's declaration; the payload type is phantom. */
export interface EventDef<P> {
  readonly __payload?: P;
}

function event<P>(): EventDef<P> {
  return {};
}

const noInput = z.object({}).strict().optional();

// == app ==================================================================================

/** What the host is and what it holds. */
export interface AppInfo {
  readonly version: string;
  readonly host: 'electron' | 'serve';
  readonly dbPath: string;
  readonly schemaVersion: number;
  readonly instruments: number;
  readonly bars: number;
}

/**
 * Loading of the default dataset on first start (an empty store), as the UI shows it. `idle`: no
 * load was needed or asked; `fraction` is 0..1 when the loader reports it, else null.
 */
export interface DatasetStatus {
  readonly state: 'idle' | 'loading' | 'ready' | 'failed';
  readonly fraction: number | null;
  readonly message: string;
}

// == backtest: strategies =================================================================

/**
 * A built-in strategy as `strategies:list` and `quantdesk strategies --json` describe it. `params` is
 * the JSON Schema (draft 2020-12, as a caller writes it) of its parameters: `properties` with `type`,
 * `default`, `minimum`/`maximum`, `enum`, `description`; the backtest form is generated from it.
 */
export interface StrategyDescription {
  readonly name: string;
  readonly description: string;
  readonly kind: 'single' | 'cross-sectional' | 'portfolio';
  readonly params: Record<string, unknown>;
  /** `builtin` or a stored `user` strategy (absent in older hosts: builtin). */
  readonly source?: 'builtin' | 'user';
}

/** A problem in a user strategy's source, at its line and column (1-based); line 0: no position. */
export interface StrategyProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** One stored version of a user strategy. */
export interface StrategyVersionView {
  readonly version: number;
  readonly hash: string;
  readonly addedAt: number;
}

/** A stored user strategy's source (the newest, or the version asked for) and its version history, newest first. */
export interface StrategySourceView {
  readonly name: string;
  readonly version: number;
  readonly source: string;
  readonly versions: readonly StrategyVersionView[];
}

/** What compiling (loading in the sandbox) a source gives: its problems, or its name, kind and params. */
export interface StrategyCompileView {
  readonly ok: boolean;
  readonly problems: readonly StrategyProblem[];
  readonly name: string | null;
  readonly kind: 'single' | 'cross-sectional' | 'portfolio' | null;
}

/** A TypeScript diagnostic in a user strategy, checked against the SDK's declarations (1-based; end exclusive). */
export interface StrategyTypeDiagnostic {
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** What `strategies:typecheck` gives: the diagnostics, or `timedOut` (then no diagnostics, not "no errors"). */
export interface StrategyTypecheckView {
  readonly diagnostics: readonly StrategyTypeDiagnostic[];
  readonly timedOut: boolean;
  readonly ms: number;
}

/** Source text of a user strategy, as the editor sends it (1 MB at most). */
const StrategySourceText = z.string().max(1_000_000);

// == backtest: runs =======================================================================

/** `backtest:run` / `backtest:start` input: a spec as `quantdesk backtest --spec` reads it (validated by the engine's schema; errors name `spec.<field>`). */
export const BacktestRunInput = z.object({ spec: z.record(z.string(), z.unknown()), save: z.boolean().default(true) }).strict();

/** Metrics of a run (fractions, not percent; null where undefined). See README "Backtesting". */
export interface BacktestMetrics {
  readonly finalEquity: number;
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly maxDrawdown: number;
  readonly maxDrawdownDuration: number;
  readonly var95: number | null;
  readonly cvar95: number | null;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly trades: number;
  readonly exposure: number;
  readonly turnover: number;
  readonly alpha: number | null;
  readonly beta: number | null;
  /** Annualised active return over tracking error against the benchmark; null without one (absent in runs stored before it). */
  readonly informationRatio?: number | null;
}

/** A closed trade; times `YYYY-MM-DD` for daily bars. `pnl` is net of both commissions. */
export interface BacktestTradeView {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: string;
  readonly entryPrice: number;
  readonly exitTime: string;
  readonly exitPrice: number;
  readonly pnl: number;
  readonly commission: number;
  readonly returnPct: number;
  readonly ambiguous: boolean;
  readonly exitReason: string;
}

/** A position open at the end of a run (`closeAtEnd: false`), marked to the last close. */
export interface BacktestOpenPositionView {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: string;
  readonly entryPrice: number;
  readonly lastPrice: number;
  readonly unrealizedPnl: number;
  readonly commission: number;
}

/** A run's result: exactly what `quantdesk backtest --json` prints. `spec` has every default filled. */
export interface BacktestRunView {
  readonly spec: { readonly strategy: string; readonly [setting: string]: unknown };
  readonly metrics: BacktestMetrics;
  readonly trades: readonly BacktestTradeView[];
  readonly openPositions: readonly BacktestOpenPositionView[];
  readonly equity: readonly { readonly time: string; readonly equity: number }[];
  readonly runId: string;
}

/** A stored run as `runs:list` lists it. */
export interface RunSummaryView {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly strategy: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly engineVersion: string;
  readonly dataFingerprint: string;
  readonly metrics: BacktestMetrics | null;
  // Issue 17, in `runs:list` and `runs:label` answers: the user's label and the spec's symbols and params.
  readonly name?: string;
  readonly tags?: readonly string[];
  readonly note?: string;
  readonly symbols?: readonly string[];
  readonly universe?: string | null;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A stored run with its spec, full result and per-decision audit (`runs:get`). */
export interface RunDetailView extends RunSummaryView {
  readonly spec: { readonly strategy: string; readonly [setting: string]: unknown };
  readonly result: BacktestRunView | null;
  readonly audit: readonly { readonly date: number; readonly latestKnownAt: number; readonly factsRead: number }[];
}

// == models: machine learning (features, walk-forward training, registry, explanations) ========

/** Out-of-sample metrics of a model (per window or overall); null where undefined. */
export interface ModelMetricsView {
  readonly ic: number | null;
  readonly icir: number | null;
  readonly rankIc: number | null;
  readonly rankIcir: number | null;
  readonly hitRate: number | null;
  readonly rmse?: number | null;
  readonly auc?: number | null;
  readonly n: number;
  readonly dates: number;
}

/** One walk-forward window of a model (dates YYYY-MM-DD). */
export interface ModelWindowView {
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly metrics: ModelMetricsView | null;
}

/** A registry entry as `models:list` shows it. */
export interface ModelSummaryView {
  readonly id: string;
  readonly kind: string;
  readonly name: string | null;
  readonly createdAt: number;
  readonly dataFingerprint: string;
  readonly featureSetHash: string;
  readonly features: readonly string[];
  readonly metrics: ModelMetricsView | null;
}

/** `models:get`: a model with its lineage, windows and importance. */
export interface ModelDetailView extends ModelSummaryView {
  readonly spec: unknown;
  readonly lineage: Readonly<Record<string, unknown>>;
  readonly windows: readonly ModelWindowView[];
  readonly importance: readonly { readonly feature: string; readonly importance: number }[] | null;
}

/** `models:explain`: base + Σ contribution = prediction. */
export interface ModelExplanationView {
  readonly prediction: number;
  readonly base: number;
  readonly contributions: readonly { readonly feature: string; readonly value: number | null; readonly contribution: number }[];
}

/** One model version's live record on the virtual book champion and challenger are both scored on. */
export interface ModelDuelMetricsView {
  readonly modelId: string;
  readonly totalReturn: number;
  readonly maxDrawdown: number;
  readonly hitRate: number | null;
  readonly rankIc: number | null;
  readonly signals: number;
  readonly steps: number;
}

/** `models:duel`: the running live session's champion and challenger (null when it runs none). */
export interface ModelDuelView {
  readonly mode: 'shadow' | 'canary';
  /** The challenger's share of capital (canary), 0 for a shadow. */
  readonly fraction: number;
  readonly champion: ModelDuelMetricsView;
  readonly challenger: ModelDuelMetricsView;
  /** The canary session's paper account (journal `<session>~challenger`), null for a shadow. */
  readonly canaryAccount: LiveAccount | null;
}

// == backtest: indicators =================================================================

/** An indicator as `indicators:list` describes it (the registry in `core/indicators/registry.ts`). */
export interface IndicatorDescription {
  readonly name: string;
  readonly description: string;
  /** Parameter defaults, e.g. `{ "period": 14 }`. */
  readonly defaults: Record<string, number>;
  /** JSON Schema (draft 2020-12) of the parameters: types, bounds, defaults. */
  readonly paramsSchema: Record<string, unknown>;
  /** Output keys; single-output indicators have the one key `value`. */
  readonly outputs: readonly string[];
}

/** `indicators:compute` input: one indicator over one symbol's stored bars in `[from, to]` (EpochMs, inclusive). */
export const IndicatorComputeInput = z
  .object({
    name: z.string().min(1),
    params: z.record(z.string(), z.number()).default({}),
    symbol: z.string().min(1),
    from: z.number().optional(),
    to: z.number().optional(),
    /** Back-adjust prices for splits and dividends known at this date (EpochMs); raw when absent. */
    adjustedAsOf: z.number().optional(),
  })
  .strict();

/**
 * `indicators:compute` result: the bar times and each output as numbers, `null` during warm-up (warm-up starts
 * at `from`: ask for earlier bars to have values from `from`). Index i is the bar at `time[i]`.
 */
export interface IndicatorSeries {
  readonly name: string;
  /** The parameters used, defaults filled in. */
  readonly params: Record<string, number>;
  readonly time: readonly number[];
  readonly outputs: Record<string, readonly (number | null)[]>;
}

// == optimize =============================================================================

/** A sweep file's content (see `quantdesk sweep --help`); validated in full by the handler, which names the bad field. */
const SweepFileInput = z.record(z.string(), z.unknown());

/** Input of `sweep:start`: the sweep file's content. */
/** Input of `sweep:start`: a sweep file's content, and optionally how many workers run it (default: the host's pool, one per core). */
export const SweepStartInput = z.object({ sweep: SweepFileInput, workers: z.number().int().min(1).max(64).optional() }).strict();

/** Input of `walkforward:run`: a sweep file's content plus window sizes in bars. */
export const WalkForwardInput = z
  .object({ sweep: SweepFileInput, train: z.number().int().min(2), test: z.number().int().min(1), anchored: z.boolean().default(false) })
  .strict();

/** Input of `montecarlo:run`: a stored run (`runId`) or a backtest spec to run first, and the resampling settings. */
export const MonteCarloInput = z
  .object({
    runId: z.string().min(1).optional(),
    spec: z.record(z.string(), z.unknown()).optional(),
    paths: z.number().int().min(1).max(1_000_000).default(1000),
    method: z.enum(['trades', 'returns']).default('trades'),
    seed: z.number().int().default(1),
    /** Loss fraction counted as ruin (0.5 = losing half). */
    ruin: z.number().gt(0).max(1).default(0.5),
    blockLength: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((x) => (x.runId === undefined) !== (x.spec === undefined), { message: 'give exactly one of "runId" or "spec"', path: ['runId'] });

/** Grid parameter values of one combination. */
export type SweepParams = Readonly<Record<string, number | string | boolean>>;
/** A run's metrics by name (see the README's Backtesting section); null where undefined. */
export type MetricsRecord = Readonly<Record<string, number | null>>;

/** One sweep result row. */
export interface SweepRowView {
  readonly params: SweepParams;
  readonly metrics: MetricsRecord;
  /** The equity curve (EpochMs times, values), for the best `curves` results of a sweep that asked for them. */
  readonly equity?: { readonly time: readonly number[]; readonly value: readonly number[] };
}

/** A finished sweep, as `quantdesk sweep --json` prints it. */
export interface SweepResultView {
  readonly runs: number;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly objective: string;
  readonly best: SweepRowView | null;
  readonly results: readonly SweepRowView[];
  readonly failed: readonly { readonly params: SweepParams; readonly error: string }[];
  readonly fingerprint: string;
  /** Set when a specialised kernel ranked the grid; its top results were re-run in the engine (`maxRelDiff` kernel vs engine). */
  readonly kernel: { readonly name: string; readonly verified: number; readonly maxRelDiff: number } | null;
  /**
   * Every successful combination's objective, columnar (`params[k][i]` is parameter `keys[k]` of combination i), so the
   * heatmap plots the whole grid while `results` stays the top N; null when the grid is too large (over 250,000).
   */
  readonly surface?: { readonly keys: readonly string[]; readonly params: readonly (readonly (number | string | boolean)[])[]; readonly objective: readonly (number | null)[] } | null;
  /** Issue 17: the best cell's one-step neighbours' mean objective over its own (1 = plateau, ~0 = isolated spike). */
  readonly stability?: { readonly ratio: number | null; readonly neighbours: number; readonly mean: number | null } | null;
}

/** Progress of a sweep; `etaMs` is null until a rate is known. */
export interface SweepProgressView {
  readonly id: string;
  readonly completed: number;
  readonly total: number;
  readonly ratePerSec: number;
  readonly etaMs: number | null;
}

/** A sweep's state as `sweep:get` returns it. */
export interface SweepState {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed' | 'cancelled';
  readonly startedAt: number;
  readonly progress: SweepProgressView | null;
  readonly result: SweepResultView | null;
  readonly error: string | null;
}

/** A walk-forward window: dates, chosen parameters, in- and out-of-sample metrics. */
export interface WalkForwardWindowView {
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly trainBars: number;
  readonly testBars: number;
  readonly params: SweepParams | null;
  readonly inSample: MetricsRecord | null;
  readonly outOfSample: MetricsRecord | null;
  readonly error?: string;
}

/** What `walkforward:run` returns (as `quantdesk walkforward --json`). */
export interface WalkForwardView {
  readonly objective: string;
  readonly anchored: boolean;
  readonly train: number;
  readonly test: number;
  readonly runs: number;
  readonly elapsedMs: number;
  readonly workers: number;
  readonly windows: readonly WalkForwardWindowView[];
  readonly oosEquity: { readonly time: readonly number[]; readonly value: readonly number[] };
  readonly oosTotalReturn: number;
  readonly oosAnnualReturn: number | null;
  readonly isAnnualReturnMean: number | null;
  readonly efficiency: number | null;
}

/** Percentiles 5/25/50/75/95 and mean of one Monte Carlo statistic (null when no path gives a value). */
export interface DistributionView {
  readonly p5: number | null;
  readonly p25: number | null;
  readonly p50: number | null;
  readonly p75: number | null;
  readonly p95: number | null;
  readonly mean: number | null;
}

/** What `montecarlo:run` returns (as `quantdesk montecarlo --json`). */
export interface MonteCarloView {
  readonly method: 'trades' | 'returns';
  readonly paths: number;
  readonly seed: number;
  readonly blockLength: number;
  readonly steps: number;
  readonly capital: number;
  readonly finalEquity: DistributionView;
  readonly maxDrawdown: DistributionView;
  readonly cagr: DistributionView;
  readonly ruin: number;
  readonly probabilityOfRuin: number;
}

// == live ===================================================================================

/** A paper position: `qty` signed (negative short), PnL in account currency, `last` the latest mark. */
export interface LivePosition {
  readonly symbol: string;
  readonly qty: number;
  readonly avgCost: number;
  readonly realized: number;
  readonly unrealized: number;
  readonly last: number;
}

/** A paper order. TWAP/VWAP parents have children whose `parentId` is theirs. */
export interface LiveOrder {
  readonly id: string;
  readonly session: string;
  readonly time: number;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop' | 'twap' | 'vwap';
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly parentId: string | null;
  readonly status: 'new' | 'partially-filled' | 'filled' | 'cancelled' | 'rejected';
  readonly filledQty: number;
  readonly reason?: string;
}

/** An alert; `acknowledgedAt` is null until `alerts:ack`. Desktop notifications are the host's choice (e.g. `critical` only). */
export interface LiveAlert {
  readonly id: string;
  readonly time: number;
  readonly kind: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly symbol: string | null;
  readonly message: string;
  readonly acknowledgedAt: number | null;
}

/**
 * A strategy's entry or exit in a live session. Journaled as an alert of kind `signal` (id `alertId`, ack it
 * with `alerts:ack`), pushed as `signal:fired` after the commit, listed by `signals:list`. `time` is the bar's
 * (EpochMs); `price` the close the strategy decided at (`reason: "signal"`) or the protective level hit
 * (`"stop"`, `"target"`); `target` the position after it (1 long, -1 short, 0 flat, fractions allowed).
 */
export interface LiveSignal {
  readonly alertId: string;
  readonly strategy: string;
  readonly symbol: string;
  readonly time: number;
  readonly side: 'buy' | 'sell';
  readonly price: number;
  readonly target: number;
  readonly reason: 'signal' | 'stop' | 'target';
  /** `model-signal` entries and exits: the prediction and its largest feature contributions (exact). */
  readonly explanation?: SignalExplanation;
}

/** A feed's connection state. */
export interface LiveFeedStatus {
  readonly feed: string;
  readonly state: 'connecting' | 'open' | 'reconnecting' | 'stale' | 'closed';
  readonly at: number;
  readonly detail?: string;
}

/** The kill switch. */
export interface KillSwitch {
  readonly tripped: boolean;
  readonly reason: string | null;
  readonly at: number | null;
}

/** Account figures in account currency. */
export interface LiveAccount {
  readonly cash: number;
  readonly equity: number;
  readonly grossExposure: number;
  readonly dayStartEquity: number;
  readonly realized: number;
  readonly unrealized: number;
  /** The broker's buying power, when the account is a connected broker's (see {@link LiveStatus.source}). */
  readonly buyingPower?: number;
}

/** `live:status`: whether a session runs, on which feed, and its account. */
export interface LiveStatus {
  readonly running: boolean;
  readonly session: string | null;
  readonly strategy: string | null;
  readonly symbols: readonly string[];
  readonly feed: LiveFeedStatus | null;
  readonly account: LiveAccount | null;
  readonly killSwitch: KillSwitch;
  /**
   * Whose figures `account`, `positions:list` and `orders:list` are: the connected broker's account as it
   * reports it (`mode` paper/live, `at` when it was read), or null for the paper session's model.
   */
  readonly source?: { readonly broker: string; readonly mode: 'paper' | 'live'; readonly accountId: string; readonly at: number } | null;
}

/**
 * `live:ticked`: prices changed since the previous push (at most every 100 ms) and the account. `prevClose` is the
 * symbol's last price of the previous UTC day (the previous bar's close on a daily feed): the day's change reference;
 * null (JSON's NaN) before one was seen.
 */
export interface LiveTick {
  readonly at: number;
  readonly count: number;
  readonly prices: readonly { readonly symbol: string; readonly time: number; readonly price: number; readonly prevClose?: number | null }[];
  readonly account: LiveAccount;
}

const symbolLimits = z.object({ maxPosition: z.number().positive().optional(), maxOrderNotional: z.number().positive().optional(), fatFingerPct: z.number().positive().optional() }).strict();
const limitName = z.enum(['maxPosition', 'maxOrderNotional', 'fatFinger', 'maxGrossExposure', 'maxDailyLoss']);

/** Risk limits: per symbol (`"*"` for the rest) and per account; `hard` lists the limits that trip the kill switch (default all). */
export const RiskLimitsInput = z
  .object({
    symbols: z.record(z.string(), symbolLimits).default({}),
    maxGrossExposure: z.number().positive().optional(),
    maxDailyLoss: z.number().positive().optional(),
    hard: z.array(limitName).optional(),
  })
  .strict();
/** Risk limits as `risk:get` returns them. */
export interface RiskLimitsValue {
  readonly symbols: Readonly<Record<string, { readonly maxPosition?: number; readonly maxOrderNotional?: number; readonly fatFingerPct?: number }>>;
  readonly maxGrossExposure?: number;
  readonly maxDailyLoss?: number;
  readonly hard?: readonly ('maxPosition' | 'maxOrderNotional' | 'fatFinger' | 'maxGrossExposure' | 'maxDailyLoss')[];
}

/** `orders:submit`: a manual paper order (the Live view's ticket); `price` for limit/stop, `durationMs`/`slices` for TWAP/VWAP. */
export const OrderSubmitInput = z
  .object({
    symbol: z.string().min(1),
    side: z.enum(['buy', 'sell']),
    qty: z.number().positive(),
    type: z.enum(['market', 'limit', 'stop', 'twap', 'vwap']).default('market'),
    price: z.number().positive().optional(),
    durationMs: z.number().int().positive().optional(),
    slices: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .refine((o) => (o.type !== 'limit' && o.type !== 'stop') || o.price !== undefined, { path: ['price'], message: 'limit and stop orders need a price' });

const webhook = z.union([
  z.object({ kind: z.literal('json'), url: z.string().url(), minSeverity: z.enum(['info', 'warning', 'critical']).optional() }).strict(),
  z.object({ kind: z.literal('telegram'), token: z.string().min(1), chatId: z.union([z.string(), z.number()]), apiUrl: z.string().url().optional(), minSeverity: z.enum(['info', 'warning', 'critical']).optional() }).strict(),
]);

/** `live:start`: a backtest spec (validated like `backtest:start`'s), the feed, and optional risk and webhooks. */
export const LiveStartInput = z
  .object({
    spec: z.record(z.string(), z.unknown()),
    feed: z.enum(['replay', 'websocket', 'binance']).default('replay'),
    /** WebSocket URL (`websocket`; optional for `binance`, which defaults to the public stream of the spec's symbols). */
    url: z.string().optional(),
    /** Replay speed in time steps per second; 0 = as fast as possible. */
    speed: z.number().min(0).default(0),
    /** Replay start date (YYYY-MM-DD); default the spec's start. */
    from: z.string().optional(),
    /** Bar interval strategies step on when the feed sends trades (bar feeds step on their own bars). */
    interval: z.enum(['1m', '5m', '1h', '1d']).default('1m'),
    /** Journal session to run (and restore); default "default". No control characters (as `live:resume`). */
    // eslint-disable-next-line no-control-regex
    session: z.string().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters').default('default'),
    risk: RiskLimitsInput.optional(),
    webhooks: z.array(webhook).default([]),
    /** Anomaly thresholds: rolling window (bars), |z| of a return, volume multiple of the mean, stale feed after ms. */
    anomalies: z
      .object({ window: z.number().int().min(2).optional(), zThreshold: z.number().positive().optional(), volumeMultiple: z.number().positive().optional(), staleMs: z.number().int().min(0).optional() })
      .strict()
      .optional(),
    /** Same-kind, same-symbol alerts within this many ms are suppressed. */
    cooldownMs: z.number().int().min(0).optional(),
    /** Severity of the `signal` alert each strategy entry and exit raises (default info). */
    signalSeverity: z.enum(['info', 'warning', 'critical']).default('info'),
  })
  .strict();

// == webhook outbox and named live sessions (issue 15) ======================================

/** `outbox:status`: deliveries being retried, dead letters (failed their last attempt; kept, not retried), the latest dead letters. */
export interface OutboxStatus {
  readonly pending: number;
  readonly dead: number;
  /** Newest first; `endpoint` is the webhook's host only (a Telegram URL carries a bot token). */
  readonly deadLetters: readonly { readonly alertId: string; readonly endpoint: string; readonly attempts: number; readonly lastError: string | null; readonly deadAt: number }[];
}

/** One journaled live session (`live:sessions`): its name, when it last started and stepped, its kill switch as journaled. */
export interface LiveSessionInfo {
  readonly name: string;
  readonly startedAt: number | null;
  readonly lastTime: number | null;
  readonly strategy: string | null;
  readonly symbols: readonly string[];
  readonly feed: string | null;
  readonly killSwitch: KillSwitch;
  /** True when `live:resume` can restart it by name (its start request is kept). */
  readonly resumable: boolean;
}

/** `live:resume`: restart a journaled session by name with the request it was started with; `speed` overrides the replay speed. */
export const LiveResumeInput = z
  .object({
    // eslint-disable-next-line no-control-regex
    session: z.string().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters'),
    speed: z.number().min(0).optional(),
  })
  .strict();

// == data ===================================================================================

/** An instrument with its data coverage (times EpochMs; null when unknown or without bars). */
export interface DataInstrument {
  readonly id: number;
  readonly symbol: string;
  readonly name: string;
  readonly sector: string;
  readonly currency: string;
  readonly listedOn: number | null;
  readonly delistedOn: number | null;
  readonly firstDate: number | null;
  readonly lastDate: number | null;
  readonly bars: number;
  /** Consecutive bars more than 4 calendar days apart. */
  readonly gaps: number;
}

/** A symbol's bars as plain number columns (JSON-safe), `time` ascending EpochMs. */
export interface DataBars {
  readonly symbol: string;
  readonly time: number[];
  readonly open: number[];
  readonly high: number[];
  readonly low: number[];
  readonly close: number[];
  readonly volume: number[];
}

/** What one CSV import did; `changed` 0 means the store already held every row. */
export interface DataImportReport {
  readonly kind: 'instruments' | 'bars' | 'fundamentals' | 'actions';
  readonly source: string;
  readonly importId: number | null;
  readonly rows: number;
  readonly changed: number;
  readonly sha256: string;
  readonly durationMs: number;
}

/** Progress of `data:import`: `importId` names the call; `done` is true once with the final counts. */
export interface DataImportProgress {
  readonly importId: string;
  readonly phase: 'parse' | 'write' | 'done';
  readonly rows: number;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly done: boolean;
}

/** A fundamental as known at `asOf`; `value`, `periodEnd`, `knownAt` are null when nothing was known. */
export interface DataAsOf {
  readonly symbol: string;
  readonly field: string;
  readonly asOf: number;
  readonly value: number | null;
  readonly periodEnd: number | null;
  readonly knownAt: number | null;
}

/** One stored version of a fundamental. */
export interface DataRevision {
  readonly periodEnd: number;
  readonly knownAt: number;
  readonly value: number;
}

/** Result of `data:init-default`; `loaded` false when the dataset was already there. */
export interface DataInitReport {
  readonly loaded: boolean;
  readonly message: string;
  readonly seed: number;
  readonly instruments: number;
  readonly bars: number;
  readonly durationMs: number;
}

/** Progress of `data:init-default`. */
export interface DataInitProgress {
  readonly step: string;
  readonly rows: number;
  readonly done: boolean;
}

const importKind = z.enum(['instruments', 'bars', 'fundamentals', 'actions']);
const epochMs = z.number().finite();
const adjustmentInput = z.union([z.literal('raw'), z.literal('pit'), z.object({ asOf: epochMs }).strict()]);

/**
 * The most text `data:import` accepts in one call (512 Ki characters, so a call fits one WebSocket
 * frame of `quantdesk serve`; README "Limits"). Larger files go through `data:upload-*` in chunks.
 */
export const DATA_IMPORT_MAX_CHARS = 512 * 1024;

/**
 * `data:import`: the text of a file the user chose in the page (picked or dropped): `fileName` is only
 * its label in messages. There is no host path: the page cannot make the host read a file it names.
 */
export const DataImportInput = z
  .object({
    kind: importKind,
    // eslint-disable-next-line no-control-regex
    fileName: z.string().min(1).max(255).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters'),
    content: z.string().max(DATA_IMPORT_MAX_CHARS, `at most ${DATA_IMPORT_MAX_CHARS} characters (send larger files with data:upload-begin/-chunk/-commit)`),
  })
  .strict();

// -- chunked upload of a file the user chose (issue 15) -------------------------------------

/** Bytes of the user's file in one `data:upload-chunk` (sent as base64: about 683 KiB of text, under a 1 MiB WebSocket frame). */
export const DATA_UPLOAD_CHUNK_BYTES = 512 * 1024;
/** The largest file an upload takes (64 MiB; larger files: `quantdesk import`). */
export const DATA_UPLOAD_MAX_BYTES = 64 * 1024 * 1024;
/** Uploads open at once per host (begun and neither committed, cancelled nor expired). */
export const DATA_UPLOADS_MAX_OPEN = 4;
/** An upload that receives nothing for this long is discarded with its temp file. */
export const DATA_UPLOAD_IDLE_MS = 2 * 60 * 1000;

const uploadId = z.string().min(1).max(64);

/** `data:upload-begin`: what will be sent (`size` bytes of the user's file `fileName`, holding `kind` rows). */
export const DataUploadBeginInput = z
  .object({
    kind: importKind,
    // eslint-disable-next-line no-control-regex
    fileName: z.string().min(1).max(255).regex(/^[^\u0000-\u001f\u007f]*$/, 'no control characters'),
    size: z
      .number()
      .int()
      .min(0)
      .max(DATA_UPLOAD_MAX_BYTES, `at most ${DATA_UPLOAD_MAX_BYTES} bytes from the app (import larger files with \`quantdesk import\`)`),
  })
  .strict();

/** `data:upload-chunk`: chunk `seq` (0, 1, 2, … in order, each sent once) of the file's bytes, base64, at most {@link DATA_UPLOAD_CHUNK_BYTES} bytes decoded. */
export const DataUploadChunkInput = z
  .object({
    uploadId,
    seq: z.number().int().min(0).max(DATA_UPLOAD_MAX_BYTES),
    data: z
      .base64('base64 of the chunk\'s bytes')
      .min(4)
      .max(4 * Math.ceil(DATA_UPLOAD_CHUNK_BYTES / 3), `at most ${DATA_UPLOAD_CHUNK_BYTES} bytes per chunk`),
  })
  .strict();

/** What `data:upload-begin` answers: the id to send chunks to, and the chunk size to use. */
export interface DataUploadTicket {
  readonly uploadId: string;
  readonly chunkBytes: number;
  readonly maxBytes: number;
  readonly idleMs: number;
}

/** What `data:upload-chunk` answers: bytes received so far of the declared size. */
export interface DataUploadReceipt {
  readonly uploadId: string;
  readonly received: number;
  readonly size: number;
}

// == data platform (issue 19): scheduled jobs, daily reports, health ======================

/** A scheduled job with its next slot and last run (`platform:jobs`). */
export interface PlatformJob {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly command: string;
  readonly enabled: boolean;
  readonly nextRunAt: number | null;
  readonly lastRun: PlatformJobRun | null;
}

/** One run of a job (`platform:job-runs`); `abandoned`: its process died mid-run. */
export interface PlatformJobRun {
  readonly id: number;
  readonly job: string;
  readonly trigger: string;
  readonly attempt: number;
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly status: 'running' | 'ok' | 'failed' | 'abandoned';
  readonly rowsChanged: number | null;
  readonly error: string | null;
}

/** A written report (`platform:reports`). */
export interface PlatformReport {
  readonly id: number;
  readonly kind: string;
  readonly day: number;
  readonly path: string;
  readonly createdAt: number;
  readonly summary: string;
}

/** The health summary the status bar shows (`platform:health`); the same data as `/health`. */
export interface PlatformHealth {
  readonly status: 'ok' | 'degraded';
  readonly jobs: number;
  readonly failed24h: number;
  readonly outboxBacklog: number;
  readonly findings24h: number;
  readonly newsItems: number;
  readonly lastImportAt: string | null;
}

/** A stored data-quality finding (`platform:findings`). */
export interface PlatformFinding {
  readonly symbol: string;
  readonly check: 'gap' | 'stale' | 'outlier' | 'split' | 'volume';
  readonly ts: number;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly value: number | null;
  readonly detail: string;
  readonly foundAt: number;
}

// == the method table =====================================================================

/** Every method the renderer may call. The key is the channel. */
// == brokers (issue 20): the account behind the live path, paper or real ==================================

/** Which broker (and endpoint) a `broker:*` call means. Keys never cross the boundary: the host holds them. */
export const BrokerTargetInput = z
  .object({
    broker: z.enum(['paper', 'alpaca', 'kis']),
    /** Account name or number (KIS `12345678-01`); default the one configured. */
    account: z.string().min(1).max(64).optional(),
    /** Another endpoint (the broker's paper endpoint, a test server). */
    baseUrl: z.string().url().optional(),
    /** The real-money endpoint; default paper. */
    live: z.boolean().default(false),
  })
  .strict();
/** `broker:connect`: routes the running session's orders; a live account needs `confirm` = `LIVE <account id>`, typed by the user. */
export const BrokerConnectInput = BrokerTargetInput.extend({ confirm: z.string().max(100).optional() }).strict();
/** A broker in the account selector: whether its keys are set (never the keys). */
export interface BrokerInfoView {
  readonly name: string;
  readonly summary: string;
  readonly configured: boolean;
  readonly keys: readonly string[];
}
/** An account as the broker reports it. */
export interface BrokerAccountView {
  readonly id: string;
  readonly currency: string;
  readonly cash: number;
  readonly equity: number;
  readonly buyingPower: number;
  readonly mode: 'paper' | 'live';
}
/** A position as the broker reports it (`qty` signed). */
export interface BrokerPositionView {
  readonly symbol: string;
  readonly qty: number;
  readonly avgCost: number;
  readonly last: number;
  readonly unrealized: number;
}
/** A working order at the broker. */
export interface BrokerOrderView {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly type: 'market' | 'limit' | 'stop';
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly status: string;
  readonly filledQty: number;
}
/** The last reconciliation: journal beside broker, and every mismatch. */
export interface BrokerReconcileView {
  readonly at: number;
  readonly ok: boolean;
  readonly mismatches: readonly { readonly kind: 'position' | 'order'; readonly key: string; readonly journal: string; readonly broker: string }[];
  readonly positions: readonly { readonly symbol: string; readonly journal: number; readonly broker: number }[];
  readonly resynced: number;
}
/** `broker:status`: which account the live session trades, paper or live, and whether real orders are armed. */
export interface BrokerStatusView {
  readonly connected: boolean;
  readonly broker: string;
  readonly mode: 'paper' | 'live';
  readonly accountId: string | null;
  readonly currency: string | null;
  readonly equity: number | null;
  readonly cash: number | null;
  readonly buyingPower: number | null;
  readonly armed: boolean;
  readonly session: string | null;
  readonly reconcile: BrokerReconcileView | null;
}
/** `broker:credentials-set`: stored encrypted by the desktop app (Electron safeStorage); `quantdesk serve` reads the environment instead. */
export const BrokerCredentialsInput = z
  .object({ broker: z.enum(['alpaca', 'kis']), values: z.record(z.string().regex(/^(APCA_API_KEY_ID|APCA_API_SECRET_KEY|KIS_APP_KEY|KIS_APP_SECRET|KIS_ACCOUNT|KIS_HTS_ID)$/), z.string().max(512)) })
  .strict();

// -- connector API keys (issue 19, item 1: the app stores them with safeStorage, the page never reads one back)
/** A data connector's key as the page sees it: whether it is set, never its value. */
export interface PlatformApiKey {
  readonly connector: 'alphavantage' | 'dart';
  /** The variable the CLI reads it from (the environment wins over the app's store). */
  readonly env: string;
  readonly set: boolean;
  /** Whether this host can store a key (the desktop app); `quantdesk serve` reads the environment only. */
  readonly storable: boolean;
}
/** `platform:api-key-set`: a connector's key, written to the host's encrypted store; `''` removes it. */
export const PlatformApiKeyInput = z.object({ connector: z.enum(['alphavantage', 'dart']), value: z.string().max(512) }).strict();

export const METHODS = {
  // -- app
  'app:info': method(noInput).returns<AppInfo>(),
  /** The default dataset's load status now (the UI asks once, then follows `app:dataset-progress`). */
  'app:dataset-status': method(noInput).returns<DatasetStatus>(),
  // -- data (foundation issue)
  /** Every instrument with coverage (first/last bar, bar count, gaps), by symbol. */
  'data:instruments': method(noInput).returns<readonly DataInstrument[]>(),
  /** One symbol's bars in [from, to]; `adjustment` raw (default), `pit` or back-adjusted `{ asOf }`. */
  'data:bars': method(
    z.object({ symbol: z.string().min(1), from: epochMs.optional(), to: epochMs.optional(), adjustment: adjustmentInput.optional() }).strict(),
  ).returns<DataBars>(),
  /** Imports one CSV; bad rows give `invalid-input` with `FILE:LINE: column: reason` lines in `error.details`. */
  'data:import': method(DataImportInput).returns<DataImportReport>(),
  'data:asof': method(z.object({ symbol: z.string().min(1), field: z.string().min(1), asOf: epochMs }).strict()).returns<DataAsOf>(),
  'data:revisions': method(z.object({ symbol: z.string().min(1), field: z.string().min(1) }).strict()).returns<readonly DataRevision[]>(),
  /** Symbols listed at `asOf` (or members of universe `name`), delisted names included before delisting. */
  'data:universe': method(z.object({ asOf: epochMs, name: z.string().min(1).optional() }).strict()).returns<readonly string[]>(),
  /** Loads the default dataset (no-op when present); progress on `data:init-progressed`. */
  'data:init-default': method(noInput).returns<DataInitReport>(),
  // -- backtest (engine issue)
  'strategies:list': method(noInput).returns<readonly StrategyDescription[]>(),
  // -- user strategies (issue 13): compiled and loaded in the sandbox, stored with their versions
  /** Compiles and loads a source in the sandbox (time-limited); problems carry the line and column. */
  'strategies:compile': method(z.object({ source: StrategySourceText }).strict()).returns<StrategyCompileView>(),
  /** Stores a source as the newest version of the strategy it names (`defineStrategy({ name })`, else `name`). */
  'strategies:save': method(z.object({ source: StrategySourceText, name: z.string().min(1).max(100).optional() }).strict()).returns<{
    readonly name: string;
    readonly version: number;
    readonly added: boolean;
  }>(),
  /** Type-checks a source against the SDK's type declarations (TypeScript, on a pool worker, time-limited; 200,000 characters at most). */
  'strategies:typecheck': method(z.object({ source: z.string().max(200_000), fileName: z.string().min(1).max(200).default('strategy.ts') }).strict()).returns<StrategyTypecheckView>(),
  /** A stored user strategy's source (newest, or `version`) and its history. */
  'strategies:source': method(z.object({ name: z.string().min(1), version: z.number().int().positive().optional() }).strict()).returns<StrategySourceView>(),
  /** The quick path: runs in the host (yielding while it runs), stores the run, returns the result. */
  'backtest:run': method(BacktestRunInput).returns<BacktestRunView>(),
  /** Starts a run in the background; follow `backtest:progressed` and `backtest:finished`, then `runs:get`. */
  'backtest:start': method(BacktestRunInput).returns<{ readonly runId: string }>(),
  'backtest:cancel': method(z.object({ runId: z.string().min(1) }).strict()).returns<{ readonly cancelled: boolean }>(),
  'runs:list': method(z.object({ limit: z.number().int().positive().max(10_000).default(100), kind: z.string().optional() }).strict().optional()).returns<readonly RunSummaryView[]>(),
  'runs:get': method(z.object({ id: z.string().min(1) }).strict()).returns<RunDetailView>(),
  /** A stored run's trades as CSV or its self-contained HTML tear sheet, as text. */
  'runs:export': method(z.object({ id: z.string().min(1), format: z.enum(['csv', 'html']) }).strict()).returns<string>(),
  // -- runs you can manage (issue 17)
  /** Names, tags and annotates a run; each given field replaces the stored one. */
  'runs:label': method(
    z
      .object({
        id: z.string().min(1),
        name: z.string().max(200).optional(),
        tags: z.array(z.string().max(40)).max(20).optional(),
        note: z.string().max(10_000).optional(),
      })
      .strict(),
  ).returns<RunSummaryView>(),
  /** Deletes a run with its stored result payload and label. */
  'runs:delete': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly deleted: boolean }>(),
  // -- indicators
  'indicators:list': method(noInput).returns<readonly IndicatorDescription[]>(),
  'indicators:compute': method(IndicatorComputeInput).returns<IndicatorSeries>(),
  // -- optimize (parallel simulation issue)
  'sweep:start': method(SweepStartInput).returns<{ readonly id: string }>(),
  'sweep:cancel': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly cancelled: boolean }>(),
  'sweep:get': method(z.object({ id: z.string().min(1) }).strict()).returns<SweepState>(),
  'sweep:list': method(noInput).returns<readonly SweepState[]>(),
  'walkforward:run': method(WalkForwardInput).returns<WalkForwardView>(),
  'montecarlo:run': method(MonteCarloInput).returns<MonteCarloView>(),
  // -- live (live monitoring issue)
  'live:start': method(LiveStartInput).returns<LiveStatus>(),
  'live:stop': method(noInput).returns<LiveStatus>(),
  'live:status': method(noInput).returns<LiveStatus>(),
  'positions:list': method(noInput).returns<readonly LivePosition[]>(),
  'orders:list': method(noInput).returns<readonly LiveOrder[]>(),
  /** Journaled before it returns; `status: "rejected"` with a `reason` when the kill switch or a risk limit refuses it. */
  'orders:submit': method(OrderSubmitInput).returns<LiveOrder>(),
  'orders:cancel': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly cancelled: boolean }>(),
  /** Newest first; `category` `signal` lists only strategy signal alerts, `other` everything else (anomalies, risk, kill switch, feed). */
  'alerts:list': method(
    z.object({ limit: z.number().int().positive().max(5000).default(500), category: z.enum(['all', 'signal', 'other']).default('all') }).strict().optional(),
  ).returns<readonly LiveAlert[]>(),
  'alerts:ack': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly acknowledged: boolean }>(),
  /** The running (or last) session's strategy signals from the journal, newest first; one symbol's with `symbol`. */
  'signals:list': method(z.object({ limit: z.number().int().positive().max(5000).default(500), symbol: z.string().min(1).optional() }).strict().optional()).returns<readonly LiveSignal[]>(),
  'risk:get': method(noInput).returns<RiskLimitsValue>(),
  'risk:set': method(RiskLimitsInput).returns<RiskLimitsValue>(),
  'killswitch:trip': method(z.object({ reason: z.string().min(1).max(500).default('manual') }).strict().optional()).returns<KillSwitch>(),
  'killswitch:rearm': method(noInput).returns<KillSwitch>(),
  // -- flatten all (issue 11)
  /**
   * Closes every open position of the running session with a reduce-only market order each (filled at the next price,
   * journaled before it returns), after cancelling working orders; accepted while the kill switch is tripped.
   */
  'positions:flatten': method(z.object({ reason: z.string().min(1).max(500).default('flatten all') }).strict().optional()).returns<readonly LiveOrder[]>(),
  // -- brokers (issue 20)
  /** Every broker and whether its keys are configured (never the keys). */
  'broker:list': method(noInput).returns<readonly BrokerInfoView[]>(),
  'broker:account': method(BrokerTargetInput).returns<BrokerAccountView>(),
  'broker:positions': method(BrokerTargetInput).returns<readonly BrokerPositionView[]>(),
  'broker:orders': method(BrokerTargetInput).returns<readonly BrokerOrderView[]>(),
  /** Routes the running live session's orders to the broker; `invalid-input` naming the phrase to type when a live account is not armed. */
  'broker:connect': method(BrokerConnectInput).returns<BrokerStatusView>(),
  'broker:disconnect': method(noInput).returns<BrokerStatusView>(),
  'broker:status': method(noInput).returns<BrokerStatusView>(),
  /** Stores keys encrypted (desktop app only); returns which keys are set. */
  'broker:credentials-set': method(BrokerCredentialsInput).returns<readonly BrokerInfoView[]>(),
  // -- webhook outbox and named live sessions (issue 15)
  /** Pending deliveries, dead letters and the latest dead letters (shown in the Live view's alerts panel). */
  'outbox:status': method(noInput).returns<OutboxStatus>(),
  /** Every journaled session, most recently started first. */
  'live:sessions': method(noInput).returns<readonly LiveSessionInfo[]>(),
  /** Restarts a journaled session by name (restored from its journal; continues after its last step). */
  'live:resume': method(LiveResumeInput).returns<LiveStatus>(),
  /** Requeues dead letters with a fresh attempt budget: those of `alertId` (not-found when it has none), or all; answers how many deliveries. */
  'outbox:retry': method(z.object({ alertId: z.string().min(1).max(200).optional() }).strict()).returns<{ readonly requeued: number }>(),
  // -- chunked data upload (issue 15): a file the user chose, in bounded chunks, imported on commit
  /** Opens an upload (at most {@link DATA_UPLOADS_MAX_OPEN} per host; `unavailable` beyond). */
  'data:upload-begin': method(DataUploadBeginInput).returns<DataUploadTicket>(),
  /** Appends chunk `seq` to the upload's temp file; a chunk out of order, repeated, or past the declared size discards the upload. */
  'data:upload-chunk': method(DataUploadChunkInput).returns<DataUploadReceipt>(),
  /** Imports the whole upload exactly as `data:import` would (progress on `data:import-progressed`; any error stores nothing); the temp file is removed either way. */
  'data:upload-commit': method(z.object({ uploadId }).strict()).returns<DataImportReport>(),
  /** Discards an open upload, or cancels its import while it commits (nothing stored). */
  'data:upload-cancel': method(z.object({ uploadId }).strict()).returns<{ readonly cancelled: boolean }>(),
  // -- models (machine learning issue)
  'models:list': method(noInput).returns<readonly ModelSummaryView[]>(),
  'models:get': method(z.object({ id: z.string().min(1) }).strict()).returns<ModelDetailView>(),
  /** Trains a model spec walk-forward (windows on the pool when it can); progress on `models:progressed`. */
  'models:train': method(z.object({ spec: z.record(z.string(), z.unknown()) }).strict()).returns<{ readonly modelId: string; readonly windows: readonly ModelWindowView[]; readonly metrics: ModelMetricsView }>(),
  /** Cancels the running `models:train` (it then fails with `cancelled`). */
  'models:cancel': method(noInput).returns<{ readonly cancelled: boolean }>(),
  'models:explain': method(z.object({ id: z.string().min(1), symbol: z.string().min(1), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }).strict()).returns<ModelExplanationView>(),
  /** The model spec's JSON Schema (from its zod schema, input side): the Models view generates its train form from it. */
  'models:spec-schema': method(noInput).returns<{ readonly schema: Readonly<Record<string, unknown>> }>(),
  /** The running live session's champion/challenger comparison (a model-signal spec with `params.challenger`), or null. */
  'models:duel': method(noInput).returns<{ readonly duel: ModelDuelView | null }>(),
  // -- data platform (issue 19)
  /** Scheduled jobs with next slot and last run. */
  'platform:jobs': method(noInput).returns<readonly PlatformJob[]>(),
  /** Run history, newest first (one job or all). */
  'platform:job-runs': method(z.object({ job: z.string().min(1).max(64).optional(), limit: z.number().int().min(1).max(500).optional() }).strict()).returns<readonly PlatformJobRun[]>(),
  /** Runs a job now in the host; `conflict` when it is already running. */
  'platform:job-run': method(z.object({ job: z.string().min(1).max(64) }).strict()).returns<PlatformJobRun>(),
  /** Past reports, newest first. */
  'platform:reports': method(noInput).returns<readonly PlatformReport[]>(),
  'platform:health': method(noInput).returns<PlatformHealth>(),
  /** Data-quality findings, newest first (one symbol's with `symbol`). */
  'platform:findings': method(z.object({ symbol: z.string().min(1).optional(), limit: z.number().int().min(1).max(1000).optional() }).strict()).returns<readonly PlatformFinding[]>(),
  /** Data connectors' keys: set or not (never a value). */
  'platform:api-keys': method(noInput).returns<readonly PlatformApiKey[]>(),
  /** Stores a connector's key encrypted (desktop app only; `unavailable` where keys come from the environment). Answers set/not set. */
  'platform:api-key-set': method(PlatformApiKeyInput).returns<readonly PlatformApiKey[]>(),
} as const;

/** Every event the renderer may subscribe to. The key is the channel. */
export const EVENTS = {
  // -- app
  'app:ready': event<{ readonly at: number }>(),
  /** Each change of the default dataset's load status (throttled by the loader's own progress). */
  'app:dataset-progress': event<DatasetStatus>(),
  // -- data
  'data:import-progressed': event<DataImportProgress>(),
  'data:init-progressed': event<DataInitProgress>(),
  // -- backtest
  /** About every thousand bars of a `backtest:start` run. */
  'backtest:progressed': event<{ readonly runId: string; readonly fraction: number }>(),
  'backtest:finished': event<{ readonly runId: string; readonly status: 'finished' | 'failed' | 'cancelled'; readonly error: string | null }>(),
  // -- optimize
  'sweep:progressed': event<SweepProgressView>(),
  'sweep:finished': event<{ readonly id: string; readonly status: SweepState['status']; readonly error: string | null }>(),
  // -- live
  'live:ticked': event<LiveTick>(),
  'positions:changed': event<readonly LivePosition[]>(),
  'alert:raised': event<LiveAlert>(),
  /** A strategy entry or exit, after its `signal` alert was journaled (the `alert:raised` of that alert comes first). */
  'signal:fired': event<LiveSignal>(),
  'feed:status-changed': event<LiveFeedStatus>(),
  'killswitch:changed': event<KillSwitch>(),
  // -- brokers (issue 20)
  'broker:status-changed': event<BrokerStatusView>(),
  // -- models
  /** Training progress: windows done of total. */
  'models:progressed': event<{ readonly done: number; readonly total: number }>(),
} as const;

// == derived types: do not edit below ==========================================================

export type Methods = typeof METHODS;
export type Channel = keyof Methods;
export type EventChannel = keyof typeof EVENTS;
/** The validated input a handler receives for `K`. */
export type InputOf<K extends Channel> = z.output<Methods[K]['input']>;
/** What a caller passes for `K` (before defaults are applied by the schema). */
export type ArgOf<K extends Channel> = z.input<Methods[K]['input']>;
/** The success value of `K`. */
export type OutputOf<K extends Channel> = NonNullable<Methods[K]['__result']>;
export type PayloadOf<E extends EventChannel> = NonNullable<(typeof EVENTS)[E]['__payload']>;

/** Renderer → core. */
export type Api = { [K in Channel]: (input: ArgOf<K>) => Promise<Result<OutputOf<K>>> };
/** Core → renderer. */
export type Events = { [E in EventChannel]: PayloadOf<E> };

/** Allow-lists for the preload and the host. */
export const API_CHANNELS = Object.fromEntries(Object.keys(METHODS).map((k) => [k, 1])) as Record<Channel, 1>;
export const EVENT_CHANNELS = Object.fromEntries(Object.keys(EVENTS).map((k) => [k, 1])) as Record<EventChannel, 1>;

/** Exposed as `window.api`, by the Electron preload or by the browser client of `quantdesk serve`. */
export interface WindowApi {
  invoke<K extends Channel>(channel: K, ...args: undefined extends ArgOf<K> ? [input?: ArgOf<K>] : [input: ArgOf<K>]): Promise<Result<OutputOf<K>>>;
  on<E extends EventChannel>(channel: E, listener: (payload: Events[E]) => void): () => void;
}

/** Narrow helper for hosts: is `x` a declared channel? */
export function isChannel(x: unknown): x is Channel {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(METHODS, x);
}

/** Narrow helper for hosts: is `x` a declared event channel? */
export function isEventChannel(x: unknown): x is EventChannel {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, x);
}

export type { AppError as ContractError };
