import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fail, ok, type Result } from '../model/result';
import type { Store } from '../store/sqlite-bar-store';
import { copyRows, literal, openDuck, type DuckColumn } from './duck';
import { kindGlob, LAKE_KINDS } from './parquet';
import { listTables, tableColumns, tableRows } from '../store/export-rows';

/** A query result as columns' names and rows of JSON-safe values (BIGINT as number when safe, else string). */
export interface SqlResult {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  readonly durationMs: number;
}

/** Most rows a query may return (unbounded output is refused: add a LIMIT or aggregate). */
export const SQL_MAX_ROWS = 1_000_000;

function duckType(sqliteType: string): DuckColumn['type'] {
  const t = sqliteType.toUpperCase();
  if (t.includes('INT')) return 'BIGINT';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'DOUBLE';
  return 'VARCHAR';
}

/**
 * Runs `sql` in DuckDB over the store and (optionally) a lake. Every store table the query names
 * (`bars`, `instruments`, `fundamentals`, `news`, `job_runs`, …) is copied in under its own name
 * (DuckDB cannot read SQLite offline); the lake's kinds are views in schema `lake`
 * (`lake.bars`, `lake.instruments`, `lake.actions`, `lake.fundamentals`, with a `year` column).
 * The store is only read. More than {@link SQL_MAX_ROWS} rows is an error.
 */
export async function runSql(store: Store | null, sql: string, lakeDir?: string): Promise<Result<SqlResult>> {
  const t0 = performance.now();
  const duck = await openDuck();
  try {
    if (store) {
      const tables = listTables(store);
      for (const name of tables) {
        // `lake.bars` names the lake's view, not the store table: copy only tables the query really reads.
        if (!new RegExp(`(?<!lake\\.)\\b${name}\\b`, 'i').test(sql)) continue;
        const info = tableColumns(store, name);
        const cols = info.map((c) => ({ name: c.name, type: duckType(c.type) }));
        await copyRows(
          duck.conn,
          tableRows(
            store,
            name,
            info.map((c) => c.name),
          ),
          name,
          cols,
        );
      }
    }
    if (lakeDir !== undefined) {
      const dir = resolve(lakeDir);
      if (!existsSync(dir)) return fail('not-found', `--lake ${lakeDir}: no such directory`);
      await duck.conn.run('CREATE SCHEMA lake');
      for (const k of LAKE_KINDS) {
        if (!existsSync(join(dir, `kind=${k.kind}`))) continue;
        await duck.conn.run(
          `CREATE VIEW lake.${k.kind} AS SELECT * FROM read_parquet(${literal(kindGlob(dir, k.kind))}, hive_partitioning = true)`,
        );
      }
    }
    let reader;
    try {
      reader = await duck.conn.streamAndReadUntil(sql, SQL_MAX_ROWS + 1);
    } catch (e) {
      return fail('invalid-input', `sql: ${(e as Error).message}`);
    }
    if (reader.currentRowCount > SQL_MAX_ROWS)
      return fail(
        'invalid-input',
        `sql: more than ${SQL_MAX_ROWS.toLocaleString('en-US')} rows; add a LIMIT or aggregate`,
      );
    const rows = reader.getRowsJS().map((r) => r.map(jsonSafe));
    return ok({ columns: reader.columnNames(), rows, durationMs: performance.now() - t0 });
  } finally {
    duck.close();
  }
}

function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint')
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v !== null && typeof v === 'object')
    return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)));
  return v;
}
