import type { JobOutcome, PoolJob } from './protocol';

/** Progress of one `Pool.run`, reported after each finished batch. */
export interface PoolProgress {
  /** Jobs finished (successfully or not). */
  readonly completed: number;
  /** Of which failed. */
  readonly failed: number;
  readonly total: number;
  /** Finished jobs per second since the run started (0 until the first batch finishes). */
  readonly ratePerSec: number;
  /** Estimated milliseconds until the run finishes at the current rate (NaN while the rate is 0). */
  readonly etaMs: number;
  readonly elapsedMs: number;
}

/** Options of one `Pool.run`. */
export interface RunOptions {
  /** Called after each finished batch (never more than once per batch). */
  readonly onProgress?: (p: PoolProgress) => void;
  /** Aborting stops every worker promptly; `run` then rejects with {@link CancelledError}. */
  readonly signal?: AbortSignal;
  /** Run on at most this many of the pool's workers (default: all); backends without local workers ignore it. */
  readonly maxWorkers?: number;
}

/**
 * The simulation pool: runs serialisable jobs on workers and returns one outcome per job, in the
 * jobs' order, exactly once each. Backends: worker_threads (`ThreadPool`), Electron utility
 * processes (`electron/main/utility-pool.ts`), BullMQ on Redis (`BullPool`).
 */
export interface Pool {
  /** How many jobs can run at the same time (workers × their concurrency; an estimate for a cluster). */
  readonly size: number;
  run<R = unknown>(jobs: readonly PoolJob[], options?: RunOptions): Promise<JobOutcome<R>[]>;
  /** Stops the workers and frees their resources; the pool must not be used after. */
  close(): Promise<void>;
}

/** Thrown by `Pool.run` when its signal is aborted. */
export class CancelledError extends Error {
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** Builds a progress record from counts and the start time (`Date.now()` based). */
export function progressOf(
  completed: number,
  failed: number,
  total: number,
  startedAt: number,
  now = Date.now(),
): PoolProgress {
  const elapsedMs = Math.max(0, now - startedAt);
  const ratePerSec = elapsedMs > 0 ? (completed * 1000) / elapsedMs : 0;
  const etaMs = ratePerSec > 0 ? ((total - completed) / ratePerSec) * 1000 : completed >= total ? 0 : Number.NaN;
  return { completed, failed, total, ratePerSec, etaMs, elapsedMs };
}

/** Splits `n` jobs into batches: about 16 batches per worker slot (smooth progress and balance), 1..maxBatch jobs each. */
export function batchSizeFor(n: number, slots: number, maxBatch = 64): number {
  return Math.max(1, Math.min(maxBatch, Math.ceil(n / Math.max(1, slots * 16))));
}
