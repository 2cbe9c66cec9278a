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
export function runBacktestGuarded(
  spec: BacktestSpec,
  panel: Panel,
  opts: RunOptions,
  timeoutMs = strategyTimeoutMs(),
): BacktestResult {
  const s = opts.strategy;
  if (!isSandboxed(s)) return runBacktest(spec, panel, opts);
  const steps = backtestStepper(spec, panel, opts);
  for (;;) {
    const r = withTimeLimit(() => stepFor(steps, GROUP_MS), s.file, timeoutMs);
    if (r.done) return r.value;
  }
}

/**
 * Each time-limited call costs V8 a watchdog thread (~0.1 ms), so step batches are grouped: one call
 * runs batches until `ms` have passed (the time limit still bounds the whole group).
 */
const GROUP_MS = 50;
/** The async driver yields to the event loop at least this often. */
const ASYNC_GROUP_MS = 15;

function stepFor<R>(steps: Generator<number, R, void>, ms: number): IteratorResult<number, R> {
  const until = performance.now() + ms;
  for (;;) {
    const r = steps.next();
    if (r.done || performance.now() >= until) return r;
  }
}

/** {@link runBacktestGuarded} yielding to the event loop between step batches (progress, cancel). */
export async function runBacktestGuardedAsync(
  spec: BacktestSpec,
  panel: Panel,
  opts: RunOptions,
  timeoutMs = strategyTimeoutMs(),
): Promise<BacktestResult> {
  const s = opts.strategy;
  const steps = backtestStepper(spec, panel, opts);
  for (;;) {
    const r = isSandboxed(s) ? withTimeLimit(() => stepFor(steps, ASYNC_GROUP_MS), s.file, timeoutMs) : steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
