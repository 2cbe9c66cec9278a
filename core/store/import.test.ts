import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../cli/main';
import { bufferIO } from '../cli/io';
import { readCsv } from './csv';
import { dataFingerprint } from './fingerprint';
import { importCsv } from './import';
import { openStore, type Store } from './sqlite-bar-store';
import { tempDir } from './test-helpers';
import { connection } from './internal';

const INSTR =
  'symbol,name,sector,currency,listed_on,delisted_on\nAAA,"Alpha, Inc.",Tech,USD,2020-01-01,\nBBB,Beta,Energy,USD,2020-01-01,2020-06-30\n';
const BARS =
  'symbol,date,open,high,low,close,volume\nAAA,2020-01-02,10,11,9,10.5,100\nAAA,2020-01-03,10.5,12,10,11,200\nBBB,2020-01-02,5,5.5,4.5,5,50\n';

function snapshot(s: Store): unknown {
  const q = (t: string) => connection(s).prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all();
  return {
    i: q('instruments'),
    b: q('bars'),
    f: q('fundamentals'),
    a: q('corporate_actions'),
    imp: connection(s).prepare('SELECT count(*) n FROM imports').get(),
  };
}

describe('readCsv', () => {
  it('handles RFC 4180 quotes, embedded newlines, CRLF and chunk boundaries', async () => {
    const text = 'a,b\r\n"x, ""y""",2\r\n"multi\nline",3\n\nplain,4';
    for (const chunkBytes of [1, 3, 1000]) {
      const got: [string[], number][] = [];
      await readCsv({ fileName: 't.csv', content: text }, (f, l) => got.push([f, l]), { chunkBytes });
      expect(got).toEqual([
        [['a', 'b'], 1],
        [['x, "y"', '2'], 2],
        [['multi\nline', '3'], 3],
        [['plain', '4'], 6],
      ]);
    }
  });
});

describe('importCsv', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
  const mk = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };

  it('imports instruments and bars, and re-importing changes nothing (fingerprint stable)', async () => {
    const s = openStore(':memory:');
    const r1 = await importCsv(s, 'instruments', { fileName: 'i.csv', content: INSTR });
    expect(r1.ok && r1.value.changed).toBe(2);
    const r2 = await importCsv(s, 'bars', { fileName: 'b.csv', content: BARS });
    expect(r2.ok && r2.value).toMatchObject({ rows: 3, changed: 3 });
    expect(connection(s).prepare("SELECT name FROM instruments WHERE symbol='AAA'").pluck().get()).toBe('Alpha, Inc.');
    const fp = dataFingerprint(s);
    const snap = snapshot(s);
    const again = await importCsv(s, 'bars', { fileName: 'b.csv', content: BARS });
    expect(again.ok && again.value).toMatchObject({ changed: 0, importId: null });
    expect(snapshot(s)).toEqual(snap);
    expect(dataFingerprint(s)).toBe(fp);
    // A changed bar is a data change: the fingerprint moves.
    const r3 = await importCsv(s, 'bars', { fileName: 'b2.csv', content: BARS.replace('10.5,100', '10.6,100') });
    expect(r3.ok && r3.value.changed).toBe(1);
    expect(dataFingerprint(s)).not.toBe(fp);
  });

  it('stores every row across multi-row batches and the tail, values intact', async () => {
    const s = openStore(':memory:');
    const lines = ['symbol,date,open,high,low,close,volume'];
    for (let i = 0; i < 301; i++) {
      const d = new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      lines.push(`${i % 2 ? 'ODD' : ' EVEN '},${d},${i + 1},${i + 2},${i + 0.5},${i + 1.5},${i}`);
    }
    const r = await importCsv(s, 'bars', { fileName: 'many.csv', content: lines.join('\n') });
    expect(r.ok && r.value).toMatchObject({ rows: 301, changed: 303 });
    const rows = connection(s)
      .prepare(
        'SELECT i.symbol, b.open, b.volume FROM bars b JOIN instruments i ON i.id = b.instrument_id ORDER BY b.ts',
      )
      .raw()
      .all();
    expect(rows.length).toBe(301);
    rows.forEach((row, i) => expect(row).toEqual([i % 2 ? 'ODD' : 'EVEN', i + 1, i]));
  });

  it('a bulk import (rebuilding the bar indexes) keeps the indexes and every row', async () => {
    const s = openStore(':memory:');
    const lines = ['symbol,date,open,high,low,close,volume'];
    for (let k = 0; k < 40; k++) {
      for (let i = 0; i < 2600; i++)
        lines.push(
          `K${k},${new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},${k + 1},${k + 2},${k + 1},${k + 1},${i}`,
        );
    }
    const r = await importCsv(s, 'bars', { fileName: 'bulk.csv', content: lines.join('\n') });
    expect(r.ok && r.value.rows).toBe(104_000);
    expect(
      connection(s)
        .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'bars' AND sql IS NOT NULL")
        .pluck()
        .all(),
    ).toEqual(['bars_ts']);
    expect(connection(s).prepare('SELECT count(*), sum(volume) FROM bars').raw().get()).toEqual([
      104_000,
      (40 * (2599 * 2600)) / 2,
    ]);
    const plan = connection(s).prepare('EXPLAIN QUERY PLAN SELECT DISTINCT ts FROM bars WHERE ts > 0').all() as {
      detail: string;
    }[];
    expect(plan.map((p) => p.detail).join(' ')).toContain('bars_ts');
  });

  it('creates the instrument for a bar of an unknown symbol, accepts ISO datetimes with zone', async () => {
    const s = openStore(':memory:');
    const r = await importCsv(s, 'bars', {
      fileName: 'b.csv',
      content: 'symbol,date,open,high,low,close,volume\nZZZ,2020-01-02T14:30:00-05:00,1,1,1,1,0\n',
    });
    expect(r.ok).toBe(true);
    expect(
      connection(s)
        .prepare("SELECT b.ts FROM bars b JOIN instruments i ON i.id=b.instrument_id WHERE symbol='ZZZ'")
        .pluck()
        .get(),
    ).toBe(Date.UTC(2020, 0, 2, 19, 30));
  });

  const rejections: [string, 'bars' | 'instruments' | 'fundamentals' | 'actions', string, string[]][] = [
    [
      'bad header',
      'bars',
      'symbol,date,open,high,low,close\nAAA,2020-01-02,1,1,1,1\n',
      ['x.csv:1: header: missing column "volume"'],
    ],
    [
      'bad number and date',
      'bars',
      'symbol,date,open,high,low,close,volume\nAAA,2020-02-30,1,1,1,1,1\nAAA,2020-01-06,x,1,1,1,1\n',
      ['x.csv:2: date: "2020-02-30"', 'x.csv:3: open: "x" is not a number'],
    ],
    [
      'OHLC inconsistent',
      'bars',
      'symbol,date,open,high,low,close,volume\nAAA,2020-01-02,1,2,1.5,1.8,1\nAAA,2020-01-03,1,2,0.5,2.5,1\n',
      ['x.csv:2: low: low 1.5 > open 1', 'x.csv:3: high: close 2.5 > high 2'],
    ],
    [
      'negative volume',
      'bars',
      'symbol,date,open,high,low,close,volume\nAAA,2020-01-02,1,1,1,1,-5\n',
      ['x.csv:2: volume: must be >= 0'],
    ],
    [
      'duplicate bar',
      'bars',
      'symbol,date,open,high,low,close,volume\nAAA,2020-01-03,1,1,1,1,1\nAAA,2020-01-02,1,1,1,1,1\nAAA,2020-01-03,1,1,1,1,2\n',
      ['x.csv:4: date: duplicate of line 2'],
    ],
    [
      'wrong field count',
      'bars',
      'symbol,date,open,high,low,close,volume\nAAA,2020-01-02,1,1,1\n',
      ['x.csv:2: (record): expected 7 fields, found 5'],
    ],
    [
      'duplicate instrument',
      'instruments',
      'symbol,name,sector,currency,listed_on,delisted_on\nAAA,a,T,USD,2020-01-01,\nAAA,b,T,USD,2020-01-01,\n',
      ['x.csv:3: symbol: duplicate of line 2'],
    ],
    [
      'delisted before listed',
      'instruments',
      'symbol,name,sector,currency,listed_on,delisted_on\nCCC,c,T,USD,2020-01-01,2019-01-01\n',
      ['x.csv:2: delisted_on: before listed_on'],
    ],
    [
      'fundamental known before period end',
      'fundamentals',
      'symbol,field,period_end,value,known_at\nAAA,eps,2020-03-31,1,2020-03-01\n',
      ['x.csv:2: known_at: before period_end'],
    ],
    [
      'unknown symbol for fundamentals',
      'fundamentals',
      'symbol,field,period_end,value,known_at\nNOPE,eps,2020-03-31,1,2020-05-01\n',
      ['x.csv:2: symbol: unknown instrument "NOPE"'],
    ],
    [
      'bad action kind and value',
      'actions',
      'symbol,kind,ex_date,value,known_at\nAAA,merger,2020-03-31,1,2020-03-01\nAAA,split,2020-03-31,0,2020-03-01\n',
      ['x.csv:2: kind: "merger"', 'x.csv:3: value: must be > 0'],
    ],
    [
      'unterminated quote',
      'instruments',
      'symbol,name,sector,currency,listed_on,delisted_on\nDDD,"open,T,USD,2020-01-01,\n',
      ['x.csv:2: (record): unterminated quoted field'],
    ],
  ];
  for (const [name, kind, content, expected] of rejections) {
    it(`rejects ${name}: exit-worthy errors with FILE:LINE: column, data untouched`, async () => {
      const s = openStore(':memory:');
      await importCsv(s, 'instruments', { fileName: 'i.csv', content: INSTR });
      await importCsv(s, 'bars', { fileName: 'b.csv', content: BARS });
      const before = snapshot(s);
      const fp = dataFingerprint(s);
      // A good row beside the bad one must not be stored either.
      const good = {
        bars: 'AAA,2020-01-10,1,1,1,1,1\n',
        instruments: 'EEE,e,T,USD,,\n',
        fundamentals: 'AAA,eps,2019-12-31,1,2020-02-01\n',
        actions: 'AAA,dividend,2020-01-03,0.1,2019-12-01\n',
      }[kind];
      const r = await importCsv(s, kind, {
        fileName: 'x.csv',
        content: content + (name === 'unterminated quote' ? '' : good),
      });
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe('invalid-input');
      expect(r.error.details?.length).toBe(expected.length);
      expected.forEach((e, i) => expect(r.error.details?.[i]).toContain(e));
      expect(snapshot(s)).toEqual(before);
      expect(dataFingerprint(s)).toBe(fp);
    });
  }

  it('lists up to 100 bad rows then counts the rest', async () => {
    const s = openStore(':memory:');
    const rows = Array.from({ length: 150 }, (_, i) => `AAA,2020-01-02,1,1,1,1,-${i + 1}`).join('\n');
    const r = await importCsv(s, 'bars', {
      fileName: 'x.csv',
      content: `symbol,date,open,high,low,close,volume\n${rows}\n`,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.details?.length).toBe(101);
    expect(r.error.details?.[100]).toContain('50 more bad rows');
    expect(r.error.message).toContain('150 bad rows');
  });

  it('keeps a restatement beside the original fundamental', async () => {
    const s = openStore(':memory:');
    await importCsv(s, 'instruments', { fileName: 'i.csv', content: INSTR });
    const r = await importCsv(s, 'fundamentals', {
      fileName: 'f.csv',
      content: 'symbol,field,period_end,value,known_at\nAAA,eps,2020-03-31,1.0,2020-05-01\n',
    });
    expect(r.ok).toBe(true);
    await importCsv(s, 'fundamentals', {
      fileName: 'f2.csv',
      content: 'symbol,field,period_end,value,known_at\nAAA,eps,2020-03-31,1.2,2020-08-01\n',
    });
    expect(connection(s).prepare('SELECT value FROM fundamentals ORDER BY known_at').pluck().all()).toEqual([1.0, 1.2]);
  });

  it('a cancelled import stores nothing', async () => {
    const s = openStore(':memory:');
    const ac = new AbortController();
    ac.abort();
    const r = await importCsv(s, 'bars', { fileName: 'b.csv', content: BARS }, { signal: ac.signal });
    expect(r.ok === false && r.error.code).toBe('cancelled');
    expect(connection(s).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(0);
  });

  it('CLI: exit 0 and JSON report; exit 2 with FILE:LINE lines on stderr', async () => {
    const d = mk();
    const db = `${d.dir}/sub/q.db`;
    const good = d.write('b.csv', BARS);
    const io = bufferIO();
    expect(await main(['import', 'bars', good, '--db', db, '--json'], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ kind: 'bars', rows: 3, changed: 5 });
    const badFile = d.write(
      'bad.csv',
      'symbol,date,open,high,low,close,volume\nAAA,2020-01-09,1,1,1,1,-1\nAAA,nope,1,1,1,1,1\n',
    );
    const io2 = bufferIO();
    expect(await main(['import', 'bars', badFile, '--db', db], io2)).toBe(2);
    expect(io2.stdout()).toBe('');
    expect(io2.stderr()).toContain(`${badFile}:2: volume: must be >= 0`);
    expect(io2.stderr()).toContain(`${badFile}:3: date: "nope"`);
    const io3 = bufferIO();
    expect(await main(['import', 'widgets', good, '--db', db], io3)).toBe(2);
    const io4 = bufferIO();
    expect(await main(['import', 'bars', `${d.dir}/missing.csv`, '--db', db], io4)).toBe(2);
    expect(io4.stderr()).toContain('missing.csv: no such file');
    const io5 = bufferIO();
    expect(await main(['query', 'universe', '--date', '2020-01-01', '--db', `${d.dir}/nope.db`, '--json'], io5)).toBe(
      2,
    );
    expect(io5.stdout()).toBe('');
    const s = openStore(db);
    expect(connection(s).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(3);
    s.close();
  });
});

describe('dataFingerprint', () => {
  it('is equal for stores built by the same imports and ignores writes outside market data', async () => {
    const a = openStore(':memory:');
    const b = openStore(':memory:');
    for (const s of [a, b]) {
      await importCsv(s, 'instruments', { fileName: 'i.csv', content: INSTR });
      await importCsv(s, 'bars', { fileName: 'b.csv', content: BARS });
    }
    expect(dataFingerprint(a)).toBe(dataFingerprint(b));
    const before = dataFingerprint(a);
    connection(a)
      .prepare(
        "INSERT INTO runs(id, kind, status, spec, engine_version, data_fingerprint, created_at) VALUES ('r1', 'backtest', 'done', '{}', '1', ?, 0)",
      )
      .run(before);
    expect(dataFingerprint(a)).toBe(before);
    // A write that bypasses the import service still shows (row counts are part of the hash).
    connection(a).prepare("INSERT INTO instruments(symbol) VALUES ('RAW')").run();
    expect(dataFingerprint(a)).not.toBe(before);
  });
});
