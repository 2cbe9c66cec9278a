import { runSql } from '../../lake/sql';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';

const USAGE = `Usage: quantdesk sql "SELECT ..." --db DB [--lake DIR] [--json|--csv]

Ad-hoc DuckDB SQL across the store (read-only; its tables by their names: bars, instruments,
corporate_actions, fundamentals, news, news_symbols, job_runs, …) and a Parquet lake (views
lake.instruments, lake.bars, lake.actions, lake.fundamentals). Times are EpochMs: use epoch_ms(ts).
Output: an aligned table (default), --json (array of row objects) or --csv.`;

function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `quantdesk sql "SELECT ..." --db DB [--lake DIR] [--json|--csv]`. */
export const sqlCommand: Command = {
  name: 'sql',
  summary: 'Ad-hoc DuckDB SQL over the store and a Parquet lake (table, JSON or CSV)',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, {
      db: { type: 'string' },
      lake: { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('expected one quoted SQL statement');
    if (values.db === undefined && values.lake === undefined)
      throw new UsageError('missing required option --db (or --lake)');
    if (values.json && values.csv) throw new UsageError('--json and --csv are exclusive');
    const store = values.db !== undefined ? openStore(values.db, { readonly: values.db !== ':memory:' }) : null;
    try {
      const r = await runSql(store, positionals[0], values.lake);
      if (!r.ok) {
        io.err(`quantdesk sql: ${r.error.message}\n`);
        return EXIT.badInput;
      }
      const { columns, rows } = r.value;
      if (values.json)
        io.out(`${JSON.stringify(rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))))}\n`);
      else if (values.csv)
        io.out(`${[columns.map(csvField).join(','), ...rows.map((row) => row.map(csvField).join(','))].join('\n')}\n`);
      else {
        const cells = [
          columns,
          ...rows.map((row) =>
            row.map((v) => (v === null ? 'NULL' : typeof v === 'object' ? JSON.stringify(v) : String(v))),
          ),
        ];
        const w = columns.map((_, i) => Math.max(...cells.map((c) => c[i].length)));
        io.out(
          cells
            .map(
              (c, k) =>
                c
                  .map((x, i) => x.padEnd(w[i]))
                  .join('  ')
                  .trimEnd() + (k === 0 ? `\n${w.map((n) => '-'.repeat(n)).join('  ')}` : ''),
            )
            .join('\n') + `\n(${rows.length} rows, ${Math.round(r.value.durationMs)} ms)\n`,
        );
      }
      return EXIT.ok;
    } finally {
      store?.close();
    }
  },
};
