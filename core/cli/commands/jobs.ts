import { formatTime } from '../../model/time';
import { checkJobCommand, runJobCommand } from '../../scheduler/commands';
import { addJob, cronOf, jobHistory, listJobs, removeJob, type JobRun } from '../../scheduler/jobs';
import { Scheduler } from '../../scheduler/scheduler';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';
import { openWritableStore } from './import';

const USAGE = `Usage: quantdesk jobs add NAME --cron "EXPR" --tz ZONE --db DB [--retries N] [--backoff-ms N] -- COMMAND...
       quantdesk jobs list --db DB [--json]
       quantdesk jobs run NAME --db DB [--json]
       quantdesk jobs history [NAME] --db DB [--limit N] [--json]
       quantdesk jobs remove NAME --db DB

A job runs a quantdesk command (today: fetch) on a cron schedule in an IANA time zone, e.g.
  quantdesk jobs add krx-close --cron "30 16 * * 1-5" --tz Asia/Seoul --db q.db -- fetch dart --symbols 005930
  quantdesk jobs add us-close --cron "15 17 * * 1-5" --tz America/New_York --db q.db -- fetch stooq --symbols SPY.US
  quantdesk jobs add news --cron "*/90 * * * *" --tz UTC --db q.db -- fetch news --url https://…/rss
EXPR has 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first (croner syntax).
Runs happen in \`quantdesk scheduler --db DB\` (or the app); \`jobs run\` runs one now in this process.`;

function fmtRun(r: JobRun): string {
  const dur = r.endedAt !== null ? `${((r.endedAt - r.startedAt) / 1000).toFixed(1)}s` : '…';
  const rows = r.rowsChanged !== null ? ` ${r.rowsChanged} rows changed` : '';
  return `${formatTime(r.startedAt)}  ${r.job}  ${r.status}  attempt ${r.attempt} (${r.trigger}) ${dur}${rows}${r.error ? `  ${r.error}` : ''}\n`;
}

/** `quantdesk jobs add|list|run|history|remove`. */
export const jobsCommand: Command = {
  name: 'jobs',
  summary: 'Scheduled jobs: add (cron + time zone), list, run now, history',
  usage: USAGE,
  async run(argv, io) {
    const dash = argv.indexOf('--');
    const args = dash >= 0 ? argv.slice(0, dash) : argv;
    const command = dash >= 0 ? argv.slice(dash + 1) : [];
    const { values, positionals } = parseFlags(
      args,
      {
        db: { type: 'string' },
        cron: { type: 'string' },
        tz: { type: 'string' },
        retries: { type: 'string' },
        'backoff-ms': { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
      },
      ['db'],
    );
    const [verb, name, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
    const int = (v: string | undefined, flag: string, dflt: number) => {
      if (v === undefined) return dflt;
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${flag}: "${v}" is not a whole number >= 0`);
      return n;
    };
    const store = openWritableStore(values.db!);
    try {
      switch (verb) {
        case 'add': {
          if (!name) throw new UsageError('jobs add needs a NAME');
          if (!values.cron || !values.tz) throw new UsageError('jobs add needs --cron and --tz');
          const check = checkJobCommand(command);
          if (!check.ok) throw new UsageError(check.error.message);
          const r = addJob(store, {
            name,
            cron: values.cron,
            timezone: values.tz,
            command,
            maxRetries: int(values.retries, 'retries', 3),
            backoffMs: int(values['backoff-ms'], 'backoff-ms', 60_000),
          });
          if (!r.ok) throw new UsageError(r.error.message);
          const next = cronOf(r.value).nextRun();
          io.out(
            `job ${name}: "${values.cron}" in ${values.tz}, next run ${next ? next.toISOString() : 'never'}: ${command.join(' ')}\n`,
          );
          return EXIT.ok;
        }
        case 'list': {
          const jobs = listJobs(store).map((j) => ({
            ...j,
            nextRunAt: cronOf(j).nextRun()?.getTime() ?? null,
            lastRun: jobHistory(store, { job: j.name, limit: 1 })[0] ?? null,
          }));
          if (values.json) io.out(`${JSON.stringify(jobs)}\n`);
          else
            for (const j of jobs)
              io.out(
                `${j.name}  "${j.cron}" ${j.timezone}  next ${j.nextRunAt !== null ? new Date(j.nextRunAt).toISOString() : '-'}  last ${j.lastRun ? j.lastRun.status : '-'}  ${j.command.join(' ')}\n`,
              );
          return EXIT.ok;
        }
        case 'run': {
          if (!name) throw new UsageError('jobs run needs a NAME');
          const s = new Scheduler(store, { run: (job, signal) => runJobCommand(store, job.command, signal) });
          let r;
          try {
            r = await s.runNow(name);
          } catch (e) {
            io.err(`quantdesk jobs: ${(e as Error).message}\n`);
            return EXIT.badInput;
          }
          if ('busy' in r) {
            io.err(`quantdesk jobs: ${name} is already running; not started again\n`);
            return EXIT.failure;
          }
          io.out(values.json ? `${JSON.stringify(r)}\n` : fmtRun(r));
          return r.status === 'ok' ? EXIT.ok : EXIT.failure;
        }
        case 'history': {
          const runs = jobHistory(store, { job: name, limit: int(values.limit, 'limit', 50) });
          io.out(values.json ? `${JSON.stringify(runs)}\n` : runs.map(fmtRun).join(''));
          return EXIT.ok;
        }
        case 'remove': {
          if (!name) throw new UsageError('jobs remove needs a NAME');
          if (!removeJob(store, name)) {
            io.err(`quantdesk jobs: no job named "${name}"\n`);
            return EXIT.badInput;
          }
          io.out(`removed ${name}\n`);
          return EXIT.ok;
        }
        default:
          throw new UsageError(`unknown verb "${verb ?? ''}" (add, list, run, history, remove)`);
      }
    } finally {
      store.close();
    }
  },
};
