/**
 * Backtests of user strategies off the host's thread: the host hands the spec and the strategy's
 * source to a pool worker (which opens the store read-only and runs it in its sandbox), then stores
 * the result itself (the single writer). Built-ins keep running in the host.
 */
import type { PoolJob } from '../pool/protocol';
import type { Pool } from '../pool/types';
import type { JobTable } from '../pool/worker-host';
import { strategyTimeoutMs } from '../sdk/sandbox';
import type { Store } from '../store/sqlite-bar-store';
import { recordRunSource } from '../store/strategy-sources';
import { userSourceFor, withPinnedSource, type StrategySource } from '../strategies/registry';
import { toColumns, type BacktestColumns } from './json';
import { saveBacktestRun } from './registry';
import { runSpecOnStore } from './run';
import type { BacktestSpec } from './spec';
import { BacktestInputError, type DecisionAudit } from './types';

/** Job kind: one backtest of a user strategy on the worker's store. */
export const USER_BACKTEST_JOB = 'backtest:user-run';

interface UserRunData {
  readonly spec: BacktestSpec;
  readonly runId: string;
  readonly source: StrategySource;
  readonly timeoutMs: number;
}

/** What the job returns: the output to store, or the input errors (a bad spec, the strategy's `FILE:LINE:COL`). */
type UserRunResult =
  | { readonly output: BacktestColumns; readonly fingerprint: string; readonly audit: readonly DecisionAudit[] }
  | { readonly errors: readonly string[] };

/** The job kinds pool workers run for user backtests. */
export const USER_RUN_JOBS: JobTable = {
  [USER_BACKTEST_JOB]: (data: UserRunData, ctx): UserRunResult => {
    const store = ctx.store();
    if (!store) throw new Error(`${USER_BACKTEST_JOB}: the worker has no store`);
    // The host's limit (the worker's environment may predate its --strategy-timeout).
    process.env.QUANTDESK_STRATEGY_TIMEOUT_MS = String(data.timeoutMs);
    try {
      const { result, fingerprint } = withPinnedSource(data.spec.strategy, data.source, () =>
        runSpecOnStore(store, data.spec),
      );
      return { output: toColumns(result, data.runId), fingerprint, audit: result.audit };
    } catch (e) {
      if (e instanceof BacktestInputError) return { errors: e.errors };
      throw e;
    }
  },
};

/** The user strategy's source for `spec`, or undefined for a built-in. */
export function userSourceOf(store: Store, spec: BacktestSpec): StrategySource | undefined {
  return userSourceFor(spec.strategy, { store });
}

/**
 * Runs `spec` (a user strategy, `source`) on `pool` and, unless `save` is false, stores the run and
 * the source it ran. @throws BacktestInputError with the worker's errors.
 */
export async function runUserBacktest(
  store: Store,
  pool: Pool,
  spec: BacktestSpec,
  source: StrategySource,
  opts: { runId: string; save?: boolean; signal?: AbortSignal },
): Promise<BacktestColumns> {
  const createdAt = Date.now();
  const job: PoolJob<UserRunData> = {
    kind: USER_BACKTEST_JOB,
    data: { spec, runId: opts.runId, source, timeoutMs: strategyTimeoutMs() },
  };
  const [o] = await pool.run<UserRunResult>([job], { signal: opts.signal });
  if (!o.ok) throw new Error(o.error.message);
  const r = o.value;
  if ('errors' in r) throw new BacktestInputError(r.errors);
  if (opts.save !== false) {
    saveBacktestRun(store, {
      result: r.output,
      fingerprint: r.fingerprint,
      audit: r.audit,
      createdAt,
      finishedAt: Date.now(),
    });
    recordRunSource(store, r.output.runId, source);
  }
  return r.output;
}
