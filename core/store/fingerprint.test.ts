import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataFingerprint, MARKET_TABLES } from './fingerprint';
import { importCsv } from './import';
import { MIGRATIONS } from './migrations';
import { openStore, type Store } from './sqlite-bar-store';
import { tempDir } from './test-helpers';
import { connection } from './internal';

const INSTR = 'symbol,name,sector,currency,listed_on,delisted_on\nAAA,A,Tech,USD,2020-01-01,\n';
const BARS =
  'symbol,date,open,high,low,close,volume\nAAA,2020-01-02,10,11,9,10.5,100\nAAA,2020-01-03,10.5,12,10,11,200\nBBB,2020-01-02,5,5.5,4.5,5,50\n';

async function build(s: Store): Promise<void> {
  await importCsv(s, 'instruments', { fileName: 'i.csv', content: INSTR });
  await importCsv(s, 'bars', { fileName: 'b.csv', content: BARS });
}

describe('dataFingerprint kept in meta', () => {
  it('every market table has insert, update and delete change triggers, so no write path can forget the fingerprint', () => {
    const s = openStore(':memory:');
    const names = new Set(
      connection(s).prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[],
    );
    for (const t of MARKET_TABLES)
      for (const op of ['ins', 'upd', 'del']) expect(names.has(`data_${op}_${t}`)).toBe(true);
    // Each kind of direct write moves it; the same write on another table outside market data does not.
    let fp = dataFingerprint(s);
    const moved = (sql: string): void => {
      connection(s).exec(sql);
      const now = dataFingerprint(s);
      expect(now, sql).not.toBe(fp);
      fp = now;
    };
    moved("INSERT INTO instruments(id, symbol) VALUES (1, 'X')");
    moved('INSERT INTO bars VALUES (1, 0, 1, 1, 1, 1, 1)');
    moved('UPDATE bars SET close = 2');
    moved("INSERT INTO corporate_actions(instrument_id, kind, ex_date, value, known_at) VALUES (1, 'split', 0, 2, 0)");
    moved("INSERT INTO fundamentals VALUES (1, 'eps', 0, 0, 1)");
    moved("INSERT INTO universes(name, instrument_id, valid_from, known_at) VALUES ('u', 1, 0, 0)");
    moved('DELETE FROM bars');
    connection(s).exec("INSERT INTO live_state VALUES ('s', 'k', 'v')");
    expect(dataFingerprint(s)).toBe(fp);
  });

  it('the bulk bars path restores its triggers and counts its rows like the triggers would', async () => {
    const a = openStore(':memory:');
    await build(a);
    // 120,000 rows take the bulk path (index rebuild, triggers suspended).
    const rows = ['symbol,date,open,high,low,close,volume'];
    for (let i = 0; i < 120_000; i++)
      rows.push(
        `S${i % 60},${new Date(Date.UTC(1990, 0, 1) + Math.floor(i / 60) * 86_400_000).toISOString().slice(0, 10)},1,1,1,1,1`,
      );
    const r = await importCsv(a, 'bars', { fileName: 'big.csv', content: rows.join('\n') });
    expect(r.ok && r.value.changed).toBe(120_060);
    const triggers = connection(a)
      .prepare("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'bars'")
      .pluck()
      .get();
    expect(triggers).toBe(3);
    expect(connection(a).prepare("SELECT changes FROM meta WHERE key = 'data'").pluck().get()).toBe(
      1 + 3 + 1 + 120_060,
    );
    const fp = dataFingerprint(a);
    connection(a).exec('UPDATE bars SET volume = 2 WHERE instrument_id = 1');
    expect(dataFingerprint(a)).not.toBe(fp);
  });

  it('is kept in the import transaction: a failed import leaves it, a no-op re-import leaves it', async () => {
    const s = openStore(':memory:');
    await build(s);
    const fp = dataFingerprint(s);
    await importCsv(s, 'bars', { fileName: 'b.csv', content: BARS });
    expect(dataFingerprint(s)).toBe(fp);
    const bad = await importCsv(s, 'bars', {
      fileName: 'x.csv',
      content: 'symbol,date,open,high,low,close,volume\nAAA,2020-01-06,1,1,1,1,-1\n',
    });
    expect(bad.ok).toBe(false);
    expect(dataFingerprint(s)).toBe(fp);
    await importCsv(s, 'bars', {
      fileName: 'c.csv',
      content: 'symbol,date,open,high,low,close,volume\nAAA,2020-01-06,1,1,1,1,1\n',
    });
    expect(dataFingerprint(s)).not.toBe(fp);
  });

  it('a store migrated from schema 2 gets the fingerprint of a fresh store with the same imports, readable read-only', async () => {
    const dir = tempDir();
    const file = join(dir.dir, 'old.db');
    // Build the schema-2 store the previous release would have: migrations 1-2 only, then imports via the current code's SQL.
    const fresh = openStore(':memory:');
    await build(fresh);
    const old = new Database(file);
    old.exec(MIGRATIONS[0]);
    old.exec(MIGRATIONS[1]);
    old.pragma('user_version = 2');
    for (const t of [...MARKET_TABLES, 'imports']) {
      // The columns the schema-2 table has (later migrations add some, e.g. instruments.type).
      const cols = (old.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name).join(', ');
      const rows = connection(fresh).prepare(`SELECT ${cols} FROM ${t}`).raw().all() as unknown[][];
      for (const r of rows) old.prepare(`INSERT INTO ${t} VALUES (${r.map(() => '?').join(',')})`).run(...r);
    }
    old.close();
    const ro = openStore(file, { readonly: true });
    expect(dataFingerprint(ro)).toBe(dataFingerprint(fresh));
    ro.close();
    const migrated = openStore(file);
    expect(dataFingerprint(migrated)).toBe(dataFingerprint(fresh));
    // Later imports extend the same chain on both.
    await importCsv(fresh, 'bars', {
      fileName: 'c.csv',
      content: 'symbol,date,open,high,low,close,volume\nAAA,2020-01-06,1,1,1,1,1\n',
    });
    await importCsv(migrated, 'bars', {
      fileName: 'c.csv',
      content: 'symbol,date,open,high,low,close,volume\nAAA,2020-01-06,1,1,1,1,1\n',
    });
    expect(dataFingerprint(migrated)).toBe(dataFingerprint(fresh));
    migrated.close();
    const reader = openStore(file, { readonly: true });
    expect(dataFingerprint(reader)).toBe(dataFingerprint(fresh));
    reader.close();
    dir.cleanup();
  });
});
