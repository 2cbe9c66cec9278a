/**
 * Strategy benchmarks. The first run generates the database (~2 minutes) and warms its caches.
 * - W3: monthly `factor-rank` over 2,000 instruments × 20 years of daily bars with a PIT universe
 *   (staggered listings, a quarter of the names delisted) and quarterly fundamentals with restatements:
 *   fresh store → panel (data layer, disk cache) → PIT facts (index cache) → 240 audited rebalances, and the whole
 *   engine run (`runSpecOnStore`: orders, fills, equity, metrics). Target < 1 s.
 *   Baseline: the same decisions with a naive data load (bars read from SQLite each run, no panel cache;
 *   fundamentals through the field index), measured once.
 * - W4: one fundamental for 2,000 instruments as of a date. Target p50 < 2 ms. Baseline: the plain SQL
 *   "as of" query (window function); compared with the data layer's `crossSectionAsOf` and our PIT index.
 * The generated database is kept in the temp directory and reused across runs.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPanel } from '../core/data/panel';
import type { Panel } from '../core/data/panel-types';
import { DAY_MS } from '../core/model/time';
import { parseSpec } from '../core/backtest/spec';
import { runSpecOnStore } from '../core/backtest/run';
import { crossSectionAsOf } from '../core/store/cross-section';
import { openStore, type Store } from '../core/store/sqlite-bar-store';
import { createCrossSectionView } from '../core/strategies/cross-section-view';
import { factorFields, factorRank, factorRankParams } from '../core/strategies/factor-rank';
import { rng } from '../core/strategies/fixtures';
import { buildPitField, loadPitFacts, pitRowAt, type PitFacts } from '../core/strategies/pit-facts';
import { runRebalances } from '../core/strategies/rebalance';
import { measure, printTable, type BenchTable } from './harness';
import { connection } from '../core/store/internal';

const N_INST = 2000;
const YEARS = 20;
const START = Date.UTC(2004, 0, 1);
const DB = join(tmpdir(), `quantdesk-bench-w3-v1-${N_INST}x${YEARS}.db`);

/** Weekdays from START for YEARS years. */
function tradingDays(): number[] {
  const out: number[] = [];
  const end = Date.UTC(2004 + YEARS, 0, 1);
  for (let t = START; t < end; t += DAY_MS) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6) out.push(t);
  }
  return out;
}

function generate(path: string): void {
  const tmp = `${path}.partial`;
  rmSync(tmp, { force: true });
  const store = openStore(tmp);
  const db = connection(store);
  db.pragma('synchronous = OFF');
  const r = rng(42);
  const days = tradingDays();
  const insInst = db.prepare(
    'INSERT INTO instruments (id, symbol, sector, listed_on, delisted_on) VALUES (?, ?, ?, ?, ?)',
  );
  const insBar = db.prepare('INSERT INTO bars VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insFund = db.prepare('INSERT INTO fundamentals VALUES (?, ?, ?, ?, ?)');
  const t0 = performance.now();
  db.transaction(() => {
    for (let i = 1; i <= N_INST; i++) {
      const first = r() < 0.7 ? 0 : Math.floor(r() * days.length * 0.75);
      const last = r() < 0.25 ? first + Math.floor(r() * (days.length - first)) : days.length;
      const listed = days[first];
      const delisted = last < days.length ? days[last] : null;
      insInst.run(i, `S${String(i).padStart(4, '0')}`, `sector${i % 10}`, listed, delisted);
      let p = 5 + r() * 95;
      const drift = (r() - 0.5) * 0.0008;
      for (let d = first; d < last; d++) {
        const o = p * (1 + (r() - 0.5) * 0.004);
        p = o * (1 + drift + (r() - 0.5) * 0.03);
        insBar.run(i, days[d], o, Math.max(o, p) * 1.005, Math.min(o, p) * 0.995, p, 1000 + Math.floor(r() * 1e5));
      }
      let shares = 1e6 * (1 + r() * 500);
      let book = p * (0.2 + r() * 2);
      let eps = p * (r() - 0.2) * 0.1;
      for (let q = START - 91 * DAY_MS; q < days[days.length - 1]; q += 91 * DAY_MS) {
        const known = q + (30 + Math.floor(r() * 30)) * DAY_MS;
        shares *= 1 + (r() - 0.5) * 0.02;
        book *= 1 + (r() - 0.45) * 0.05;
        eps *= 1 + (r() - 0.5) * 0.2;
        insFund.run(i, 'shares_outstanding', q, known, shares);
        insFund.run(i, 'book_value_per_share', q, known, book);
        insFund.run(i, 'eps', q, known, eps);
        if (r() < 0.2) insFund.run(i, 'book_value_per_share', q, known + 30 * DAY_MS, book * (0.9 + r() * 0.2)); // restatement
      }
    }
  })();
  store.close();
  renameSync(tmp, path);
  rmSync(`${tmp}-wal`, { force: true });
  rmSync(`${tmp}-shm`, { force: true });
  console.error(`bench/strategies: generated ${path} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** The plain SQL "as of" query: latest period, latest version, known at `asOf`. */
const NAIVE_SQL = `SELECT instrument_id, value FROM (
  SELECT instrument_id, value, ROW_NUMBER() OVER (PARTITION BY instrument_id ORDER BY period_end DESC, known_at DESC) AS rn
  FROM fundamentals WHERE field = ? AND known_at <= ?) WHERE rn = 1`;

/** Facts the straightforward way: every row of a field through its index into objects, then indexed. */
function naiveFacts(store: Store, panel: Panel, fields: readonly string[]): PitFacts {
  const ids = new Map(
    (connection(store).prepare('SELECT id, symbol FROM instruments').raw().all() as [number, string][]).map(
      ([id, s]) => [id, s],
    ),
  );
  const index = new Map(panel.symbols.map((s, i) => [s, i]));
  const q = connection(store)
    .prepare('SELECT instrument_id, period_end, known_at, value FROM fundamentals WHERE field = ?')
    .raw();
  const out = new Map();
  for (const field of fields) {
    const rows = (q.all(field) as [number, number, number, number][]).map(([id, periodEnd, knownAt, value]) => ({
      inst: index.get(ids.get(id)!)!,
      periodEnd,
      knownAt,
      value,
    }));
    out.set(field, buildPitField(field, panel.nInst, rows));
  }
  return { fields: out, universe: null };
}

/** Runs the W3 and W4 benchmarks and prints their tables. */
export async function run(): Promise<BenchTable[]> {
  if (!existsSync(DB)) generate(DB);
  const params = factorRankParams.parse({
    rebalance: 'monthly',
    filters: [{ factor: 'market-cap', bottom: 0.2 }],
    rank: [{ factor: 'pbr' }],
    keep: 0.5,
  });
  const fields = factorFields(params);
  {
    // Warm the panel's on-disk cache once (the first load of a new data fingerprint builds it).
    const s = openStore(DB, { readonly: true });
    const panel = loadPanel(s, { adjustment: 'raw' });
    loadPitFacts(s, panel.symbols, fields); // and the facts' index cache
    s.close();
  }
  let picks = 0;
  let rebalances = 0;
  const w3 = async () => {
    const store = openStore(DB, { readonly: true }); // fresh connection: no in-process cache
    const panel = loadPanel(store, { adjustment: 'raw' });
    const facts = loadPitFacts(store, panel.symbols, fields);
    const rs = runRebalances(factorRank, params, panel, facts);
    rebalances = rs.length;
    picks = rs.reduce((a, x) => a + x.weights.size, 0);
    store.close();
  };
  let panelMs = 0;
  let factsMs = 0;
  let decideMs = 0;
  let cpuMs = 0;
  const w3parts = async () => {
    const cpu0 = process.cpuUsage();
    const store = openStore(DB, { readonly: true });
    let t = performance.now();
    const panel = loadPanel(store, { adjustment: 'raw' });
    panelMs = performance.now() - t;
    t = performance.now();
    const facts = loadPitFacts(store, panel.symbols, fields);
    factsMs = performance.now() - t;
    t = performance.now();
    runRebalances(factorRank, params, panel, facts);
    decideMs = performance.now() - t;
    store.close();
    const cpu = process.cpuUsage(cpu0);
    cpuMs = (cpu.user + cpu.system) / 1000;
  };
  const naive = async () => {
    const store = openStore(DB, { readonly: true });
    const panel = loadPanel(store, { adjustment: 'raw', noCache: true });
    runRebalances(factorRank, params, panel, naiveFacts(store, panel, fields));
    store.close();
  };
  const spec = parseSpec({
    strategy: 'factor-rank',
    params,
    universe: 'all',
    sizing: 'equal-weight',
    direction: 'long-only',
    commission: { rate: 0.001 },
  });
  if (!spec.ok) throw new Error(spec.errors.join('; '));
  let trades = 0;
  const engine = async () => {
    const store = openStore(DB, { readonly: true });
    trades = runSpecOnStore(store, spec.spec).result.trades.length;
    store.close();
  };
  const tNaive = await measure(naive, { runs: 1, warmup: 0 });
  const tW3 = await measure(w3, { runs: 5, warmup: 1 });
  await w3parts();
  const tEngine = await measure(engine, { runs: 3, warmup: 1 });
  const w3Table = printTable(
    `W3: monthly factor-rank, ${N_INST} instruments × ${YEARS} years, PIT universe with delistings (target < 1000 ms)`,
    [
      { name: 'naive load: bars from SQLite, facts via field index; same decisions', baseline: true, ...tNaive },
      {
        name: 'ours: panel cache + PIT index + audited decisions',
        ...tW3,
        note: `${rebalances} rebalances, ${picks} picks; one run: panel ${panelMs.toFixed(0)} ms, facts ${factsMs.toFixed(0)} ms, decisions ${decideMs.toFixed(0)} ms, CPU ${cpuMs.toFixed(0)} ms`,
      },
      { name: 'whole engine run (runSpecOnStore, pit prices)', ...tEngine, note: `${trades} trades` },
    ],
  );

  // W4: one field, every instrument, as of a date.
  const store = openStore(DB, { readonly: true });
  const panel = loadPanel(store, { adjustment: 'raw' });
  const facts = loadPitFacts(store, panel.symbols, ['book_value_per_share']);
  const field = facts.fields.get('book_value_per_share')!;
  const r = rng(7);
  const span = panel.time[panel.nDays - 1] - panel.time[0];
  const dates = Array.from({ length: 64 }, () => panel.time[0] + Math.floor(r() * span));
  let k = 0;
  const next = () => dates[k++ % dates.length];
  const out = new Float64Array(panel.nInst);
  const q = connection(store).prepare(NAIVE_SQL).raw();
  crossSectionAsOf(store, 'book_value_per_share', dates[0]); // builds the data layer's index once
  const tSql = await measure(() => q.all('book_value_per_share', next()), { runs: 30, warmup: 2 });
  const tLayer = await measure(() => crossSectionAsOf(store, 'book_value_per_share', next()), {
    runs: 200,
    warmup: 10,
  });
  const tOurs = await measure(
    () => {
      const d = next();
      for (let s = 0; s < panel.nInst; s++) {
        const row = pitRowAt(field, s, d);
        out[s] = row < 0 ? Number.NaN : field.value[row];
      }
    },
    { runs: 200, warmup: 10 },
  );
  const tView = await measure(
    () => {
      const v = createCrossSectionView(panel, facts, next());
      for (const sym of v.universe) v.fundamental(sym, 'book_value_per_share');
    },
    { runs: 200, warmup: 10 },
  );
  store.close();
  const w4Table = printTable(
    `W4: PIT cross-section, one field × ${N_INST} instruments as of a date (target p50 < 2 ms)`,
    [
      { name: 'naive: SQL window query', baseline: true, ...tSql },
      { name: 'data layer: crossSectionAsOf (indexed)', ...tLayer },
      { name: 'ours: PIT index, binary search per instrument', ...tOurs },
      { name: 'ours: audited CrossSectionView (universe + field)', ...tView },
    ],
  );
  return [w3Table, w4Table];
}
