import type { Emit } from '../api/registry';
import type { Pool } from '../pool/types';
import { POOL_IDLE_MS, SharedPool } from '../pool/shared-pool';
import { CancelledError } from '../pool/types';
import type { Store } from '../store/sqlite-bar-store';
import type { MetricsRecord } from '../backtest/types';
import { runSweep, SweepInputError, type SweepOutput } from './sweep';
import type { SweepSpec } from './sweep-spec';
import { newSweepId, saveSweep } from './sweep-registry';

/** Smallest gap between two `sweep:progressed` events of one sweep (the last one is always sent). */
const PROGRESS_EVERY_MS = 200;
/** Finished sweeps kept for `sweep:get` (oldest dropped first). */
const KEEP_FINISHED = 50;

/** Progress of a sweep (`sweep:progressed`); `etaMs` is null until a rate is known. */
export interface SweepProgress {
  readonly id: string;
  readonly completed: number;
  readonly total: number;
  readonly ratePerSec: number;
  readonly etaMs: number | null;
}

/** A sweep's state as `sweep:get` and `sweep:list` return it; `result` once it is done. */
export interface SweepState {
  readonly id: string;
  readonly status: 'running' | 'done' | 'failed' | 'cancelled';
  readonly startedAt: number;
  readonly progress: SweepProgress | null;
  readonly result: SweepOutput<MetricsRecord> | null;
  readonly error: string | null;
}

interface Entry {
  state: SweepState;
  readonly abort: AbortController;
}

/** Options of {@link OptimizeService}. */
export interface OptimizeServiceOptions {
  /** Workers of the host's one pool, and the most a call may ask for (default: the host's cores). */
  readonly size: number;
  /** Stop idle workers after this long (ms); default {@link POOL_IDLE_MS}. */
  readonly idleMs?: number;
}

/**
 * Owns the simulation pools of a host and the sweeps started through the API: their state, progress
 * events and cancellation. One shared pool of `size` workers (the cores) runs sweeps, walk-forward and
 * the Monte Carlo backtests, one run after another; a call asking for fewer workers uses that many of
 * them. A second pool of one worker runs the interactive calls (`backtest:run`, `montecarlo:run`), so
 * they never wait behind a long sweep and never run on the host's thread. Both start on first use
 * and stop when idle, so a host that never optimises runs no workers.
 */
export class OptimizeService {
  readonly #store: Store;
  readonly #emit: Emit;
  readonly #shared: SharedPool;
  readonly #interactive: SharedPool;
  readonly #sweeps = new Map<string, Entry>();

  constructor(store: Store, emit: Emit, createPool: (workers?: number) => Pool, options: OptimizeServiceOptions) {
    this.#store = store;
    this.#emit = emit;
    this.#shared = new SharedPool((n) => createPool(n), options.size, options.idleMs);
    this.#interactive = new SharedPool(() => createPool(1), 1, options.idleMs);
  }

  /** The most workers a call may ask for (the shared pool's size). */
  get maxWorkers(): number {
    return this.#shared.size;
  }

  /**
   * The host's shared pool, limited to `workers` of its workers (default all).
   * @throws RangeError for `workers` above {@link maxWorkers}.
   */
  pool(workers?: number): Pool {
    return this.#shared.view(workers);
  }

  /** The one-worker pool for interactive calls (a single backtest, a Monte Carlo). */
  interactivePool(): Pool {
    return this.#interactive.view();
  }

  /** Whether the shared pool's workers are up (tests: closed when idle). */
  get isPoolOpen(): boolean {
    return this.#shared.isOpen;
  }

  /** Starts a sweep in the background and returns its id (also its run-registry id); `sweep:progressed` and `sweep:finished` follow. */
  startSweep(sweep: SweepSpec, workers?: number): string {
    const id = newSweepId();
    const abort = new AbortController();
    const entry: Entry = {
      abort,
      state: { id, status: 'running', startedAt: Date.now(), progress: null, result: null, error: null },
    };
    this.#sweeps.set(id, entry);
    let lastSent = 0;
    const onProgress = (p: { completed: number; total: number; ratePerSec: number; etaMs: number }) => {
      const view: SweepProgress = {
        id,
        completed: p.completed,
        total: p.total,
        ratePerSec: p.ratePerSec,
        etaMs: Number.isFinite(p.etaMs) ? p.etaMs : null,
      };
      entry.state = { ...entry.state, progress: view };
      const now = Date.now();
      if (now - lastSent >= PROGRESS_EVERY_MS || p.completed === p.total) {
        lastSent = now;
        this.#emit('sweep:progressed', view);
      }
    };
    void runSweep(this.#store, sweep, this.pool(workers), { onProgress, signal: abort.signal }).then(
      (out) => {
        // Recorded in the run registry like `quantdesk sweep`, under the same id.
        try {
          saveSweep(this.#store, id, sweep, out, entry.state.startedAt);
        } catch (e) {
          this.#finish(entry, 'failed', out, `finished, but not recorded: ${(e as Error).message}`);
          return;
        }
        this.#finish(entry, 'done', out, null);
      },
      (e: unknown) => {
        if (e instanceof CancelledError) this.#finish(entry, 'cancelled', null, 'cancelled');
        else
          this.#finish(
            entry,
            'failed',
            null,
            e instanceof SweepInputError ? e.errors.join('; ') : (e as Error).message,
          );
      },
    );
    return id;
  }

  /** Cancels a running sweep; false when it is unknown or already finished. */
  cancel(id: string): boolean {
    const e = this.#sweeps.get(id);
    if (!e || e.state.status !== 'running') return false;
    e.abort.abort();
    return true;
  }

  /** The state of a sweep, or undefined. */
  get(id: string): SweepState | undefined {
    return this.#sweeps.get(id)?.state;
  }

  /** Every known sweep, newest first. */
  list(): SweepState[] {
    return [...this.#sweeps.values()].map((e) => e.state).reverse();
  }

  /** Cancels running sweeps and stops the pool. */
  async dispose(): Promise<void> {
    for (const e of this.#sweeps.values()) e.abort.abort();
    await this.#shared.close();
    await this.#interactive.close();
  }

  #finish(
    entry: Entry,
    status: SweepState['status'],
    result: SweepOutput<MetricsRecord> | null,
    error: string | null,
  ): void {
    entry.state = { ...entry.state, status, result, error };
    this.#emit('sweep:finished', { id: entry.state.id, status, error });
    const done = [...this.#sweeps.values()].filter((e) => e.state.status !== 'running');
    for (const old of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) this.#sweeps.delete(old.state.id);
  }
}
