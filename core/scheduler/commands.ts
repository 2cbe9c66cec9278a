import { runFetch } from '../connectors/fetch';
import { fail, ok, type Result } from '../model/result';
import type { Store } from '../store/sqlite-bar-store';
import { parseFetchArgs } from '../cli/commands/fetch';
import { parseReportArgs } from '../cli/commands/report';
import { OutboxDispatcher } from '../live/outbox';
import { buildDailyReport, writeDailyReport } from '../report/daily';
import { Journal } from '../store/journal';

/** A command a job may run, checked when the job is added and run by the scheduler with the job's store. */
interface JobCommand {
  check(args: string[]): void;
  run(store: Store, args: string[], signal: AbortSignal, env?: JobEnv): Promise<number>;
}

/**
 * Where a job's API keys come from: the host's credentials (the environment, or in the app also the
 * safeStorage store). Keys are read when the job runs, never written into its command line.
 */
export type JobEnv = Readonly<Record<string, string | undefined>>;

/** The commands a job may run (a quantdesk command line without `--db`). */
export const JOB_COMMANDS: Record<string, JobCommand> = {
  fetch: {
    check: (args) => {
      if (parseFetchArgs(args).db !== undefined)
        throw new Error("a job runs against the scheduler's --db; leave --db out of its command");
    },
    async run(store, args, signal, env) {
      const p = parseFetchArgs(args);
      const r = await runFetch(store, p.source, p.request, { http: p.http, signal, env });
      if (!r.ok) throw new Error(r.error.message);
      return r.value.changed;
    },
  },
  report: {
    check: (args) => {
      if (parseReportArgs(args).db !== undefined)
        throw new Error("a job runs against the scheduler's --db; leave --db out of its command");
    },
    async run(store, args) {
      const p = parseReportArgs(args);
      // A scheduled report covers the day before the run (the 8 a.m. report shows yesterday).
      const w = writeDailyReport(store, buildDailyReport(store, p.watched, { day: p.day }), p.out, p.targets);
      if (!w.ok) throw new Error(w.error.message);
      // Failed deliveries stay in the outbox, which the scheduler's dispatcher retries: failing the run
      // would write and send the report again.
      if (p.targets) await new OutboxDispatcher({ journal: new Journal(store) }).deliverDue();
      return 1;
    },
  },
};

/** Validates a job's command line; the error names what is wrong. */
export function checkJobCommand(command: readonly string[]): Result<void> {
  const [name, ...args] = command;
  const c = JOB_COMMANDS[name ?? ''];
  if (!c) return fail('invalid-input', `a job can run ${Object.keys(JOB_COMMANDS).join(', ')}; got "${name ?? ''}"`);
  try {
    c.check(args);
  } catch (e) {
    return fail('invalid-input', `${name}: ${(e as Error).message}`);
  }
  return ok(undefined);
}

/** Runs a job's command against `store`; resolves with the rows it changed, rejects with its error. */
export async function runJobCommand(
  store: Store,
  command: readonly string[],
  signal: AbortSignal,
  env?: JobEnv,
): Promise<{ rowsChanged: number }> {
  const [name, ...args] = command;
  const c = JOB_COMMANDS[name ?? ''];
  if (!c) throw new Error(`unknown job command "${name ?? ''}"`);
  return { rowsChanged: await c.run(store, args, signal, env) };
}
