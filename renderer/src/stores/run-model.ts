import type { BacktestColumnsView, BacktestMetrics } from '../../../core/contract';
import type { SignalExplanation } from '../../../core/model/explanation';
import type { ResultTrade } from '../../../core/model/result-columns';

/** A trade with its times as EpochMs (`entryMs`/`exitMs`, as the table and chart read them) and its holding period in days. */
export interface TradeRow extends ResultTrade {
  readonly entryMs: number;
  readonly exitMs: number;
  readonly days: number;
  /** A model strategy's trade: the top contributions behind the prediction that opened it. */
  readonly why?: SignalExplanation;
}

/** The settings of a run's spec that the results header shows (the spec echoes every default). */
export interface SpecView {
  readonly strategy: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly symbols?: readonly string[];
  readonly universe?: string;
  readonly capital?: number;
  readonly fill?: string;
  readonly commission?: { readonly rate: number; readonly fixed: number };
  readonly slippageBps?: number;
  readonly benchmark?: string;
}

/** A run ready to draw: equity as Float64Array columns (the API's, not copied), trades with numeric times. */
export interface RunModel {
  readonly runId: string;
  readonly spec: SpecView;
  readonly metrics: BacktestMetrics;
  readonly trades: readonly TradeRow[];
  /** `drawdown`: from the running peak, as the core computed it (absent in hand-made models). */
  readonly equity: { readonly time: Float64Array; readonly value: Float64Array; readonly drawdown?: Float64Array };
  /** Positions still open at the end (entry time as EpochMs), for holdings over time. */
  readonly openPositions?: readonly {
    readonly symbol: string;
    readonly side: 'long' | 'short';
    readonly qty: number;
    readonly entryPrice: number;
    readonly entryMs: number;
  }[];
}

/** The API's run (typed columns, EpochMs times) as the model the charts and tables use: no parsing, no copies of the curve. */
export function toRunModel(v: BacktestColumnsView): RunModel {
  const why = v.tradeExplanations;
  const trades = v.trades.map((t, i) => ({
    ...t,
    entryMs: t.entryTime,
    exitMs: t.exitTime,
    days: Math.round((t.exitTime - t.entryTime) / 86_400_000),
    ...(why?.[i] ? { why: why[i]! } : {}),
  }));
  const openPositions = (v.openPositions ?? []).map((p) => ({
    symbol: p.symbol,
    side: p.side,
    qty: p.qty,
    entryPrice: p.entryPrice,
    entryMs: p.entryTime,
  }));
  return { runId: v.runId, spec: v.spec as SpecView, metrics: v.metrics, trades, equity: v.equity, openPositions };
}
