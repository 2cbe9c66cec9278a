import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

/** A column copied from SQLite into DuckDB. */
export interface DuckColumn {
  readonly name: string;
  readonly type: 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'VARCHAR';
}

/** An in-memory DuckDB (Parquet built in, no extensions downloaded) and one connection to it. */
export async function openDuck(): Promise<{ conn: DuckDBConnection; close(): void }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  return {
    conn,
    close: () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** Quotes an SQL identifier. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Quotes an SQL string literal (paths given to read_parquet / COPY). */
export function literal(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/**
 * Creates DuckDB table `table` with `columns` and fills it with `rows` (same column order; e.g. a store
 * reader from core/store/export-rows.ts) through DuckDB's appender, streaming without holding them.
 * DuckDB has no SQLite reader without downloading its extension, so this is how store data gets in.
 * Returns the row count.
 */
export async function copyRows(
  conn: DuckDBConnection,
  rows: Iterable<unknown[]>,
  table: string,
  columns: readonly DuckColumn[],
): Promise<number> {
  await conn.run(
    `CREATE OR REPLACE TABLE ${ident(table)} (${columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ')})`,
  );
  const app = await conn.createAppender(table);
  const kinds = columns.map((c) => c.type);
  let n = 0;
  for (const row of rows) {
    for (let k = 0; k < kinds.length; k++) {
      const v = row[k];
      if (v === null || v === undefined) app.appendNull();
      else if (kinds[k] === 'DOUBLE') app.appendDouble(v as number);
      else if (kinds[k] === 'BIGINT') app.appendBigInt(BigInt(v as number));
      else if (kinds[k] === 'INTEGER') app.appendInteger(v as number);
      else app.appendVarchar(String(v));
    }
    app.endRow();
    n++;
  }
  app.closeSync();
  return n;
}
