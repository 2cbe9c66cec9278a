import { toColumns, type BacktestColumns } from '../backtest/json';
import { saveBacktestRun, newRunId } from '../backtest/registry';
import { runSpecOnStore } from '../backtest/run';
import type { BacktestSpec } from '../backtest/spec';
import { BacktestInputError, type DecisionAudit } from '../backtest/types';
import type { Pool } from '../pool/types';
import type { JobTable } from '../pool/worker-host';
import type { Store } from '../store/sqlite-bar-store';
import type { MonteCarloOptions, MonteCarloView } from './montecarlo';
import { monteCarloOfRun, monteCarloOfStoredRun, MonteCarloInputError } from './montecarlo-run';

/**
 * Pool jobs for the API's interactive calls (`backtest:run`, `montecarlo:run`): whole calls that
 * take from milliseconds to seconds (a universe of 500 names, a million paths), run on a pool worker
 * with its own read-only store so the host's thread keeps answering every other client. A mistake a
 * user can make comes back as `{invalid}` (their field-named messages), not as a failed job.
 */
export const BACKTEST_RUN_JOB = 'api:backtest-run';
/** See {@link BACKTEST_RUN_JOB}. */
export const MONTECARLO_JOB = 'api:montecarlo';

type Answer<T> = { readonly value: T } | { readonly invalid: readonly string[] } | { readonly notFound: string };

interface BacktestRunData {
  readonly spec: BacktestSpec;
  readonly runId: string;
}
interface BacktestRunAnswer {
  readonly output: BacktestColumns;
  readonly audit: readonly DecisionAudit[];
  readonly fingerprint: string;
}
interface MonteCarloData {
  readonly runId?: string;
  readonly spec?: BacktestSpec;
  readonly options: MonteCarloOptions;
}

function userError(e: unknown): readonly string[] | null {
  if (e instanceof BacktestInputError || e instanceof MonteCarloInputError) return e.errors;
  if (e instanceof Error && /no closed trades|fewer than two/.test(e.message)) return [e.message];
  return null;
}

function storeOf(ctx: { store(): Store | null }, kind: string): Store {
  const store = ctx.store();
  if (!store) throw new Error(`${kind} needs a worker with the store`);
  return store;
}

/** The interactive job kinds pool workers run. */
export const INTERACTIVE_JOBS: JobTable = {
  [BACKTEST_RUN_JOB]: (data: BacktestRunData, ctx): Answer<BacktestRunAnswer> => {
    try {
      const { result, fingerprint } = runSpecOnStore(storeOf(ctx, BACKTEST_RUN_JOB), data.spec);
      return { value: { output: toColumns(result, data.runId), audit: result.audit, fingerprint } };
    } catch (e) {
      const invalid = userError(e);
      if (invalid) return { invalid };
      throw e;
    }
  },
  [MONTECARLO_JOB]: (data: MonteCarloData, ctx): Answer<MonteCarloView> => {
    try {
      const store = storeOf(ctx, MONTECARLO_JOB);
      if (data.runId !== undefined) {
        const view = monteCarloOfStoredRun(store, data.runId, data.options);
        return view ? { value: view } : { notFound: `no run ${data.runId}` };
      }
      const { result } = runSpecOnStore(store, data.spec!);
      return {
        value: monteCarloOfRun(
          { capital: data.spec!.capital, equity: result.equity, trades: result.trades },
          data.options,
        ),
      };
    } catch (e) {
      const invalid = userError(e);
      if (invalid) return { invalid };
      throw e;
    }
  },
};

/** What {@link runInteractive} resolves to: the job's answer, or an `internal` failure's message. */
export type InteractiveOutcome<T> = Answer<T> | { readonly internal: string };

async function runOne<T>(
  pool: Pool,
  kind: string,
  data: unknown,
  signal?: AbortSignal,
): Promise<InteractiveOutcome<T>> {
  const [o] = await pool.run<Answer<T>>([{ kind, data }], { signal });
  return o.ok ? o.value : { internal: o.error.message };
}

/**
 * Runs `spec` on a pool worker and, unless `save` is false, records it in the run registry from the
 * host (the single writer): what `backtestFromStore` does, off the host's thread.
 */
export async function backtestOnPool(
  store: Store,
  pool: Pool,
  spec: BacktestSpec,
  opts: { save?: boolean; signal?: AbortSignal } = {},
): Promise<InteractiveOutcome<BacktestColumns>> {
  const createdAt = Date.now();
  const r = await runOne<BacktestRunAnswer>(
    pool,
    BACKTEST_RUN_JOB,
    { spec, runId: newRunId(createdAt) } satisfies BacktestRunData,
    opts.signal,
  );
  if (!('value' in r)) return r;
  const { output, audit, fingerprint } = r.value;
  if (opts.save !== false)
    saveBacktestRun(store, { result: output, fingerprint, audit, createdAt, finishedAt: Date.now() });
  return { value: output };
}

/** Monte Carlo of a stored run (`runId`) or of `spec` run first, on a pool worker. */
export function monteCarloOnPool(
  pool: Pool,
  data: MonteCarloData,
  signal?: AbortSignal,
): Promise<InteractiveOutcome<MonteCarloView>> {
  return runOne<MonteCarloView>(pool, MONTECARLO_JOB, data, signal);
}
