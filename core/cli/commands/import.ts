import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkQuality } from '../../quality/checks';
import { importCsv, IMPORT_COLUMNS, IMPORT_KINDS, type ImportKind, type ImportProgress } from '../../store/import';
import { openStore, StorePathError, type Store } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type CliIO, type Command } from '../io';

const USAGE = `Usage: quantdesk import instruments|bars|fundamentals|actions FILE --db DB [--json]
       quantdesk import parquet DIR --db DB [--json]   (a lake written by quantdesk export parquet)

Imports one CSV file in one transaction (creating DB if needed). Any bad row: exit 2, every bad row
(up to 100) listed on stderr as FILE:LINE: column: reason, and nothing from the file stored.
Re-importing the same file changes nothing.
${IMPORT_KINDS.map((k) => `  ${k.padEnd(12)} ${IMPORT_COLUMNS[k].join(',')}`).join('\n')}
--json prints {"kind","source","importId","rows","changed","sha256","durationMs"} on stdout.`;

/** Opens (creating it and its directory if needed) the store a command writes to. */
export function openWritableStore(path: string): Store {
  if (path !== ':memory:') makeParents(dirname(path), path);
  return openStore(path);
}

/**
 * Creates `dir` and its missing parents one level at a time. (`mkdirSync(recursive)` spins forever on
 * a parent that exists but refuses children, such as `/proc`.) Throws {@link StorePathError}.
 */
function makeParents(dir: string, db: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw new StorePathError(`--db ${db}: ${d} is not a directory`);
      break;
    } catch (e) {
      if (e instanceof StorePathError) throw e;
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d)
        throw new StorePathError(`--db ${db}: cannot use ${d} (${(e as NodeJS.ErrnoException).code})`);
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST')
        throw new StorePathError(`--db ${db}: cannot create directory ${d} (${(e as NodeJS.ErrnoException).code})`);
    }
  }
}

/** Draws `rows, rows/s` on stderr, only when it is a terminal; returns the progress callback and a finisher. */
export function ttyProgress(io: CliIO, label: string): { onProgress: (p: ImportProgress) => void; done: () => void } {
  const t0 = performance.now();
  let drawn = false;
  return {
    onProgress: (p) => {
      if (!io.isTTY) return;
      const s = (performance.now() - t0) / 1000;
      const pct = p.totalBytes > 0 ? ` ${Math.floor((100 * p.bytes) / p.totalBytes)}%` : '';
      io.err(
        `\r${label}: ${p.phase}${pct} ${p.rows.toLocaleString('en-US')} rows, ${Math.round(p.rows / Math.max(s, 1e-3)).toLocaleString('en-US')} rows/s   `,
      );
      drawn = true;
    },
    done: () => {
      if (drawn) io.err('\n');
    },
  };
}

/** `quantdesk import KIND FILE --db DB`. */
export const importCommand: Command = {
  name: 'import',
  summary: 'Import instruments, bars, fundamentals or corporate actions from CSV',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseFlags(args, { db: { type: 'string' }, json: { type: 'boolean' } }, ['db']);
    const [kind, file, ...extra] = positionals;
    if (kind === 'parquet')
      return (await import('../../lake/import-command')).importParquetCommand(file, extra, values, io);
    if (!IMPORT_KINDS.includes(kind as ImportKind))
      throw new UsageError(`unknown kind "${kind ?? ''}" (${IMPORT_KINDS.join(', ')})`);
    if (file === undefined || extra.length > 0) throw new UsageError('expected exactly one FILE');
    const store = openWritableStore(values.db!);
    const progress = ttyProgress(io, `import ${kind}`);
    const ac = new AbortController();
    const onSigint = () => ac.abort();
    process.once('SIGINT', onSigint);
    try {
      const r = await importCsv(
        store,
        kind as ImportKind,
        { path: file },
        { onProgress: progress.onProgress, signal: ac.signal },
      );
      progress.done();
      if (!r.ok) {
        io.err(`quantdesk import: ${r.error.message}\n`);
        for (const d of r.error.details ?? []) io.err(`${d}\n`);
        return r.error.code === 'cancelled' ? EXIT.failure : EXIT.badInput;
      }
      const v = r.value;
      // Data quality on every import that changed prices or actions (findings stored, alerts raised).
      const findings = v.changed > 0 && (kind === 'bars' || kind === 'actions') ? checkQuality(store).length : 0;
      if (values.json) io.out(`${JSON.stringify(v)}\n`);
      else {
        const rate = Math.round(v.rows / Math.max(v.durationMs / 1000, 1e-3));
        io.out(
          `${v.source}: ${v.rows} ${kind} rows, ${v.changed} changed (${Math.round(v.durationMs)} ms, ${rate} rows/s)\n`,
        );
        if (findings > 0)
          io.out(
            `${findings} new data-quality finding${findings === 1 ? '' : 's'} (quantdesk sql "SELECT * FROM dq_findings" --db DB)\n`,
          );
      }
      return EXIT.ok;
    } finally {
      process.off('SIGINT', onSigint);
      store.close();
    }
  },
};
