import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** Webhook deliveries not yet delivered (pending or dead). */
export function outboxBacklog(store: Store): number {
  return connection(store).prepare('SELECT count(*) FROM outbox WHERE delivered_at IS NULL').pluck().get() as number;
}

/** Each scheduled job's last finished run: its status and duration in seconds. */
export function lastJobDurations(store: Store): { name: string; status: string; secs: number }[] {
  return connection(store)
    .prepare(
      `SELECT j.name, r.status, (r.ended_at - r.started_at) / 1000.0 AS secs FROM jobs j JOIN job_runs r ON r.id =
         (SELECT id FROM job_runs WHERE job_id = j.id AND ended_at IS NOT NULL ORDER BY id DESC LIMIT 1)`,
    )
    .all() as { name: string; status: string; secs: number }[];
}

/** Scheduled job runs recorded, counted by job name and status. */
export function jobRunCounts(store: Store): { name: string; status: string; n: number }[] {
  return connection(store)
    .prepare('SELECT j.name, r.status, count(*) AS n FROM job_runs r JOIN jobs j ON j.id = r.job_id GROUP BY 1, 2')
    .all() as { name: string; status: string; n: number }[];
}

/** Data-quality findings stored, counted by check name. */
export function findingCountsByCheck(store: Store): { check: string; n: number }[] {
  return connection(store).prepare('SELECT check_name AS "check", count(*) AS n FROM dq_findings GROUP BY 1').all() as {
    check: string;
    n: number;
  }[];
}

/** The raw facts behind `/health` (times in epoch ms, null when there is none). */
export interface HealthFacts {
  readonly sqliteVersion: string;
  readonly instruments: number;
  readonly lastImportAt: number | null;
  readonly jobs: number;
  readonly running: number;
  readonly failedSince: number;
  readonly lastRuns: { job: string; status: string; startedAt: number; error: string | null }[];
  readonly newsItems: number;
  readonly lastNewsAt: number | null;
  readonly backlog: number;
  readonly oldestPendingAt: number | null;
  readonly findingsSince: number;
}

/** Reads the health facts; `since` (epoch ms) bounds the failed-run and finding counts. */
export function readHealthFacts(store: Store, since: number): HealthFacts {
  const db = connection(store);
  const one = <T>(sql: string, ...p: unknown[]) =>
    db
      .prepare(sql)
      .pluck()
      .get(...p) as T;
  return {
    sqliteVersion: one<string>('SELECT sqlite_version()'),
    instruments: one<number>('SELECT count(*) FROM instruments'),
    lastImportAt: one<number | null>('SELECT max(imported_at) FROM imports'),
    jobs: one<number>('SELECT count(*) FROM jobs'),
    running: one<number>("SELECT count(*) FROM job_runs WHERE status = 'running'"),
    failedSince: one<number>(
      "SELECT count(*) FROM job_runs WHERE status IN ('failed', 'abandoned') AND started_at >= ?",
      since,
    ),
    lastRuns: db
      .prepare(
        `SELECT j.name AS job, r.status, r.started_at AS startedAt, r.error FROM jobs j JOIN job_runs r ON r.id = (SELECT max(id) FROM job_runs WHERE job_id = j.id) ORDER BY j.name`,
      )
      .all() as { job: string; status: string; startedAt: number; error: string | null }[],
    newsItems: one<number>('SELECT count(*) FROM news'),
    lastNewsAt: one<number | null>('SELECT max(known_at) FROM news'),
    backlog: outboxBacklog(store),
    oldestPendingAt: one<number | null>('SELECT min(next_attempt_at) FROM outbox WHERE delivered_at IS NULL'),
    findingsSince: one<number>('SELECT count(*) FROM dq_findings WHERE found_at >= ?', since),
  };
}
