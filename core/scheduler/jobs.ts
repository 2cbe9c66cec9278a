import { Cron } from 'croner';
import { fail, ok, type Result } from '../model/result';
import type { Store } from '../store/sqlite-bar-store';
import { connection } from '../store/internal';

/** A scheduled job as stored. `command` is a quantdesk command line without `--db` (e.g. `fetch stooq --symbols AAPL.US`). */
export interface Job {
  readonly id: number;
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly command: readonly string[];
  readonly maxRetries: number;
  readonly backoffMs: number;
  readonly enabled: boolean;
  readonly createdAt: number;
  /** The last schedule slot (EpochMs) a run was started for; null before the first. */
  readonly lastSlotAt: number | null;
}

/** One run of a job: `trigger` says why it ran; `abandoned` means its process died mid-run (kill -9, crash). */
export interface JobRun {
  readonly id: number;
  readonly job: string;
  readonly slotAt: number | null;
  readonly attempt: number;
  readonly trigger: 'schedule' | 'catch-up' | 'retry' | 'manual';
  readonly startedAt: number;
  readonly endedAt: number | null;
  readonly status: 'running' | 'ok' | 'failed' | 'abandoned';
  readonly rowsChanged: number | null;
  readonly error: string | null;
  readonly pid: number | null;
}

/** What `jobs add` takes. */
export interface JobInput {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly command: readonly string[];
  readonly maxRetries?: number;
  readonly backoffMs?: number;
}

/** A croner pattern bound to a time zone; throws on a bad pattern (use {@link checkSchedule} for a Result). */
export function cronOf(job: Pick<Job, 'cron' | 'timezone'>): Cron {
  return new Cron(job.cron, { timezone: job.timezone, paused: true });
}

/** Validates a cron expression (5 or 6 fields, croner syntax) and an IANA time zone. */
export function checkSchedule(cron: string, timezone: string): Result<void> {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    return fail('invalid-input', `--tz: "${timezone}" is not an IANA time zone (e.g. Asia/Seoul, America/New_York)`);
  }
  try {
    if (cronOf({ cron, timezone }).nextRun() === null) return fail('invalid-input', `--cron: "${cron}" never fires`);
  } catch (e) {
    return fail('invalid-input', `--cron: "${cron}": ${(e as Error).message}`);
  }
  return ok(undefined);
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

/** Adds (or, with the same name, replaces the schedule and command of) a job. */
export function addJob(store: Store, input: JobInput, now = Date.now()): Result<Job> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(input.name)) return fail('invalid-input', `job name "${input.name}": use letters, digits, _ . - (at most 64)`);
  const s = checkSchedule(input.cron, input.timezone);
  if (!s.ok) return s;
  if (input.command.length === 0) return fail('invalid-input', 'the job needs a command after --');
  connection(store)
    .prepare(
      `INSERT INTO jobs(name, cron, timezone, command, max_retries, backoff_ms, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, command = excluded.command,
         max_retries = excluded.max_retries, backoff_ms = excluded.backoff_ms, enabled = 1`,
    )
    .run(input.name, input.cron, input.timezone, JSON.stringify(input.command), input.maxRetries ?? 3, input.backoffMs ?? 60_000, now);
  return ok(getJob(store, input.name)!);
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
export function jobHistory(store: Store, options: { job?: string; limit?: number; status?: JobRun['status'] } = {}): JobRun[] {
  return connection(store)
    .prepare(
      `SELECT r.id, j.name AS job, r.slot_at AS slotAt, r.attempt, r.trigger, r.started_at AS startedAt, r.ended_at AS endedAt,
         r.status, r.rows_changed AS rowsChanged, r.error, r.pid
       FROM job_runs r JOIN jobs j ON j.id = r.job_id
       WHERE (? IS NULL OR j.name = ?) AND (? IS NULL OR r.status = ?)
       ORDER BY r.started_at DESC, r.id DESC LIMIT ?`,
    )
    .all(options.job ?? null, options.job ?? null, options.status ?? null, options.status ?? null, options.limit ?? 50) as JobRun[];
}
