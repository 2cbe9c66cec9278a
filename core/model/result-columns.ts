/**
 * A backtest result as it crosses the API: typed columns with EpochMs times, NaN kept. Both transports
 * carry typed arrays (Electron IPC by structured clone, `quantdesk serve` as `$typed` frames, see
 * `wire.ts`), so nothing is formatted as text on the way: only the CLI prints (`core/backtest/json.ts`).
 */
import type { SignalExplanation } from './explanation';

/** One closed trade, times as EpochMs. */
export interface ResultTrade {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly exitTime: number;
  readonly exitPrice: number;
  /** Net of both commissions. */
  readonly pnl: number;
  readonly commission: number;
  readonly returnPct: number;
  readonly ambiguous: boolean;
  readonly exitReason: string;
  /** Shares at the exit per share bought, when a split fell inside the trade. */
  readonly splitRatio?: number;
}

/** A position open at the end of the run, entry time as EpochMs. */
export interface ResultOpenPosition {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: number;
  readonly entryPrice: number;
  readonly lastPrice: number;
  readonly unrealizedPnl: number;
  readonly commission: number;
}

/** The equity curve, one row per bar: close-of-bar equity and its drawdown from the running peak (≤ 0, a fraction). */
export interface EquityColumns {
  readonly time: Float64Array;
  readonly value: Float64Array;
  readonly drawdown: Float64Array;
}

/** A benchmark's closes over the run's bars (absent when the spec names none). */
export interface BenchmarkColumns {
  readonly symbol: string;
  readonly time: Float64Array;
  readonly close: Float64Array;
}

/**
 * A run's result as columns (what `backtest:run` returns, `runs:get` holds and `backtest:finished` carries).
 * `M` is the metrics record (the contract's view of it); `spec` has every default filled.
 */
export interface ResultColumns<M = Readonly<Record<string, number | null | undefined>>> {
  readonly runId: string;
  readonly spec: { readonly strategy: string; readonly [setting: string]: unknown };
  readonly metrics: M;
  readonly trades: readonly ResultTrade[];
  readonly openPositions: readonly ResultOpenPosition[];
  readonly equity: EquityColumns;
  readonly benchmark?: BenchmarkColumns | null;
  /**
   * A model strategy's runs: per trade (same index as `trades`), the top contributions behind the prediction that
   * opened it (null: none explains it). Absent for other strategies.
   */
  readonly tradeExplanations?: readonly (SignalExplanation | null)[];
}

/** Drawdown from the running peak per bar (0 at a new high, NaN while equity is NaN). */
export function drawdownOf(value: Float64Array): Float64Array {
  const out = new Float64Array(value.length);
  let peak = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < value.length; i++) {
    const v = value[i];
    if (v !== v) {
      out[i] = Number.NaN;
      continue;
    }
    if (v > peak) peak = v;
    out[i] = peak > 0 ? v / peak - 1 : 0;
  }
  return out;
}
