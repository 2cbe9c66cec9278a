import type { BacktestMetrics, BacktestRunView, BacktestTradeView } from '../../../core/contract';
import { parseDate } from '../../../core/model/time';

/** A trade with its times as EpochMs (the API sends dates as text) and its holding period in days. */
export interface TradeRow extends BacktestTradeView {
  readonly entryMs: number;
  readonly exitMs: number;
  readonly days: number;
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

/** A run ready to draw: equity as Float64Array columns, trades with numeric times. */
export interface RunModel {
  readonly runId: string;
  readonly spec: SpecView;
  readonly metrics: BacktestMetrics;
  readonly trades: readonly TradeRow[];
  readonly equity: { readonly time: Float64Array; readonly value: Float64Array };
  /** Positions still open at the end (entry time as EpochMs), for holdings over time. */
  readonly openPositions?: readonly { readonly symbol: string; readonly side: 'long' | 'short'; readonly qty: number; readonly entryPrice: number; readonly entryMs: number }[];
}

function ms(text: string): number {
  return parseDate(text) ?? Number.NaN;
}

/** Converts the API's run (text dates, equity as objects) into the model the charts and tables use. */
export function toRunModel(v: BacktestRunView): RunModel {
  const n = v.equity.length;
  const time = new Float64Array(n);
  const value = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = ms(v.equity[i].time);
    value[i] = v.equity[i].equity;
  }
  const trades = v.trades.map((t) => {
    const entryMs = ms(t.entryTime);
    const exitMs = ms(t.exitTime);
    return { ...t, entryMs, exitMs, days: Math.round((exitMs - entryMs) / 86_400_000) };
  });
  const openPositions = (v.openPositions ?? []).map((p) => ({ symbol: p.symbol, side: p.side, qty: p.qty, entryPrice: p.entryPrice, entryMs: ms(p.entryTime) }));
  return { runId: v.runId, spec: v.spec as SpecView, metrics: v.metrics, trades, equity: { time, value }, openPositions };
}
