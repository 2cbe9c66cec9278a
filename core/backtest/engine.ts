import type { Panel } from '../data/panel-types';
import type { CrossSectionalStrategy, PortfolioStrategy } from '../strategy/types';
import { portfolioAsCrossSectional } from '../strategies/portfolio';
import { runCrossSectional } from './cross-section-loop';
import { computeMetrics } from './metrics';
import { alignedBenchmark } from './run-days';
import { NO_BAR, prepareRun, type RunContext, type RunOptions } from './run-setup';
import { runSingle } from './single-loop';
import type { BacktestSpec } from './spec';
import type { BacktestResult } from './types';

export { runBarRange, type RunOptions } from './run-setup';

/*
 * The backtest engine, in stages a newcomer can follow:
 *   1. prepareRun (run-setup.ts): check the spec, pick the traded names and bars, build the order book
 *      (core/execution/book.ts, shared with live) and its ledger (ledger.ts, the account);
 *   2. the bar loop: runSingle (single-loop.ts) for single-symbol strategies, runCrossSectional
 *      (cross-section-loop.ts) for cross-sectional and portfolio ones;
 *   3. finish: close at the end if asked, open positions, metrics.
 */

/**
 * Runs a backtest of `spec` over `panel` (see the README's "Backtesting" section for the conventions).
 *
 * A decision at bar i sees only bar i (a reused `BarView`) and the strategy's own state, or, for a
 * cross-sectional strategy, a `CrossSectionView` whose accessors stop at bar i: nothing can read
 * past the decision bar. It fills at the open of the symbol's next bar (`fill: "next-open"`) or at
 * the close of bar i (`fill: "close"`).
 *
 * @throws BacktestInputError for a missing strategy, invalid params or an unknown symbol / benchmark.
 * @throws BacktestCancelledError when `opts.signal` aborts.
 */
export function runBacktest(spec: BacktestSpec, panel: Panel, opts: RunOptions = {}): BacktestResult {
  const steps = backtestSteps(spec, panel, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * {@link runBacktest} that yields to the event loop about every thousand bars, so a host can run a
 * long backtest without stalling, report progress and cancel it mid-run (`opts.signal`). Same result.
 */
export async function runBacktestAsync(
  spec: BacktestSpec,
  panel: Panel,
  opts: RunOptions = {},
): Promise<BacktestResult> {
  const steps = backtestSteps(spec, panel, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The engine as a generator: yields the fraction done about every thousand bars (each rebalance
 * day for cross-sectional runs), returns the result. For drivers that bound each step batch in time
 * (the sandbox's watchdog for user strategies); {@link runBacktest} is the plain driver.
 */
export function backtestStepper(
  spec: BacktestSpec,
  panel: Panel,
  opts: RunOptions = {},
): Generator<number, BacktestResult, void> {
  return backtestSteps(spec, panel, opts);
}

/** The engine as a generator: yields the fraction done about every thousand bars, returns the result. */
function* backtestSteps(spec: BacktestSpec, loaded: Panel, opts: RunOptions): Generator<number, BacktestResult, void> {
  const ctx = prepareRun(spec, loaded, opts);
  const strategy = ctx.strategy;
  if (strategy.kind === 'single') yield* runSingle(ctx);
  else if (strategy.kind === 'portfolio')
    yield* runCrossSectional(
      ctx,
      portfolioAsCrossSectional(strategy as PortfolioStrategy<unknown, unknown>, ctx.params),
    );
  else yield* runCrossSectional(ctx, strategy as CrossSectionalStrategy<unknown>);
  return finish(ctx);
}

/** Stage 3: closes what `closeAtEnd` asks for and assembles the result (trades, open positions, equity, metrics). */
function finish(ctx: RunContext): BacktestResult {
  const { spec, panel, ledger, i0, i1, benchIdx } = ctx;
  if (spec.closeAtEnd) ledger.closeAtEnd(ctx.traded.open);
  ctx.opts.onProgress?.(1);
  const openPositions = ledger.openPositions();
  const runTime = panel.time.slice(i0, i1 + 1);
  const benchmark = benchIdx === NO_BAR ? undefined : alignedBenchmark(panel, benchIdx, i0, i1);
  const metrics = computeMetrics({
    capital: spec.capital,
    time: runTime,
    equity: ledger.equity,
    trades: ledger.trades,
    barsInMarket: ledger.barsInMarket,
    tradedValue: ledger.tradedValue,
    barsPerYear: spec.barsPerYear,
    benchmark,
  });
  return {
    spec,
    metrics,
    trades: ledger.trades,
    openPositions,
    equity: { time: runTime, value: ledger.equity },
    fingerprint: panel.fingerprint,
    audit: ctx.audit,
  };
}
