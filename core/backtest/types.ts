import type { BacktestSpec } from './spec';

/** Why a trade was closed. */
export type ExitReason = 'signal' | 'stop-loss' | 'take-profit' | 'trailing-stop' | 'delisted' | 'end' | 'rebalance';

/** One closed round trip (or the reduced part of a position, for portfolio rebalances). */
export interface Trade {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  /** Units traded, always positive. */
  readonly qty: number;
  /** EpochMs of the entry and exit bars. */
  readonly entryTime: number;
  /**
   * Cost per share held at the exit, in traded prices: the entry fill, divided by the ratio of any split
   * during the trade (as a broker's cost basis); `entryPrice × splitRatio` is then the price paid.
   */
  readonly entryPrice: number;
  readonly exitTime: number;
  readonly exitPrice: number;
  /** Net of both commissions (and of slippage, which is inside the prices). */
  readonly pnl: number;
  /** Entry plus exit commission. */
  readonly commission: number;
  /** `pnl / (qty × entryPrice)`: the net return on the capital the trade committed (a fraction). */
  readonly returnPct: number;
  /** Stop and target were both touched in the exit bar; `spec.intrabar` decided which one filled. */
  readonly ambiguous: boolean;
  readonly exitReason: ExitReason;
  /** Index of the entry and exit bars in the run's time axis (0 = the first bar of the run). */
  readonly entryBar: number;
  readonly exitBar: number;
  /** Shares at the exit per share bought (the product of the split ratios during the trade); absent when 1. */
  readonly splitRatio?: number;
}

/** A position still open when the run ended (`closeAtEnd: false`). */
export interface OpenPosition {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: number;
  /** Cost per share held, in traded prices (divided by any split since the entry, as `Trade.entryPrice`). */
  readonly entryPrice: number;
  readonly entryBar: number;
  /** The last traded close, at which the final equity marks it. */
  readonly lastPrice: number;
  /** Mark-to-market P&L net of the entry commission. */
  readonly unrealizedPnl: number;
  /** Entry commission paid so far. */
  readonly commission: number;
}

/**
 * Performance metrics. Fractions, not percent. `null` where a metric is undefined (no trades, zero
 * variance, no benchmark). See the README's "Backtesting" section for each definition.
 */
export type Metrics = {
  readonly finalEquity: number;
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly maxDrawdown: number;
  /** Longest stretch below a previous equity peak, in bars. */
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
  /**
   * Annualised mean active return (strategy minus benchmark, per bar, on bars with both) over its standard
   * deviation, the tracking error: mean(r − rb) / std(r − rb) × √barsPerYear. Null without a benchmark.
   */
  readonly informationRatio: number | null;
};

/**
 * A run's metrics by name, as sweeps, walk-forward windows and stored runs carry them (a `Metrics` is one; a run
 * stored by an older version may lack a newer metric). `Metrics` is a type literal, not an interface, so it is
 * assignable to this without a cast.
 */
export type MetricsRecord = Readonly<Record<string, number | null>>;

/** What `runBacktest` returns: the spec it ran (defaults filled), metrics, trades and the equity curve. */
export interface BacktestResult {
  readonly spec: BacktestSpec;
  readonly metrics: Metrics;
  readonly trades: readonly Trade[];
  readonly openPositions: readonly OpenPosition[];
  /** Equity per bar at the close (EpochMs times, parallel columns). */
  readonly equity: { readonly time: Float64Array; readonly value: Float64Array };
  /** Data fingerprint of the panel the run read. */
  readonly fingerprint: string;
  /** Cross-sectional runs: per rebalance date, the latest `known_at` of any fact the decision read. */
  readonly audit: readonly DecisionAudit[];
}

/** What one cross-sectional decision read: its date and the latest `known_at` (or bar time) behind it. */
export interface DecisionAudit {
  readonly date: number;
  readonly latestKnownAt: number;
  readonly factsRead: number;
}

/** Thrown for input a user can fix (unknown strategy, bad params, unknown symbol); `errors` name the field. */
export class BacktestInputError extends Error {
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(errors.join('; '));
    this.name = 'BacktestInputError';
    this.errors = errors;
  }
}

/** Thrown when a run's `AbortSignal` fires. */
export class BacktestCancelledError extends Error {
  constructor() {
    super('backtest cancelled');
    this.name = 'BacktestCancelledError';
  }
}
