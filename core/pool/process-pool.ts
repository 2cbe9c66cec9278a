import { fail, type AppError } from '../model/result';
import type { FromWorker, JobOutcome, PoolJob, ToWorker } from './protocol';
import { batchSizeFor, CancelledError, progressOf, type Pool, type RunOptions } from './types';
import { poolUtilisation } from '../metrics/registry';

/** A live worker as the pool sees it: a thread, a utility process, or a test double. */
export interface WorkerHandle {
  post(msg: ToWorker): void;
  /** Stops the worker now (terminate / kill); its `exit` event still fires. */
  kill(): void;
  /** Whether the worker keeps the host process alive: on during a run, off when idle (so a CLI can exit). */
  keepAlive?(on: boolean): void;
}

/** Callbacks a spawned worker reports to. `exit` fires once, when the worker is gone for any reason. */
export interface WorkerEvents {
  message(msg: FromWorker): void;
  exit(reason: string): void;
}

/** Starts worker number `id`; the backend wires its transport to `events`. */
export type SpawnWorker = (id: number, events: WorkerEvents) => WorkerHandle;

/** Options of {@link MessagePool}. */
export interface MessagePoolOptions {
  /** Number of workers. */
  readonly size: number;
  /** The store each worker opens read-only (null: workers have no store). */
  readonly dbPath: string | null;
  /** Largest number of jobs per message (default 64); smaller batches give finer progress. */
  readonly maxBatch?: number;
  /** Consecutive failed spawns (exit before `ready`) after which a run gives up; default 3. */
  readonly maxSpawnFailures?: number;
}

interface Slot {
  readonly id: number;
  handle: WorkerHandle;
  ready: boolean;
  /** The tasks sent and not answered, oldest first: the one running, and at most one queued behind it (see {@link PREFETCH_BELOW_MS}). */
  readonly tasks: Task[];
  /** When the worker last answered or was first sent work (ms): a batch's service time runs from here. */
  busySince: number;
}

/**
 * Batches that take less than this on average (ms) are sent two at a time, so a worker starts the
 * next one while the main thread handles the last result: on short jobs that round trip is a
 * visible share of the run. Longer batches are sent one at a time, so the last ones go to whichever
 * worker is free first.
 */
const PREFETCH_BELOW_MS = 50;

interface Task {
  readonly batchId: number;
  readonly indices: readonly number[];
  /** 0 on first try; a task retried after a crash runs one job per task with attempt 1. */
  readonly attempt: number;
}

interface RunState {
  readonly jobs: readonly PoolJob[];
  readonly outcomes: (JobOutcome | undefined)[];
  readonly queue: Task[];
  completed: number;
  failed: number;
  /** Batches answered and their summed service time (ms), for {@link PREFETCH_BELOW_MS}. */
  batchesDone: number;
  batchMs: number;
  readonly startedAt: number;
  readonly options: RunOptions;
  /** Workers this run uses: the first `limit` slots (see `RunOptions.maxWorkers`). */
  readonly limit: number;
  resolve(v: JobOutcome[]): void;
  reject(e: unknown): void;
}

/**
 * The scheduling shared by the worker_threads and the utility-process backends: batches jobs,
 * keeps every worker busy, replaces a worker that dies and retries each job of its batch once
 * (one job per retry, so one poisonous job cannot fail its neighbours), reports progress, and
 * cancels by killing the workers (new ones are spawned for the next run). Workers live across
 * runs, so their panel caches stay warm. Runs are serialised: a second `run` waits for the first.
 */
export class MessagePool implements Pool {
  readonly size: number;
  readonly #spawn: SpawnWorker;
  readonly #options: MessagePoolOptions;
  readonly #slots: Slot[] = [];
  #nextId = 0;
  #nextBatch = 0;
  #run: RunState | null = null;
  #tail: Promise<unknown> = Promise.resolve();
  #spawnFailures = 0;
  #closed = false;

  constructor(spawn: SpawnWorker, options: MessagePoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1)
      throw new Error(`pool size must be a positive integer, got ${options.size}`);
    this.size = options.size;
    this.#spawn = spawn;
    this.#options = options;
  }

  /** Runs `jobs` and resolves with one outcome per job, in order; rejects with `CancelledError` on abort. */
  run<R = unknown>(jobs: readonly PoolJob[], options: RunOptions = {}): Promise<JobOutcome<R>[]> {
    const next = this.#tail.then(() => this.#start(jobs, options));
    this.#tail = next.catch(() => undefined);
    return next as Promise<JobOutcome<R>[]>;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const slot of this.#slots.splice(0)) slot.handle.kill();
  }

  #start(jobs: readonly PoolJob[], options: RunOptions): Promise<JobOutcome[]> {
    if (this.#closed) return Promise.reject(new Error('pool is closed'));
    if (options.signal?.aborted) return Promise.reject(new CancelledError());
    if (jobs.length === 0) return Promise.resolve([]);
    return new Promise<JobOutcome[]>((resolve, reject) => {
      const limit = Math.max(1, Math.min(this.size, options.maxWorkers ?? this.size));
      const size = batchSizeFor(jobs.length, limit, this.#options.maxBatch);
      const queue: Task[] = [];
      for (let i = 0; i < jobs.length; i += size) {
        const indices: number[] = [];
        for (let j = i; j < Math.min(jobs.length, i + size); j++) indices.push(j);
        queue.push({ batchId: this.#nextBatch++, indices, attempt: 0 });
      }
      const state: RunState = {
        jobs,
        outcomes: new Array(jobs.length),
        queue,
        completed: 0,
        failed: 0,
        batchesDone: 0,
        batchMs: 0,
        startedAt: Date.now(),
        options,
        limit,
        resolve,
        reject,
      };
      this.#run = state;
      const onAbort = () => this.#finish(state, new CancelledError(), true);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const cleanup = () => options.signal?.removeEventListener('abort', onAbort);
      state.resolve = (v) => (cleanup(), resolve(v));
      state.reject = (e) => (cleanup(), reject(e));
      while (this.#slots.length < limit) this.#slots.push(this.#newSlot());
      for (const slot of this.#slots.slice(0, limit)) {
        slot.handle.keepAlive?.(true);
        this.#dispatch(slot);
      }
    });
  }

  #newSlot(): Slot {
    const id = this.#nextId++;
    const slot: Slot = { id, handle: undefined as unknown as WorkerHandle, ready: false, tasks: [], busySince: 0 };
    slot.handle = this.#spawn(id, {
      message: (msg) => this.#onMessage(slot, msg),
      exit: (reason) => this.#onExit(slot, reason),
    });
    slot.handle.post({ type: 'init', dbPath: this.#options.dbPath, workerId: id });
    slot.handle.keepAlive?.(this.#run !== null);
    return slot;
  }

  #dispatch(slot: Slot): void {
    const state = this.#run;
    if (!state || !slot.ready) return;
    if (this.#slots.indexOf(slot) >= state.limit) return;
    // A second batch goes out only once batches are known to be short (and never to a retry).
    const short = state.batchesDone > 0 && state.batchMs / state.batchesDone < PREFETCH_BELOW_MS;
    const depth = short ? 2 : 1;
    while (slot.tasks.length < depth && state.queue.length > 0) {
      if (slot.tasks.length > 0 && state.queue[0].attempt > 0) break;
      const task = state.queue.shift()!;
      if (slot.tasks.length === 0) slot.busySince = Date.now();
      slot.tasks.push(task);
      slot.handle.post({ type: 'batch', batchId: task.batchId, jobs: task.indices.map((i) => state.jobs[i]) });
    }
    this.#gauge();
  }

  /** /metrics: the share of this pool's workers holding a batch (the last pool to change sets it). */
  #gauge(): void {
    poolUtilisation.set(this.size > 0 ? this.#slots.filter((x) => x.tasks.length > 0).length / this.size : 0);
  }

  #onMessage(slot: Slot, msg: FromWorker): void {
    if (!this.#slots.includes(slot)) return;
    if (msg.type === 'ready') {
      slot.ready = true;
      this.#spawnFailures = 0;
      this.#dispatch(slot);
      return;
    }
    const state = this.#run;
    if (msg.type === 'fatal') {
      if (state) this.#finish(state, toError(msg.error), true);
      return;
    }
    const task = slot.tasks[0];
    if (!state || !task || task.batchId !== msg.batchId) return;
    slot.tasks.shift();
    const now = Date.now();
    state.batchesDone++;
    state.batchMs += now - slot.busySince;
    slot.busySince = now;
    task.indices.forEach((index, k) =>
      this.#record(state, index, msg.outcomes[k] ?? fail('internal', 'worker returned no outcome')),
    );
    this.#report(state);
    if (this.#run === state) this.#dispatch(slot);
    else this.#gauge();
  }

  #onExit(slot: Slot, reason: string): void {
    const at = this.#slots.indexOf(slot);
    if (at < 0) return;
    const state = this.#run;
    const lost = slot.tasks.splice(0);
    if (!slot.ready) this.#spawnFailures++;
    if (state && lost.length > 0) {
      // Retry each job of the lost batches once, alone, at the front of the queue (in order); a job
      // already on its retry fails. A batch queued behind the crash never ran: it retries too.
      // (#dispatch never queues a retry behind another batch, so a retry is only ever the one running.)
      const retries: Task[] = [];
      let failedNow = false;
      for (const task of lost) {
        if (task.attempt === 0)
          for (const index of task.indices) retries.push({ batchId: this.#nextBatch++, indices: [index], attempt: 1 });
        else {
          for (const index of task.indices)
            this.#record(state, index, fail('internal', `worker crashed twice running job ${index}: ${reason}`));
          failedNow = true;
        }
      }
      state.queue.unshift(...retries);
      if (failedNow) this.#report(state);
    }
    if (this.#spawnFailures >= (this.#options.maxSpawnFailures ?? 3)) {
      this.#slots.splice(at, 1);
      if (state) this.#finish(state, new Error(`pool workers fail to start: ${reason}`), true);
      return;
    }
    if (this.#closed) {
      this.#slots.splice(at, 1);
      return;
    }
    const fresh = this.#newSlot();
    this.#slots[at] = fresh;
  }

  #record(state: RunState, index: number, outcome: JobOutcome): void {
    if (state.outcomes[index] !== undefined) return;
    state.outcomes[index] = outcome;
    state.completed++;
    if (!outcome.ok) state.failed++;
  }

  #report(state: RunState): void {
    if (this.#run !== state) return;
    state.options.onProgress?.(progressOf(state.completed, state.failed, state.jobs.length, state.startedAt));
    if (state.completed === state.jobs.length) this.#finish(state, null, false);
  }

  #finish(state: RunState, error: Error | null, killWorkers: boolean): void {
    if (this.#run !== state) return;
    this.#run = null;
    if (killWorkers) {
      // Killing is the only prompt stop for a worker inside a CPU-bound job; the slots are emptied
      // so their exit events are ignored, and fresh workers are spawned by the next run.
      for (const slot of this.#slots.splice(0)) slot.handle.kill();
    }
    for (const slot of this.#slots) slot.handle.keepAlive?.(false);
    if (error) state.reject(error);
    else state.resolve(state.outcomes as JobOutcome[]);
  }
}

function toError(e: AppError): Error {
  return new Error(e.message);
}
