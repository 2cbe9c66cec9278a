import { exportParquet } from '../../lake/parquet';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';

const USAGE = `Usage: quantdesk export parquet --db DB --out DIR [--json]

Writes the store's instruments, bars, corporate actions and fundamentals to DIR as Parquet,
hive-partitioned by kind and year (DIR/kind=bars/year=2020/data_0.parquet), times as EpochMs with
known_at kept. Read it back with \`quantdesk import parquet DIR\`, query it with \`quantdesk sql --lake DIR\`.`;

/** `quantdesk export parquet --db DB --out DIR`. */
export const exportCommand: Command = {
  name: 'export',
  summary: 'Export the store to a Parquet lake (hive-partitioned by kind and year)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(
      args,
      { db: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } },
      ['db', 'out'],
    );
    if (positionals[0] !== 'parquet' || positionals.length !== 1) throw new UsageError('expected: export parquet');
    const store = openStore(values.db!, { readonly: values.db !== ':memory:' });
    try {
      const r = await exportParquet(
        store,
        values.out!,
        (kind, rows) => io.isTTY && io.err(`export ${kind}: ${rows.toLocaleString('en-US')} rows\n`),
      );
      if (!r.ok) {
        io.err(`quantdesk export: ${r.error.message}\n`);
        return EXIT.failure;
      }
      if (values.json) io.out(`${JSON.stringify(r.value)}\n`);
      else
        io.out(
          `${r.value.dir}: ${r.value.kinds.map((k) => `${k.kind} ${k.rows} rows in ${k.files} files`).join(', ')} (${Math.round(r.value.durationMs)} ms)\n`,
        );
      return EXIT.ok;
    } finally {
      store.close();
    }
  },
};
