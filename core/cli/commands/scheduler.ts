import { OutboxDispatcher } from '../../live/outbox';
import { Journal } from '../../store/journal';
import { UserAlertService } from '../../alerts-user/service';
import { runJobCommand } from '../../scheduler/commands';
import { alertingRunner } from '../../scheduler/host';
import { listJobs } from '../../scheduler/jobs';
import { Scheduler } from '../../scheduler/scheduler';
import { parseFlags } from '../args';
import { EXIT, type Command } from '../io';
import { openWritableStore } from './import';

const USAGE = `Usage: quantdesk scheduler --db DB

Runs the jobs stored in DB (see \`quantdesk jobs\`) headless until SIGINT/SIGTERM: each on its cron
schedule in its time zone; slots missed while stopped run once at start; a run whose process died
(kill -9) is marked abandoned and retried; failures retry with exponential backoff. One line per run
on stdout.`;

/** `quantdesk scheduler --db DB`: the headless scheduler (servers; the app runs the same class in main). */
export const schedulerCommand: Command = {
  name: 'scheduler',
  summary: 'Run scheduled jobs headless (cron + time zone, catch-up, retries)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(args, { db: { type: 'string' } }, ['db']);
    const store = openWritableStore(values.db!);
    // The user's alert rules judge what each fetch stored, as soon as it is stored: firings are journaled and their
    // webhooks queued in the outbox (delivered below); the app shows them from the journal.
    const userAlerts = new UserAlertService(store, { alert: () => undefined, fired: () => undefined });
    const s = new Scheduler(store, {
      run: alertingRunner(
        (job, signal) => runJobCommand(store, job.command, signal),
        () => userAlerts.onStored(),
      ),
      onRunEnded: (r) =>
        io.out(
          `${new Date(r.endedAt ?? Date.now()).toISOString()} ${r.job} ${r.status} attempt ${r.attempt} (${r.trigger})${r.rowsChanged !== null ? ` ${r.rowsChanged} rows changed` : ''}${r.error ? `: ${r.error}` : ''}\n`,
        ),
    });
    io.out(`scheduler: ${listJobs(store).length} jobs, pid ${process.pid}\n`);
    s.start();
    // Webhook deliveries (daily reports, data-quality alerts) that failed are retried from the outbox here.
    const outbox = new OutboxDispatcher({ journal: new Journal(store) });
    outbox.start(5_000);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    outbox.stop();
    await s.stop();
    store.close();
    return EXIT.ok;
  },
};
