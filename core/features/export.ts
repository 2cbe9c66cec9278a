import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatDate } from '../model/time';
import type { Panel } from '../data/panel-types';
import type { FeatureMatrix } from './matrix';

/**
 * Writes a feature matrix as one Parquet file (`features-<featureHash>.parquet` in `dir`) with columns
 * `symbol` (VARCHAR), `date` (DATE) and one DOUBLE per feature (NULL where undefined), rows for days in
 * `[from, to]` where the instrument has a bar. Written through DuckDB to a temp name, then renamed, so a kill
 * never leaves half a file under the final name. Returns the file path and the row count.
 */
export async function exportParquet(
  panel: Panel,
  m: FeatureMatrix,
  dir: string,
  from: number,
  to: number,
): Promise<{ file: string; rows: number }> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  mkdirSync(dir, { recursive: true });
  const file = resolve(join(dir, `features-${m.featureHash}.parquet`));
  const tmp = `${file}.${process.pid}.tmp`;
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  let rows = 0;
  try {
    const cols = m.labels.map((_, j) => `f${j} DOUBLE`).join(', ');
    await con.run(`CREATE TABLE t (symbol VARCHAR, date VARCHAR, ${cols})`);
    const app = await con.createAppender('t');
    const { nInst, nDays, time, close } = panel;
    for (let s = 0; s < nInst; s++) {
      for (let t = 0; t < nDays; t++) {
        const k = s * nDays + t;
        if (time[t] < from || time[t] > to || Number.isNaN(close[k])) continue;
        app.appendVarchar(panel.symbols[s]);
        app.appendVarchar(formatDate(time[t]));
        for (const c of m.columns) {
          const v = c[k];
          if (Number.isFinite(v)) app.appendDouble(v);
          else app.appendNull();
        }
        app.endRow();
        rows++;
      }
    }
    app.closeSync();
    const select = m.labels.map((l, j) => `f${j} AS "${l.replace(/"/g, '""')}"`).join(', ');
    await con.run(
      `COPY (SELECT symbol, CAST(date AS DATE) AS date, ${select} FROM t ORDER BY symbol, date) TO '${tmp.replace(/'/g, "''")}' (FORMAT parquet)`,
    );
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    con.closeSync();
    db.closeSync();
  }
  return { file, rows };
}
