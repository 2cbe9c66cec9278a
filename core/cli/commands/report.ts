import { basename } from 'node:path';
import { OutboxDispatcher } from '../../live/outbox';
import type { WebhookTarget } from '../../live/alerts';
import { parseDate } from '../../model/time';
import { buildDailyReport, writeDailyReport, type WatchedSpec } from '../../report/daily';
import { Journal } from '../../store/journal';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';
import { openWritableStore } from './import';
import { readJsonFile } from './signals';

const USAGE = `Usage: quantdesk report daily --db DB --out F.html [--send] [--spec FILE.json ...] [--date YYYY-MM-DD] [--json]
                              [--webhook URL ...]

Writes one self-contained HTML report for the day (default: yesterday, UTC): entry signals of the
watched strategies (--spec, backtest specs as for \`quantdesk signals\`) with their past success rates
over 5 bars, live sessions' positions and PnL, risk alerts, data-quality findings, the ten news items
with the strongest sentiment, and failed jobs. "{date}" in --out becomes the day.
--send journals the summary as an alert with one outbox row per target (--webhook URL, and Telegram when
TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID are set) and delivers it now; undelivered rows stay in the
outbox and are retried by the next dispatcher (\`quantdesk live\`, the app).`;

/** Parsed `report daily` flags (shared with scheduled jobs; `--db` excluded). */
export function parseReportArgs(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const { values, positionals } = parseFlags(args, {
    db: { type: 'string' },
    out: { type: 'string' },
    send: { type: 'boolean' },
    spec: { type: 'string', multiple: true },
    date: { type: 'string' },
    json: { type: 'boolean' },
    webhook: { type: 'string', multiple: true },
  });
  if (positionals[0] !== 'daily' || positionals.length !== 1) throw new UsageError('expected: report daily');
  if (!values.out) throw new UsageError('missing required option --out');
  const day = values.date === undefined ? undefined : parseDate(values.date);
  if (day === null || (values.date !== undefined && values.date.length !== 10))
    throw new UsageError(`--date: "${values.date}" is not YYYY-MM-DD`);
  const watched: WatchedSpec[] = (values.spec ?? []).map((f) => ({
    label: basename(f).replace(/\.json$/, ''),
    spec: readJsonFile(f) as Record<string, unknown>,
  }));
  const targets: WebhookTarget[] = (values.webhook ?? []).map((url) => ({ kind: 'json', url }));
  if (env.TELEGRAM_BOT_TOKEN && env.TELEGRAM_CHAT_ID)
    targets.push({
      kind: 'telegram',
      token: env.TELEGRAM_BOT_TOKEN,
      chatId: env.TELEGRAM_CHAT_ID,
      apiUrl: env.TELEGRAM_API_URL,
    });
  if (values.send && targets.length === 0)
    throw new UsageError(
      '--send needs a target: --webhook URL, or TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID in the environment',
    );
  return {
    db: values.db,
    out: values.out,
    day,
    watched,
    targets: values.send ? targets : null,
    json: values.json === true,
  };
}

/** `quantdesk report daily …`. */
export const reportCommand: Command = {
  name: 'report',
  summary: 'The daily report: signals with success rates, live PnL, data quality, news, failed jobs (HTML)',
  usage: USAGE,
  async run(args, io) {
    const p = parseReportArgs(args);
    if (p.db === undefined) throw new UsageError('missing required option --db');
    const store = openWritableStore(p.db);
    try {
      const report = buildDailyReport(store, p.watched, { day: p.day });
      const w = writeDailyReport(store, report, p.out, p.targets);
      if (!w.ok) {
        io.err(`quantdesk report: ${w.error.message}\n`);
        return EXIT.badInput;
      }
      let delivery = null;
      if (p.targets) delivery = await new OutboxDispatcher({ journal: new Journal(store) }).deliverDue();
      if (p.json) io.out(`${JSON.stringify({ path: w.value.path, summary: w.value.summary, delivery })}\n`);
      else
        io.out(
          `${w.value.path}\n${w.value.summary}\n${delivery ? `sent: ${delivery.delivered} delivered, ${delivery.failed} failed (failed ones stay in the outbox)\n` : ''}`,
        );
      return delivery && delivery.failed > 0 ? EXIT.failure : EXIT.ok;
    } finally {
      store.close();
    }
  },
};
