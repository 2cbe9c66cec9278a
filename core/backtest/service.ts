import type { EventChannel, Events } from '../contract';
import type { Store } from '../store/sqlite-bar-store';
import type { Pool } from '../pool/types';
import { CancelledError } from '../pool/types';
import { newRunId } from './registry';
import { withBenchmark } from './result-view';
import { backtestFromStoreAsync } from './run';
import { runUserBacktest, userSourceOf } from './user-run';
import type { BacktestSpec } from './spec';
import { BacktestCancelledError, BacktestInputError } from './types';

type Emit = <E extends EventChannel>(channel: E, payload: Events[E]) => void;

/**
 * Background backtests of a host (`backtest:start` / `backtest:cancel`): each runs in the host's
 * event loop through `runBacktestAsync` (yielding every ~1024 bars), emits `backtest:progressed`,
 * is stored in the run registry under the id `start` returned, and ends with `backtest:finished`.
 */
export class BacktestService {
  readonly #store: Store;
  readonly #emit: Emit;
  readonly #running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  readonly #pool: (() => Pool) | null;

  /** `pool`: where user strategies run (never the host's thread); without one they run in the host, time-limited. */
  constructor(store: Store, emit: Emit, pool?: () => Pool) {
    this.#store = store;
    this.#emit = emit;
    this.#pool = pool ?? null;
  }

  /**
   * Runs `spec` to its stored output: a user strategy on the pool (its source travels with the job),
   * a built-in in the host yielding to the event loop. The quick path (`backtest:run`) and `start` share it.
   */
  async run(
    spec: BacktestSpec,
    opts: { runId?: string; save?: boolean; signal?: AbortSignal; onProgress?: (f: number) => void } = {},
  ) {
    const source = this.#pool ? userSourceOf(this.#store, spec) : undefined;
    if (source && this.#pool) {
      try {
        return await runUserBacktest(this.#store, this.#pool(), spec, source, {
          runId: opts.runId ?? newRunId(),
          save: opts.save,
          signal: opts.signal,
        });
      } catch (e) {
        if (e instanceof CancelledError) throw new BacktestCancelledError();
        throw e;
      }
    }
    return (await backtestFromStoreAsync(this.#store, spec, opts)).columns;
  }

  /** Starts `spec` (already validated); returns its run id at once. */
  start(spec: BacktestSpec): string {
    const runId = newRunId();
    const abort = new AbortController();
    const done = (async () => {
      // Let the caller receive the id before the first progress event.
      await new Promise<void>((resolve) => setImmediate(resolve));
      try {
        const result = await this.run(spec, {
          runId,
          signal: abort.signal,
          onProgress: (fraction) => this.#emit('backtest:progressed', { runId, fraction }),
        });
        // The columns and the benchmark ride on the event: the view opens the run without asking again.
        this.#emit('backtest:finished', {
          runId,
          status: 'finished',
          error: null,
          result: withBenchmark(this.#store, result),
        });
      } catch (e) {
        const cancelled = e instanceof BacktestCancelledError;
        const error = cancelled ? null : e instanceof BacktestInputError ? e.errors.join('; ') : (e as Error).message;
        this.#emit('backtest:finished', { runId, status: cancelled ? 'cancelled' : 'failed', error });
      } finally {
        this.#running.delete(runId);
      }
    })();
    this.#running.set(runId, { abort, done });
    return runId;
  }

  /** Cancels a running backtest; false when it is not running (finished, failed or unknown). */
  cancel(runId: string): boolean {
    const job = this.#running.get(runId);
    if (!job) return false;
    job.abort.abort();
    return true;
  }

  /** Resolves when run `runId` has ended (immediately if it is not running). */
  async settled(runId: string): Promise<void> {
    await this.#running.get(runId)?.done;
  }

  /** Cancels every running backtest and waits for them to end. */
  async dispose(): Promise<void> {
    for (const job of this.#running.values()) job.abort.abort();
    await Promise.all([...this.#running.values()].map((j) => j.done));
  }
}
