import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { loadFixture, tempDir } from '../store/test-helpers';
import { exportParquet, importParquet } from './parquet';
import { runSql } from './sql';
import { connection } from '../store/internal';

const d = tempDir('qd-lake-');
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function open(): Store {
  const s = openStore(':memory:');
  stores.push(s);
  return s;
}

/** Every market fact, keyed by symbol (instrument ids may differ between stores). */
const DUMP = [
  'SELECT symbol, name, sector, currency, listed_on, delisted_on FROM instruments ORDER BY symbol',
  'SELECT i.symbol, ts, open, high, low, close, volume FROM bars JOIN instruments i ON i.id = instrument_id ORDER BY 1, 2',
  'SELECT i.symbol, kind, ex_date, value, known_at FROM corporate_actions JOIN instruments i ON i.id = instrument_id ORDER BY 1, 2, 3, 5',
  'SELECT i.symbol, field, period_end, value, known_at FROM fundamentals JOIN instruments i ON i.id = instrument_id ORDER BY 1, 2, 3, 5',
];

describe('Parquet lake', () => {
  it('export then import into an empty store gives identical query results; a second import changes nothing', async () => {
    const src = open();
    await loadFixture(src);
    // Values that a text round trip could damage: long decimals, an intraday timestamp, quotes and commas.
    const extra = await importCsv(src, 'bars', {
      fileName: 'x.csv',
      content:
        'symbol,date,open,high,low,close,volume\nQQ,2021-03-04T14:30:00Z,0.1,0.30000000000000004,0.1,0.2,123456789.123\n',
    });
    expect(extra.ok).toBe(true);
    connection(src).prepare(`UPDATE instruments SET name = 'Alpha, "the" first' WHERE symbol = 'AAA'`).run();
    const out = join(d.dir, 'lake');
    const ex = await exportParquet(src, out);
    expect(ex.ok && ex.value.kinds.map((k) => [k.kind, k.rows])).toEqual([
      ['instruments', 5],
      ['bars', 9],
      ['actions', 3],
      ['fundamentals', 5],
    ]);
    expect(readdirSync(join(out, 'kind=bars')).sort()).toEqual(['year=2020', 'year=2021']);
    expect(existsSync(join(out, 'kind=instruments', 'data_0.parquet'))).toBe(true);
    const dst = open();
    const im = await importParquet(dst, out);
    expect(im.ok && im.value.map((r) => r.kind)).toEqual(['instruments', 'bars', 'actions', 'fundamentals']);
    for (const q of DUMP) expect([q, connection(dst).prepare(q).all()]).toEqual([q, connection(src).prepare(q).all()]);
    const again = await importParquet(dst, out);
    expect(again.ok && again.value.every((r) => r.changed === 0)).toBe(true);
  });

  it('sql runs DuckDB over store tables and lake views, and both agree', async () => {
    const src = open();
    await loadFixture(src);
    const out = join(d.dir, 'lake2');
    expect((await exportParquet(src, out)).ok).toBe(true);
    const fromStore = await runSql(
      src,
      'SELECT i.symbol, count(*) AS n, round(avg(close), 4) AS avg FROM bars b JOIN instruments i ON i.id = b.instrument_id GROUP BY 1 ORDER BY 1',
    );
    const fromLake = await runSql(
      null,
      'SELECT symbol, count(*) AS n, round(avg(close), 4) AS avg FROM lake.bars GROUP BY 1 ORDER BY 1',
      out,
    );
    expect(fromStore.ok && fromStore.value.rows).toEqual([
      ['AAA', 5, 7.9],
      ['BBB', 2, 5],
      ['ZZZ', 1, 1],
    ]);
    expect(fromLake.ok && fromLake.value.rows).toEqual(fromStore.ok && fromStore.value.rows);
    const pit = await runSql(
      null,
      "SELECT value FROM lake.fundamentals WHERE symbol = 'AAA' AND field = 'eps' AND known_at <= epoch_ms(DATE '2020-05-15') ORDER BY period_end DESC, known_at DESC LIMIT 1",
      out,
    );
    expect(pit.ok && pit.value.rows).toEqual([[1.5]]);
    const bad = await runSql(src, 'SELEC 1');
    expect(!bad.ok && bad.error.message).toMatch(/^sql: .*Parser Error: syntax error at or near "SELEC"/);
  });

  it('import refuses a directory without a lake, and a lake row the CSV validation rejects stores nothing of that kind', async () => {
    const empty = open();
    const none = await importParquet(empty, d.dir);
    expect(!none.ok && none.error.code).toBe('invalid-input');
    const src = open();
    await loadFixture(src);
    connection(src).exec('DROP TRIGGER IF EXISTS data_upd_bars');
    connection(src)
      .prepare(
        "UPDATE bars SET high = 1 WHERE ts = ? AND instrument_id = (SELECT id FROM instruments WHERE symbol = 'AAA')",
      )
      .run(Date.UTC(2020, 0, 3));
    const out = join(d.dir, 'lake3');
    expect((await exportParquet(src, out)).ok).toBe(true);
    const dst = open();
    const r = await importParquet(dst, out);
    expect(!r.ok && r.error.details).toEqual([expect.stringMatching(/bars\.csv:3: high: open 11 > high 1$/)]);
    expect(connection(dst).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(0);
    expect(connection(dst).prepare('SELECT count(*) FROM instruments').pluck().get()).toBe(4);
  });
});
