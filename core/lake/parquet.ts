import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fail, ok, type Result } from '../model/result';
import { importCsv, type ImportKind, type ImportProgress, type ImportReport } from '../store/import';
import type { Store } from '../store/sqlite-bar-store';
import { copyRows, ident, literal, openDuck, type DuckColumn } from './duck';
import { exportRows } from '../store/export-rows';

/** How one import kind is laid out in the lake: its columns (PIT columns as stored, EpochMs) and its year column. */
interface LakeKind {
  readonly kind: ImportKind;
  /** Columns in the order core/store/export-rows.ts yields them (symbols instead of instrument ids). */
  readonly columns: readonly DuckColumn[];
  /** The time column whose UTC year partitions the files; none for instruments. */
  readonly yearOf: string | null;
  /** Order of rows on import, and for identical query results. */
  readonly orderBy: string;
}

/** The lake's kinds, in import order (instruments first, so the others find their symbols). */
export const LAKE_KINDS: readonly LakeKind[] = [
  {
    kind: 'instruments',
    columns: [
      { name: 'symbol', type: 'VARCHAR' },
      { name: 'name', type: 'VARCHAR' },
      { name: 'sector', type: 'VARCHAR' },
      { name: 'currency', type: 'VARCHAR' },
      { name: 'listed_on', type: 'BIGINT' },
      { name: 'delisted_on', type: 'BIGINT' },
    ],
    yearOf: null,
    orderBy: 'symbol',
  },
  {
    kind: 'bars',
    columns: [
      { name: 'symbol', type: 'VARCHAR' },
      { name: 'ts', type: 'BIGINT' },
      { name: 'open', type: 'DOUBLE' },
      { name: 'high', type: 'DOUBLE' },
      { name: 'low', type: 'DOUBLE' },
      { name: 'close', type: 'DOUBLE' },
      { name: 'volume', type: 'DOUBLE' },
    ],
    // CROSS JOIN keeps instruments outer, so bars are read in primary-key order (not through the ts index).
    yearOf: 'ts',
    orderBy: 'symbol, ts',
  },
  {
    kind: 'actions',
    columns: [
      { name: 'symbol', type: 'VARCHAR' },
      // Not `kind`: that name is the lake's partition key (kind=actions), which would shadow it.
      { name: 'action', type: 'VARCHAR' },
      { name: 'ex_date', type: 'BIGINT' },
      { name: 'value', type: 'DOUBLE' },
      { name: 'known_at', type: 'BIGINT' },
    ],
    yearOf: 'ex_date',
    orderBy: 'symbol, action, ex_date, known_at',
  },
  {
    kind: 'fundamentals',
    columns: [
      { name: 'symbol', type: 'VARCHAR' },
      { name: 'field', type: 'VARCHAR' },
      { name: 'period_end', type: 'BIGINT' },
      { name: 'value', type: 'DOUBLE' },
      { name: 'known_at', type: 'BIGINT' },
    ],
    yearOf: 'period_end',
    orderBy: 'symbol, field, period_end, known_at',
  },
];

/** What an export wrote: rows and files per kind. */
export interface LakeExport {
  readonly dir: string;
  readonly kinds: readonly { readonly kind: ImportKind; readonly rows: number; readonly files: number }[];
  readonly durationMs: number;
}

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.parquet')).length;
}

/**
 * Writes the store's market data to `outDir` as Parquet, hive-partitioned by kind and year:
 * `kind=bars/year=2020/data_0.parquet` (instruments: `kind=instruments/data_0.parquet`; the actions'
 * kind column is named `action` there, `kind` being the partition key). Times stay
 * EpochMs integers and `known_at` is kept, so the lake is as point-in-time as the store. A kind's
 * directory is replaced as a whole (written beside, then renamed), so a killed export leaves the
 * previous one readable.
 */
export async function exportParquet(
  store: Store,
  outDir: string,
  onProgress?: (kind: ImportKind, rows: number) => void,
): Promise<Result<LakeExport>> {
  const t0 = performance.now();
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const duck = await openDuck();
  try {
    const kinds: { kind: ImportKind; rows: number; files: number }[] = [];
    for (const k of LAKE_KINDS) {
      const rows = await copyRows(duck.conn, exportRows(store, k.kind), `x_${k.kind}`, k.columns);
      onProgress?.(k.kind, rows);
      const final = join(dir, `kind=${k.kind}`);
      const staging = join(dir, `.kind=${k.kind}.tmp`);
      rmSync(staging, { recursive: true, force: true });
      if (rows > 0) {
        const cols = k.columns.map((c) => ident(c.name)).join(', ');
        if (k.yearOf === null) {
          mkdirSync(staging, { recursive: true });
          await duck.conn.run(
            `COPY (SELECT ${cols} FROM ${ident(`x_${k.kind}`)} ORDER BY ${k.orderBy}) TO ${literal(join(staging, 'data_0.parquet'))} (FORMAT PARQUET)`,
          );
        } else {
          await duck.conn.run(
            `COPY (SELECT ${cols}, year(epoch_ms(${ident(k.yearOf)})) AS year FROM ${ident(`x_${k.kind}`)} ORDER BY ${k.orderBy})
             TO ${literal(staging)} (FORMAT PARQUET, PARTITION_BY (year))`,
          );
        }
      }
      rmSync(final, { recursive: true, force: true });
      if (rows > 0) renameSync(staging, final);
      await duck.conn.run(`DROP TABLE ${ident(`x_${k.kind}`)}`);
      kinds.push({ kind: k.kind, rows, files: countFiles(final) });
    }
    writeFileSync(
      join(dir, 'lake.json'),
      `${JSON.stringify({ format: 'quantdesk-lake', version: 1, exportedAt: new Date().toISOString(), kinds }, null, 2)}\n`,
    );
    return ok({ dir, kinds, durationMs: performance.now() - t0 });
  } finally {
    duck.close();
  }
}

/** The glob DuckDB reads for one kind of a lake. */
export function kindGlob(dir: string, kind: ImportKind): string {
  return join(resolve(dir), `kind=${kind}`, '**', '*.parquet');
}

/**
 * Imports a lake written by {@link exportParquet} through the CSV import path: each kind's Parquet is
 * streamed from DuckDB (chunk by chunk) into a temporary CSV, which `importCsv` validates in full and
 * writes in one transaction, exactly as `quantdesk import` would. A bad row fails that kind with
 * `FILE:LINE` errors (the temp file's lines, in the lake's order) and stores nothing of it.
 */
export async function importParquet(
  store: Store,
  lakeDir: string,
  onProgress?: (kind: ImportKind, p: ImportProgress) => void,
): Promise<Result<ImportReport[]>> {
  const dir = resolve(lakeDir);
  if (!existsSync(dir)) return fail('not-found', `${lakeDir}: no such directory`);
  const present = LAKE_KINDS.filter((k) => countFiles(join(dir, `kind=${k.kind}`)) > 0);
  if (present.length === 0)
    return fail(
      'invalid-input',
      `${lakeDir}: no kind=… directories with Parquet files (expected an export of quantdesk export parquet)`,
    );
  const duck = await openDuck();
  const tmp = mkdtempSync(join(tmpdir(), 'qd-lake-'));
  try {
    const reports: ImportReport[] = [];
    for (const k of present) {
      const csvPath = join(tmp, `${k.kind}.csv`);
      // DuckDB writes the CSV itself (streaming, in C++): times become the import's date / ISO text, and
      // doubles are printed in their shortest round-trip form, so the text round trip is exact (tested).
      try {
        await duck.conn.run(
          `COPY (SELECT ${CSV_SELECT[k.kind]} FROM read_parquet(${literal(kindGlob(dir, k.kind))}, hive_partitioning = false) ORDER BY ${k.orderBy})
           TO ${literal(csvPath)} (FORMAT CSV, HEADER true)`,
        );
      } catch (e) {
        return fail('invalid-input', `${join(lakeDir, `kind=${k.kind}`)}: ${(e as Error).message.split('\n')[0]}`);
      }
      const r = await importCsv(store, k.kind, { path: csvPath }, { onProgress: (p) => onProgress?.(k.kind, p) });
      if (!r.ok) return fail(r.error.code, `${join(lakeDir, `kind=${k.kind}`)}: ${r.error.message}`, r.error.details);
      reports.push({ ...r.value, source: join(lakeDir, `kind=${k.kind}`) });
    }
    return ok(reports);
  } finally {
    duck.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A time column (EpochMs) as the CSV import reads it: `YYYY-MM-DD` at midnight UTC, else ISO with milliseconds and Z. */
function timeText(col: string, as: string): string {
  const c = ident(col);
  return `CASE WHEN ${c} IS NULL THEN NULL WHEN ${c} % 86400000 = 0 THEN strftime(epoch_ms(${c}::BIGINT), '%Y-%m-%d')
    ELSE strftime(epoch_ms(${c}::BIGINT), '%Y-%m-%dT%H:%M:%S.%gZ') END AS ${ident(as)}`;
}

/** Per kind, the SELECT list producing the import CSV's columns from the lake's. */
const CSV_SELECT: Record<ImportKind, string> = {
  instruments: `symbol, name, sector, currency, ${timeText('listed_on', 'listed_on')}, ${timeText('delisted_on', 'delisted_on')}`,
  bars: `symbol, ${timeText('ts', 'date')}, open::DOUBLE AS open, high::DOUBLE AS high, low::DOUBLE AS low, close::DOUBLE AS close, volume::DOUBLE AS volume`,
  actions: `symbol, action AS kind, ${timeText('ex_date', 'ex_date')}, value::DOUBLE AS value, ${timeText('known_at', 'known_at')}`,
  fundamentals: `symbol, field, ${timeText('period_end', 'period_end')}, value::DOUBLE AS value, ${timeText('known_at', 'known_at')}`,
};
