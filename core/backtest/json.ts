import { DAY_MS, formatTime } from '../model/time';
import type { BacktestSpec } from './spec';
import type { BacktestResult, Metrics } from './types';

/** A trade as printed: times as `YYYY-MM-DD` for daily bars (ISO datetimes otherwise). */
export interface TradeJson {
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
  /** Shares at the exit per share bought, when a split fell inside the trade (see `Trade.splitRatio`). */
  readonly splitRatio?: number;
}

/** An open position as printed. */
export interface OpenPositionJson {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: string;
  readonly entryPrice: number;
  readonly lastPrice: number;
  readonly unrealizedPnl: number;
  readonly commission: number;
}

/** What `quantdesk backtest --json` prints and `backtest:run` returns: exactly these keys. */
export interface BacktestOutput {
  readonly spec: BacktestSpec;
  readonly metrics: Metrics;
  readonly trades: readonly TradeJson[];
  readonly openPositions: readonly OpenPositionJson[];
  readonly equity: readonly { readonly time: string; readonly equity: number }[];
  readonly runId: string;
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;

/**
 * `formatTime` without a `Date` per call: midnight-UTC instants (daily bars) become `YYYY-MM-DD` by
 * civil-from-days arithmetic (Howard Hinnant's algorithm), anything else falls back to `formatTime`.
 * Equity curves print one time per bar, so this is the output's hot path.
 */
export function fastFormatTime(ms: number): string {
  if (ms % DAY_MS !== 0 || ms < 0) return formatTime(ms);
  const z = ms / DAY_MS + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return y < 1000 ? formatTime(ms) : `${y}-${pad2(m)}-${pad2(d)}`;
}

/** Shapes an engine result for JSON output (times formatted, no typed arrays). */
export function toOutput(r: BacktestResult, runId: string): BacktestOutput {
  const equity = new Array<{ time: string; equity: number }>(r.equity.time.length);
  for (let i = 0; i < equity.length; i++) equity[i] = { time: fastFormatTime(r.equity.time[i]), equity: r.equity.value[i] };
  return {
    spec: r.spec,
    metrics: r.metrics,
    trades: r.trades.map((t) => ({
      symbol: t.symbol,
      side: t.side,
      qty: t.qty,
      entryTime: formatTime(t.entryTime),
      entryPrice: t.entryPrice,
      exitTime: formatTime(t.exitTime),
      exitPrice: t.exitPrice,
      pnl: t.pnl,
      commission: t.commission,
      returnPct: t.returnPct,
      ambiguous: t.ambiguous,
      exitReason: t.exitReason,
      ...(t.splitRatio !== undefined ? { splitRatio: t.splitRatio } : {}),
    })),
    openPositions: r.openPositions.map((p) => ({
      symbol: p.symbol,
      side: p.side,
      qty: p.qty,
      entryTime: formatTime(p.entryTime),
      entryPrice: p.entryPrice,
      lastPrice: p.lastPrice,
      unrealizedPnl: p.unrealizedPnl,
      commission: p.commission,
    })),
    equity,
    runId,
  };
}

const CSV_COLUMNS = ['symbol', 'side', 'qty', 'entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'pnl', 'commission', 'returnPct', 'ambiguous', 'exitReason'] as const;

/** The trade list as CSV (header first, one trade per line, full float precision). */
export function tradesCsv(trades: readonly TradeJson[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const t of trades) lines.push(CSV_COLUMNS.map((c) => String(t[c])).join(','));
  return lines.join('\n') + '\n';
}
