import { existsSync } from 'node:fs';
import { OutboxDispatcher } from '../../live/outbox';
import { Journal } from '../../store/journal';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';

const USAGE = `Usage: quantdesk outbox drain --db DB [--timeout-ms 30000] [--retry-dead] [--json]
       quantdesk outbox status --db DB [--json]

drain   delivers the alerts waiting in the webhook outbox of DB (one lane per endpoint, retries with
        backoff) until none is pending or --timeout-ms passes. --retry-dead first puts dead letters
        (deliveries that failed their last attempt) back in the queue with a fresh attempt budget.
        Exit 0 when nothing is left pending, 1 when some still wait. --json prints
        {"delivered","failed","dead","pending"} (dead and pending: what the outbox holds afterwards).
status  prints {"pending","dead","deadLetters":[{"alertId","endpoint","attempts","lastError","deadAt"}]}
        (--json) or a one-line summary.`;

/** `quantdesk outbox drain|status --db DB`. */
export const outboxCommand: Command = {
  name: 'outbox',
  summary: 'Deliver or inspect the webhook outbox (alerts waiting, dead letters)',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub !== 'drain' && sub !== 'status')
      throw new UsageError(
        sub === undefined ? 'expected a subcommand: drain or status' : `unknown subcommand "${sub}" (drain, status)`,
      );
    const { values } = parseFlags(
      rest,
      {
        db: { type: 'string' },
        'timeout-ms': { type: 'string' },
        'retry-dead': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      ['db'],
    );
    const db = values.db as string;
    if (!existsSync(db)) throw new UsageError(`${db}: no such database`);
    const timeoutMs = values['timeout-ms'] === undefined ? 30_000 : Number(values['timeout-ms']);
    if (!(timeoutMs >= 0 && timeoutMs <= 86_400_000))
      throw new UsageError(`--timeout-ms: expected 0..86400000, got "${values['timeout-ms']}"`);
    const store = openStore(db);
    try {
      const journal = new Journal(store);
      const dispatcher = new OutboxDispatcher({ journal });
      if (sub === 'status') {
        const st = dispatcher.state();
        io.out(values.json ? `${JSON.stringify(st)}\n` : `${st.pending} alert(s) pending, ${st.dead} dead letter(s)\n`);
        return EXIT.ok;
      }
      const requeued = values['retry-dead'] ? journal.requeueDead(Date.now()) : 0;
      const r = await dispatcher.drain(timeoutMs);
      if (values.json)
        io.out(`${JSON.stringify({ delivered: r.delivered, failed: r.failed, dead: r.dead, pending: r.pending })}\n`);
      else {
        io.out(
          `delivered ${r.delivered}${requeued > 0 ? ` (${requeued} dead letter(s) requeued)` : ''}; ${r.pending} still pending; ${r.dead} dead letter(s)\n`,
        );
      }
      return r.pending > 0 ? EXIT.failure : EXIT.ok;
    } finally {
      store.close();
    }
  },
};
