import { backtestStepper, runBacktest, type RunOptions } from '../backtest/engine';
import type { BacktestSpec } from '../backtest/spec';
import type { BacktestResult } from '../backtest/types';
import type { Panel } from '../data/panel-types';
import type { Strategy } from '../strategy/types';
import { strategyTimeoutMs, withTimeLimit, type SandboxedStrategy } from './sandbox';

/** Whether `s` is a user strategy running in the sandbox. */
export function isSandboxed(s: Strategy | undefined): s is SandboxedStrategy {
  return (s as { sandboxed?: boolean } | undefined)?.sandboxed === true;
}

/**
 * Runs a backtest; for a sandboxed user strategy each engine step batch (about a thousand bars, or
 * one rebalance period) runs under the time limit, so an endless loop ends the run with a clear
 * error instead of hanging the process. Built-ins run through the plain engine driver.
 */
export function runBacktestGuarded(spec: BacktestSpec, panel: Panel, opts: RunOptions, timeoutMs = strategyTimeoutMs()): BacktestResult {
  const s = opts.strategy;
  if (!isSandboxed(s)) return runBacktest(spec, panel, opts);
  const steps = backtestStepper(spec, panel, opts);
  for (;;) {
    const r = withTimeLimit(() => steps.next(), s.file, timeoutMs);
    if (r.done) return r.value;
  }
}

/** {@link runBacktestGuarded} yielding to the event loop between step batches (progress, cancel). */
export async function runBacktestGuardedAsync(spec: BacktestSpec, panel: Panel, opts: RunOptions, timeoutMs = strategyTimeoutMs()): Promise<BacktestResult> {
  const s = opts.strategy;
  const steps = backtestStepper(spec, panel, opts);
  for (;;) {
    const r = isSandboxed(s) ? withTimeLimit(() => steps.next(), s.file, timeoutMs) : steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
