import { loadDefaultDataset } from '../../dataset/default';
import { parseFlags } from '../args';
import { EXIT, type Command } from '../io';
import { openWritableStore } from './import';

const USAGE = `Usage: quantdesk init --db DB [--json]

Creates DB if needed and loads the default dataset: a deterministic synthetic market (500 instruments,
10 sectors, 2015-2025, fundamentals, splits, dividends, IPOs, delistings; seed 20251231) and the real
S&P 500 index 2000-2020 as SPX. A second run changes nothing and says so.
--json prints {"loaded","message","seed","instruments","bars","durationMs"}.`;

/** `quantdesk init --db DB`. */
export const initCommand: Command = {
  name: 'init',
  summary: 'Create a database and load the default dataset (synthetic market + real S&P 500 index)',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(args, { db: { type: 'string' }, json: { type: 'boolean' } }, ['db']);
    const store = openWritableStore(values.db!);
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    let drawn = false;
    try {
      const r = await loadDefaultDataset(store, {
        signal: ac.signal,
        onProgress: (p) => {
          if (!io.isTTY) return;
          drawn = true;
          io.err(`\rinit: ${p.step} ${p.rows.toLocaleString('en-US')} rows${p.done ? ' done' : ''}        `);
        },
      });
      if (drawn) io.err('\n');
      if (!r.ok) {
        io.err(`quantdesk init: ${r.error.message}\n`);
        for (const d of r.error.details ?? []) io.err(`${d}\n`);
        return EXIT.failure;
      }
      io.out(values.json ? `${JSON.stringify(r.value)}\n` : `${r.value.message}\n`);
      return EXIT.ok;
    } finally {
      process.off('SIGINT', onSigint);
      store.close();
    }
  },
};
