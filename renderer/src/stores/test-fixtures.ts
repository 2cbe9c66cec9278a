import type { BacktestColumnsView } from '../../../core/contract';

const D = (day: number) => Date.UTC(2020, 0, day);

/** A small run as the API returns it (typed columns, EpochMs times), for store and component tests. */
export const sampleRun: BacktestColumnsView = {
  runId: 'r1',
  spec: { strategy: 'sma-cross', symbols: ['AAA'], capital: 1000, benchmark: 'SPX' },
  metrics: {
    finalEquity: 1100,
    totalReturn: 0.1,
    cagr: 0.05,
    volatility: 0.2,
    sharpe: 1.23,
    sortino: 1.5,
    calmar: 0.8,
    maxDrawdown: -0.1,
    maxDrawdownDuration: 3,
    var95: null,
    cvar95: null,
    winRate: 0.5,
    profitFactor: 1.4,
    trades: 1,
    exposure: 0.5,
    turnover: 2,
    alpha: null,
    beta: null,
  },
  trades: [
    {
      symbol: 'AAA',
      side: 'long',
      qty: 10,
      entryTime: D(2),
      entryPrice: 100,
      exitTime: D(12),
      exitPrice: 110,
      pnl: 100,
      commission: 0,
      returnPct: 0.1,
      ambiguous: false,
      exitReason: 'signal',
    },
  ],
  openPositions: [],
  equity: { time: Float64Array.of(D(2), D(3)), value: Float64Array.of(1000, 1100), drawdown: Float64Array.of(0, 0) },
};
