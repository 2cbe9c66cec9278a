import { UsageError } from '../cli/args';
import { EXIT, type CliIO } from '../cli/io';
import { openStore } from '../store/sqlite-bar-store';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkQuality } from '../quality/checks';
import { importParquet } from './parquet';

/** `quantdesk import parquet DIR --db DB [--json]`: the lake through the CSV import's validation, kind by kind. */
export async function importParquetCommand(
  dir: string | undefined,
  extra: string[],
  values: { db?: string; json?: boolean },
  io: CliIO,
): Promise<number> {
  if (dir === undefined || extra.length > 0) throw new UsageError('expected exactly one DIR');
  if (values.db !== ':memory:') mkdirSync(dirname(values.db!), { recursive: true });
  const store = openStore(values.db!);
  try {
    let last = '';
    const r = await importParquet(store, dir, (kind, p) => {
      if (!io.isTTY) return;
      const line = `\rimport parquet ${kind}: ${p.phase} ${p.rows.toLocaleString('en-US')} rows   `;
      if (line !== last) io.err((last = line));
    });
    if (last !== '') io.err('\n');
    if (!r.ok) {
      io.err(`quantdesk import: ${r.error.message}\n`);
      for (const d of r.error.details ?? []) io.err(`${d}\n`);
      return r.error.code === 'not-found' || r.error.code === 'invalid-input' ? EXIT.badInput : EXIT.failure;
    }
    // Data quality on every import that changed prices or actions, as for CSV imports.
    const findings = r.value.some((v) => (v.kind === 'bars' || v.kind === 'actions') && v.changed > 0)
      ? checkQuality(store).length
      : 0;
    if (values.json) io.out(`${JSON.stringify(r.value)}\n`);
    else {
      for (const v of r.value)
        io.out(`${v.source}: ${v.rows} ${v.kind} rows, ${v.changed} changed (${Math.round(v.durationMs)} ms)\n`);
      if (findings > 0) io.out(`${findings} new data-quality finding${findings === 1 ? '' : 's'}\n`);
    }
    return EXIT.ok;
  } finally {
    store.close();
  }
}
