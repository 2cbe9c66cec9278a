import { Cron } from 'croner';
import { fail, ok, type Result } from '../model/result';
import type { Store } from '../store/sqlite-bar-store';
import { getJob, upsertJob } from '../store/jobs';

export { getJob, jobHistory, listJobs, removeJob } from '../store/jobs';

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

/** Adds (or, with the same name, replaces the schedule and command of) a job. */
export function addJob(store: Store, input: JobInput, now = Date.now()): Result<Job> {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(input.name))
    return fail('invalid-input', `job name "${input.name}": use letters, digits, _ . - (at most 64)`);
  const s = checkSchedule(input.cron, input.timezone);
  if (!s.ok) return s;
  if (input.command.length === 0) return fail('invalid-input', 'the job needs a command after --');
  upsertJob(store, input, now);
  return ok(getJob(store, input.name)!);
}
