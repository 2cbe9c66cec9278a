import { hostname } from 'node:os';
import type { Store } from '../store/sqlite-bar-store';
import { cronOf, getJob, listJobs, type Job, type JobRun } from './jobs';
import { abandonRun, beginRun, endRun, getRun, hasRunningRun, lastRunOf, runningRuns } from '../store/jobs';

/** What running a job's command returns: the rows it changed. Throw (or reject) to fail the run. */
export type JobRunner = (job: Job, signal: AbortSignal) => Promise<{ readonly rowsChanged: number }>;

/** Options for {@link Scheduler}. */
export interface SchedulerOptions {
  readonly run: JobRunner;
  readonly now?: () => number;
  /** Called after each run ends (for alerts, metrics, the UI). */
  readonly onRunEnded?: (run: JobRun) => void;
  /** Longest sleep between two looks at the jobs table (jobs added by another process appear then). */
  readonly maxSleepMs?: number;
  /** Is the process `pid` on this host alive? (default: `process.kill(pid, 0)`). */
  readonly isAlive?: (pid: number) => boolean;
}

/** A decision for one job at one instant. */
interface Due {
  readonly job: Job;
  readonly trigger: JobRun['trigger'];
  readonly slotAt: number | null;
  readonly attempt: number;
}

function defaultIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs stored jobs on their cron schedules (each in its own IANA time zone).
 *
 * - **Catch-up**: slots missed while the laptop slept or the app was closed run once, at the next
 *   look (start-up or wake), not once per missed slot; the run records the latest missed slot.
 * - **Overlap**: a job never runs twice at once, in this process (in-memory set) or across processes
 *   (a `running` row whose process is alive on this host is left alone).
 * - **Retries**: a failed run is retried after `backoffMs × 2^(attempt−1)`, up to `maxRetries` times.
 * - **kill -9**: a `running` row whose process is gone is marked `abandoned` and retried at once. The
 *   job's own work is atomic (a fetch imports in transactions), so the retry starts from clean data.
 */
export class Scheduler {
  readonly #store: Store;
  readonly #opts: SchedulerOptions;
  readonly #now: () => number;
  readonly #running = new Map<number, Promise<void>>();
  readonly #host = hostname();
  #timer: NodeJS.Timeout | undefined;
  #stopped = true;
  readonly #abort = new AbortController();
  readonly #ownRuns = new Set<number>();

  constructor(store: Store, options: SchedulerOptions) {
    this.#store = store;
    this.#opts = options;
    this.#now = options.now ?? Date.now;
  }

  /** Jobs currently running in this process. */
  get active(): number {
    return this.#running.size;
  }

  /** Starts the loop: one look now (catch-up), then at each next due time (or every `maxSleepMs`). */
  start(): void {
    this.#stopped = false;
    this.#loop();
  }

  /** Looks now (after the machine wakes from sleep: timers fired late or not at all), then resumes the loop. */
  wake(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#loop();
  }

  /** Stops looking, aborts running jobs and waits for them to record their end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    await Promise.allSettled([...this.#running.values()]);
  }

  #loop(): void {
    if (this.#stopped) return;
    this.tick();
    const wait = Math.max(50, Math.min(this.#opts.maxSleepMs ?? 30_000, this.nextWakeAt() - this.#now()));
    this.#timer = setTimeout(() => this.#loop(), wait);
  }

  /** One look at every job: starts what is due, returns the runs started (their promises settle when they end). */
  tick(): Promise<void>[] {
    this.#reapDead();
    const started: Promise<void>[] = [];
    for (const job of listJobs(this.#store)) {
      const due = this.#due(job);
      if (due) started.push(this.#start(due));
    }
    return started;
  }

  /** Runs `name` now (trigger `manual`), unless it is already running; resolves with the finished run. */
  async runNow(name: string): Promise<JobRun | { readonly busy: true }> {
    this.#reapDead();
    const job = getJob(this.#store, name);
    if (!job) throw new Error(`no job named "${name}"`);
    if (this.#busy(job)) return { busy: true };
    let id = 0;
    await this.#start({ job, trigger: 'manual', slotAt: null, attempt: 1 }, (runId) => (id = runId));
    return this.#runRow(id);
  }

  /** When the next slot or retry of any job is due (EpochMs; Infinity when none). */
  nextWakeAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const job of listJobs(this.#store)) {
      if (!job.enabled) continue;
      const slot = cronOf(job).nextRun(new Date(Math.max(job.lastSlotAt ?? job.createdAt, this.#now())));
      if (slot) next = Math.min(next, slot.getTime());
      const retry = this.#retryDue(job);
      if (retry) next = Math.min(next, retry.at);
    }
    return next;
  }

  #busy(job: Job): boolean {
    if (this.#running.has(job.id)) return true;
    return hasRunningRun(this.#store, job.id);
  }

  /** Marks `running` rows of dead processes on this host as `abandoned` (their transaction never committed). */
  #reapDead(): void {
    const isAlive = this.#opts.isAlive ?? defaultIsAlive;
    const rows = runningRuns(this.#store);
    for (const r of rows) {
      if (r.host !== this.#host) continue; // another machine's run: its own scheduler judges it
      if (this.#ownRuns.has(r.id) || isAlive(r.pid)) continue;
      abandonRun(
        this.#store,
        r.id,
        this.#now(),
        `process ${r.pid} ended during the run (killed or crashed); nothing it was importing was committed`,
      );
    }
  }

  #retryDue(job: Job): { at: number; slotAt: number | null; attempt: number } | null {
    const last = lastRunOf(this.#store, job.id);
    if (!last || (last.status !== 'failed' && last.status !== 'abandoned') || last.trigger === 'manual') return null;
    if (last.attempt > job.maxRetries) return null;
    // A run that died with its process retries at once; a run that failed waits out its backoff.
    const at = last.status === 'abandoned' ? last.endedAt : last.endedAt + job.backoffMs * 2 ** (last.attempt - 1);
    return { at, slotAt: last.slotAt, attempt: last.attempt + 1 };
  }

  #due(job: Job): Due | null {
    if (!job.enabled || this.#busy(job)) return null;
    const now = this.#now();
    const cron = cronOf(job);
    const from = job.lastSlotAt ?? job.createdAt;
    const next = cron.nextRun(new Date(from));
    if (next && next.getTime() <= now) {
      // Catch-up: many missed slots, one run, recorded against the latest of them.
      const latest = cron.previousRuns(1, new Date(now + 1))[0]?.getTime() ?? next.getTime();
      const slotAt = Math.max(latest, next.getTime());
      const trigger = now - slotAt > 60_000 || slotAt !== next.getTime() ? 'catch-up' : 'schedule';
      return { job, trigger, slotAt, attempt: 1 };
    }
    const retry = this.#retryDue(job);
    if (retry && retry.at <= now) return { job, trigger: 'retry', slotAt: retry.slotAt, attempt: retry.attempt };
    return null;
  }

  #start(due: Due, onId?: (id: number) => void): Promise<void> {
    const { job } = due;
    const runId = beginRun(this.#store, job, {
      slotAt: due.slotAt,
      attempt: due.attempt,
      trigger: due.trigger,
      startedAt: this.#now(),
      pid: process.pid,
      host: this.#host,
    });
    onId?.(runId);
    this.#ownRuns.add(runId);
    const p = (async () => {
      let status: JobRun['status'] = 'ok';
      let rows: number | null = null;
      let error: string | null = null;
      try {
        rows = (await this.#opts.run(job, this.#abort.signal)).rowsChanged;
      } catch (e) {
        status = 'failed';
        error = (e as Error).message ?? String(e);
      }
      endRun(this.#store, runId, status, this.#now(), rows, error);
      this.#running.delete(job.id);
      this.#ownRuns.delete(runId);
      this.#opts.onRunEnded?.(this.#runRow(runId));
    })();
    this.#running.set(job.id, p);
    return p;
  }

  #runRow(id: number): JobRun {
    return getRun(this.#store, id);
  }
}
