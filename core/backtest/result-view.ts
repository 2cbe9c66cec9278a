import { barsRange } from '../store/queries';
import type { Store } from '../store/sqlite-bar-store';
import type { BacktestColumns } from './json';

/**
 * A run's columns with its benchmark's raw closes over the run's bars (what the Backtest view draws
 * beside the equity), so the view needs no `data:bars` round trip after `backtest:finished`.
 * Unchanged when the spec names no benchmark or the curve is empty; `benchmark: null` when the symbol is gone.
 */
export function withBenchmark(store: Store, cols: BacktestColumns): BacktestColumns {
  const symbol = cols.spec.benchmark;
  const t = cols.equity.time;
  if (!symbol || t.length === 0) return cols;
  const r = barsRange(store, symbol, { from: t[0], to: t[t.length - 1] });
  return { ...cols, benchmark: r.ok ? { symbol, time: r.value.time, close: r.value.close } : null };
}
