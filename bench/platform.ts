import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runFetch } from '../core/connectors/fetch';
import { businessDays } from '../core/dataset/synthetic';
import { loadDefaultDataset } from '../core/dataset/default';
import { openDuck, literal } from '../core/lake/duck';
import { exportParquet, importParquet, kindGlob } from '../core/lake/parquet';
import { formatDate } from '../core/model/time';
import { importCsv } from '../core/store/import';
import { openStore } from '../core/store/sqlite-bar-store';
import { measure, printTable, type BenchTable } from './harness';
import { connection } from '../core/store/internal';

/** 500 symbols × 10 years of Stooq-format daily CSV, one body per symbol. */
function stooqBodies(): Map<string, string> {
  const days = Array.from(businessDays('2016-01-01', '2025-12-31'), (t) => formatDate(t));
  const bodies = new Map<string, string>();
  let seed = 7;
  const u = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) | 0) >>> 0) / 4294967296;
  for (let s = 0; s < 500; s++) {
    let p = 20 + 100 * u();
    const lines = ['Date,Open,High,Low,Close,Volume'];
    for (const d of days) {
      const o = Math.round(p * 100) / 100;
      p *= 1 + (u() - 0.5) * 0.03;
      const c = Math.round(p * 100) / 100;
      lines.push(`${d},${o},${Math.max(o, c)},${Math.min(o, c)},${c},${Math.floor(u() * 1e6)}`);
    }
    bodies.set(`s${s}.us`, lines.join('\n'));
  }
  return bodies;
}

async function fetchBench(dir: string): Promise<BenchTable> {
  const bodies = stooqBodies();
  const server = createServer((req, res) => {
    const s = new URL(req.url ?? '/', 'http://x').searchParams.get('s') ?? '';
    res.writeHead(200, { 'content-type': 'text/csv' });
    res.end(bodies.get(s) ?? 'No data');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const symbols = [...bodies.keys()];
  const rows = [...bodies.values()].reduce((n, b) => n + b.split('\n').length - 1, 0);
  // Baseline: the same rows as one CSV file through `quantdesk import` (no HTTP, no quality checks).
  const csvFile = join(dir, 'fetch-baseline.csv');
  writeFileSync(
    csvFile,
    `symbol,date,open,high,low,close,volume\n${symbols
      .map((s) =>
        bodies
          .get(s)!
          .split('\n')
          .slice(1)
          .map((l) => `${s.toUpperCase()},${l}`)
          .join('\n'),
      )
      .join('\n')}\n`,
  );
  let k = 0;
  const csv = await measure(
    async () => {
      const st = openStore(join(dir, `fb-${k++}.db`));
      const r = await importCsv(st, 'bars', { path: csvFile });
      st.close();
      if (!r.ok) throw new Error(r.error.message);
    },
    { runs: 1, warmup: 0 },
  );
  const fetched = await measure(
    async () => {
      const st = openStore(join(dir, `ff-${k++}.db`));
      const r = await runFetch(st, 'stooq', { symbols }, { http: { baseUrl: base, minIntervalMs: 0 } });
      st.close();
      if (!r.ok || r.value.imports[0].rows !== rows) throw new Error(r.ok ? 'row count' : r.error.message);
    },
    { runs: 1, warmup: 0 },
  );
  server.close();
  const rate = (ms: number) => `${Math.round(rows / (ms / 1000)).toLocaleString('en-US')} rows/s`;
  return printTable(
    `Fetch to store: 500 symbols × 10 years (${rows.toLocaleString('en-US')} rows) from a loopback Stooq server`,
    [
      { name: 'baseline: the same rows as one CSV, quantdesk import', baseline: true, ...csv, note: rate(csv.median) },
      {
        name: 'quantdesk fetch stooq (500 requests, validation, import, data-quality checks)',
        ...fetched,
        note: rate(fetched.median),
      },
    ],
  );
}

async function lakeBench(dir: string): Promise<BenchTable[]> {
  const src = openStore(join(dir, 'default.db'));
  const loaded = await loadDefaultDataset(src);
  if (!loaded.ok) throw new Error(loaded.error.message);
  const bars = connection(src).prepare('SELECT count(*) FROM bars').pluck().get() as number;
  const lake = join(dir, 'lake');
  const exp = await measure(
    async () => {
      const r = await exportParquet(src, lake);
      if (!r.ok) throw new Error(r.error.message);
    },
    { runs: 1, warmup: 0 },
  );
  let k = 0;
  const imp = await measure(
    async () => {
      const dst = openStore(join(dir, `imp-${k++}.db`));
      const r = await importParquet(dst, lake);
      dst.close();
      if (!r.ok) throw new Error(r.error.message);
    },
    { runs: 1, warmup: 0 },
  );
  const t1 = printTable(
    `Parquet lake: the default dataset (${bars.toLocaleString('en-US')} bars, actions, fundamentals)`,
    [
      { name: 'export parquet (SQLite → DuckDB appender → hive-partitioned Parquet)', baseline: true, ...exp },
      { name: 'import parquet (Parquet → CSV stream → importCsv validation → SQLite)', ...imp },
    ],
  );
  // One aggregate: per symbol and year, average close and total volume.
  const sqliteQ = connection(src).prepare(
    "SELECT i.symbol, strftime('%Y', b.ts / 1000, 'unixepoch') AS y, avg(b.close), sum(b.volume) FROM bars b JOIN instruments i ON i.id = b.instrument_id GROUP BY 1, 2",
  );
  const sqlite = await measure(() => sqliteQ.all(), { runs: 5, warmup: 1 });
  const duck = await openDuck();
  await duck.conn.run(
    `CREATE VIEW bars AS SELECT * FROM read_parquet(${literal(kindGlob(lake, 'bars'))}, hive_partitioning = true)`,
  );
  const duckQ = 'SELECT symbol, year, avg(close), sum(volume) FROM bars GROUP BY 1, 2';
  const duckRows = (await duck.conn.runAndReadAll(duckQ)).currentRowCount;
  const ddb = await measure(async () => (await duck.conn.runAndReadAll(duckQ)).currentRowCount, { runs: 5, warmup: 1 });
  duck.close();
  src.close();
  const t2 = printTable(
    `Aggregate avg(close), sum(volume) by symbol and year over ${bars.toLocaleString('en-US')} bars (${duckRows} groups)`,
    [
      { name: 'SQLite store (better-sqlite3)', baseline: true, ...sqlite },
      { name: 'DuckDB over the Parquet lake (2 threads)', ...ddb },
    ],
  );
  return [t1, t2];
}

/** Data-platform benchmarks (issue 19): fetch-to-store, the Parquet lake round trip, DuckDB vs SQLite. */
export async function platformTables(root: string): Promise<BenchTable[]> {
  const dir = join(root, 'platform');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    return [await fetchBench(dir), ...(await lakeBench(dir))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
