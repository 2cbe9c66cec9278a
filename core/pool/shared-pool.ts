import type { JobOutcome, PoolJob } from './protocol';
import type { Pool, RunOptions } from './types';

/** How long a shared pool stays up with no run before its workers are stopped (ms). */
export const POOL_IDLE_MS = 60_000;

/**
 * One simulation pool per host, shared by every call: created on first use with the host's size (its
 * cores), reused by every later run, and closed after {@link POOL_IDLE_MS} without a run (the next
 * run creates it again). A call that asks for fewer workers gets a {@link view} limited to them
 * (`RunOptions.maxWorkers`), never a pool of its own, so no sequence of calls can pile up threads.
 */
export class SharedPool {
  /** The most workers a run may use: the size the pool is created with. */
  readonly size: number;
  readonly #create: (size: number) => Pool;
  readonly #idleMs: number;
  #pool: Pool | null = null;
  #active = 0;
  #idleTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(create: (size: number) => Pool, size: number, idleMs = POOL_IDLE_MS) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`pool size must be a positive integer, got ${size}`);
    this.size = size;
    this.#create = create;
    this.#idleMs = idleMs;
  }

  /** Whether the pool's workers are up (created and not yet closed for idleness). */
  get isOpen(): boolean {
    return this.#pool !== null;
  }

  /**
   * A `Pool` running on this shared pool with at most `workers` of its workers (default all). Its
   * `close` does nothing: the shared pool closes itself when idle, and for good in {@link close}.
   * @throws RangeError when `workers` is above {@link size}.
   */
  view(workers?: number): Pool {
    if (workers !== undefined && (!Number.isInteger(workers) || workers < 1 || workers > this.size)) {
      throw new RangeError(`workers: expected an integer from 1 to ${this.size} (this host's cores), got ${workers}`);
    }
    const limit = workers ?? this.size;
    return {
      size: limit,
      run: <R>(jobs: readonly PoolJob[], options: RunOptions = {}) =>
        this.#run<R>(jobs, { ...options, maxWorkers: limit }),
      close: async () => undefined,
    };
  }

  /** Stops the workers for good (host shutdown); later runs reject. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    const pool = this.#pool;
    this.#pool = null;
    await this.#closing;
    await pool?.close();
  }

  async #run<R>(jobs: readonly PoolJob[], options: RunOptions): Promise<JobOutcome<R>[]> {
    if (this.#closed) throw new Error('pool is closed');
    clearTimeout(this.#idleTimer);
    this.#active++;
    try {
      // An idle close may still be stopping the old workers: let it finish before new ones start.
      await this.#closing;
      this.#pool ??= this.#create(this.size);
      return await this.#pool.run<R>(jobs, options);
    } finally {
      if (--this.#active === 0 && !this.#closed) {
        this.#idleTimer = setTimeout(() => this.#closeIdle(), this.#idleMs);
        this.#idleTimer.unref();
      }
    }
  }

  #closeIdle(): void {
    if (this.#active > 0 || !this.#pool) return;
    const pool = this.#pool;
    this.#pool = null;
    this.#closing = pool.close().catch(() => undefined);
  }
}
