import type { Job, JobInput, JobRun } from '../scheduler/jobs';
import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** Inserts a job, or replaces the schedule and command of the job with the same name (and enables it). Input is validated by the caller. */
export function upsertJob(store: Store, input: JobInput, now: number): void {
  connection(store)
    .prepare(
      `INSERT INTO jobs(name, cron, timezone, command, max_retries, backoff_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, command = excluded.command,
         max_retries = excluded.max_retries, backoff_ms = excluded.backoff_ms, enabled = 1`,
    )
    .run(
      input.name,
      input.cron,
      input.timezone,
      JSON.stringify(input.command),
      input.maxRetries ?? 3,
      input.backoffMs ?? 60_000,
      now,
    );
}

interface JobRow {
  id: number;
  name: string;
  cron: string;
  timezone: string;
  command: string;
  max_retries: number;
  backoff_ms: number;
  enabled: number;
  created_at: number;
  last_slot_at: number | null;
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    name: r.name,
    cron: r.cron,
    timezone: r.timezone,
    command: JSON.parse(r.command) as string[],
    maxRetries: r.max_retries,
    backoffMs: r.backoff_ms,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    lastSlotAt: r.last_slot_at,
  };
}

/** The job named `name`, or undefined. */
export function getJob(store: Store, name: string): Job | undefined {
  const r = connection(store).prepare('SELECT * FROM jobs WHERE name = ?').get(name) as JobRow | undefined;
  return r && toJob(r);
}

/** Every job, by name. */
export function listJobs(store: Store): Job[] {
  return (connection(store).prepare('SELECT * FROM jobs ORDER BY name').all() as JobRow[]).map(toJob);
}

/** Removes a job and its history; false when there was none. */
export function removeJob(store: Store, name: string): boolean {
  return connection(store).transaction(() => {
    const job = getJob(store, name);
    if (!job) return false;
    connection(store).prepare('DELETE FROM job_runs WHERE job_id = ?').run(job.id);
    connection(store).prepare('DELETE FROM jobs WHERE id = ?').run(job.id);
    return true;
  })();
}

/** Run history, newest first (all jobs, or one), at most `limit` rows. */
export function jobHistory(
  store: Store,
  options: { job?: string; limit?: number; status?: JobRun['status'] } = {},
): JobRun[] {
  return connection(store)
    .prepare(
      `SELECT r.id, j.name AS job, r.slot_at AS slotAt, r.attempt, r.trigger, r.started_at AS startedAt, r.ended_at AS endedAt,
         r.status, r.rows_changed AS rowsChanged, r.error, r.pid
       FROM job_runs r JOIN jobs j ON j.id = r.job_id
       WHERE (? IS NULL OR j.name = ?) AND (? IS NULL OR r.status = ?)
       ORDER BY r.started_at DESC, r.id DESC LIMIT ?`,
    )
    .all(
      options.job ?? null,
      options.job ?? null,
      options.status ?? null,
      options.status ?? null,
      options.limit ?? 50,
    ) as JobRun[];
}

/** True while a run of job `jobId` is recorded as running (by any process). */
export function hasRunningRun(store: Store, jobId: number): boolean {
  return (
    connection(store).prepare("SELECT 1 FROM job_runs WHERE job_id = ? AND status = 'running'").get(jobId) !== undefined
  );
}

/** Every run recorded as running, with the process and host that started it. */
export function runningRuns(store: Store): { id: number; pid: number; host: string }[] {
  return connection(store).prepare("SELECT id, pid, host FROM job_runs WHERE status = 'running'").all() as {
    id: number;
    pid: number;
    host: string;
  }[];
}

/** Marks a running run `abandoned` with `error` (its process died); a run that already ended is left alone. */
export function abandonRun(store: Store, runId: number, endedAt: number, error: string): void {
  connection(store)
    .prepare("UPDATE job_runs SET status = 'abandoned', ended_at = ?, error = ? WHERE id = ? AND status = 'running'")
    .run(endedAt, error, runId);
}

/** The latest run of job `jobId`, for the retry decision, or undefined. */
export function lastRunOf(
  store: Store,
  jobId: number,
):
  | { slotAt: number | null; attempt: number; status: JobRun['status']; endedAt: number; trigger: JobRun['trigger'] }
  | undefined {
  return connection(store)
    .prepare(
      'SELECT slot_at AS slotAt, attempt, status, ended_at AS endedAt, trigger FROM job_runs WHERE job_id = ? ORDER BY id DESC LIMIT 1',
    )
    .get(jobId) as
    | { slotAt: number | null; attempt: number; status: JobRun['status']; endedAt: number; trigger: JobRun['trigger'] }
    | undefined;
}

/**
 * Starts a run in one transaction: advances the job's last slot (never backwards) and inserts a `running` row.
 * Returns the run's id.
 */
export function beginRun(
  store: Store,
  job: Job,
  run: {
    slotAt: number | null;
    attempt: number;
    trigger: JobRun['trigger'];
    startedAt: number;
    pid: number;
    host: string;
  },
): number {
  const db = connection(store);
  return db.transaction(() => {
    if (run.slotAt !== null)
      db.prepare('UPDATE jobs SET last_slot_at = ? WHERE id = ? AND (last_slot_at IS NULL OR last_slot_at < ?)').run(
        run.slotAt,
        job.id,
        run.slotAt,
      );
    const info = db
      .prepare(
        "INSERT INTO job_runs(job_id, slot_at, attempt, trigger, started_at, status, pid, host) VALUES (?, ?, ?, ?, ?, 'running', ?, ?)",
      )
      .run(job.id, run.slotAt, run.attempt, run.trigger, run.startedAt, run.pid, run.host);
    return Number(info.lastInsertRowid);
  })();
}

/** Records how a run ended. */
export function endRun(
  store: Store,
  runId: number,
  status: JobRun['status'],
  endedAt: number,
  rowsChanged: number | null,
  error: string | null,
): void {
  connection(store)
    .prepare('UPDATE job_runs SET status = ?, ended_at = ?, rows_changed = ?, error = ? WHERE id = ?')
    .run(status, endedAt, rowsChanged, error, runId);
}

/** One run by id. */
export function getRun(store: Store, runId: number): JobRun {
  return connection(store)
    .prepare(
      `SELECT r.id, j.name AS job, r.slot_at AS slotAt, r.attempt, r.trigger, r.started_at AS startedAt, r.ended_at AS endedAt,
         r.status, r.rows_changed AS rowsChanged, r.error, r.pid FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE r.id = ?`,
    )
    .get(runId) as JobRun;
}
