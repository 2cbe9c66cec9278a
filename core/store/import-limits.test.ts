import { execFileSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CSV_LIMITS } from './csv';
import { dataFingerprint } from './fingerprint';
import { importCsv, type ImportKind } from './import';
import { openStore, type Store } from './sqlite-bar-store';
import { FIXTURE, loadFixture, tempDir } from './test-helpers';
import { connection } from './internal';

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
function mk() {
  const d = tempDir('qd-limits-');
  dirs.push(d);
  return d;
}

async function fixtureStore(): Promise<Store> {
  const s = openStore(':memory:');
  await loadFixture(s);
  return s;
}

function snapshot(s: Store): unknown {
  const q = (t: string) => connection(s).prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all();
  return { i: q('instruments'), b: q('bars'), f: q('fundamentals'), a: q('corporate_actions'), fp: dataFingerprint(s) };
}

const H = {
  instruments: 'symbol,name,sector,currency,listed_on,delisted_on',
  bars: 'symbol,date,open,high,low,close,volume',
  actions: 'symbol,kind,ex_date,value,known_at',
  fundamentals: 'symbol,field,period_end,value,known_at',
};

describe('import: only bounded, regular, text files', () => {
  it('refuses a directory, /dev/zero and a FIFO at once with a clear message (no read, no hang)', async () => {
    const d = mk();
    const fifo = join(d.dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    const s = openStore(':memory:');
    const cases: [string, string][] = [
      [d.dir, `${d.dir}: is a directory, not a file; nothing was imported`],
      ['/dev/zero', '/dev/zero: is a device, not a regular file; nothing was imported'],
      [fifo, `${fifo}: is a FIFO (named pipe), not a regular file; nothing was imported`],
    ];
    for (const kind of ['instruments', 'bars'] as const) {
      for (const [path, message] of cases) {
        const t0 = performance.now();
        const r = await importCsv(s, kind, { path });
        expect(performance.now() - t0).toBeLessThan(1000);
        expect(r.ok === false && r.error).toMatchObject({ code: 'invalid-input', message });
      }
    }
  });

  it('refuses a file over the size limit before reading it (a sparse 1 GiB + 1 file)', async () => {
    const d = mk();
    const p = d.write('big.csv', `${H.bars}\n`);
    truncateSync(p, CSV_LIMITS.fileBytes + 1);
    const r = await importCsv(openStore(':memory:'), 'bars', { path: p });
    expect(r.ok === false && r.error.message).toBe(
      `${p}: is ${CSV_LIMITS.fileBytes + 1} bytes, over the ${CSV_LIMITS.fileBytes}-byte import limit; nothing was imported`,
    );
  });

  it('refuses binary data (NUL) and a line over the limit, on both the byte and the text paths, without echoing the line', async () => {
    const d = mk();
    const s = await fixtureStore();
    const before = snapshot(s);
    const zeros = d.write('zeros.csv', `${H.bars}\nAAA,2020-01-02,1,1,1,1,1\n${'\u0000'.repeat(3_000_000)}`);
    for (const kind of ['bars', 'instruments'] as const) {
      const r = await importCsv(s, kind, { path: zeros });
      expect(r.ok === false && r.error.message).toBe(
        `${zeros}:3: binary data (a NUL byte); not a CSV text file; nothing was imported`,
      );
    }
    const long = 'A'.repeat(10 * 1024 * 1024);
    for (const [kind, text, line] of [
      ['bars', `${H.bars}\nAAA,2020-01-02,1,1,1,1,1\n${long}\n`, 3],
      ['bars', `${H.bars}\n"AAA",2020-01-02,1,1,1,1,1\n${long}`, 3],
      ['instruments', `${H.instruments}\n"${long}\n`, 2],
    ] as const) {
      const p = d.write('long.csv', text);
      const r = await importCsv(s, kind, { path: p });
      expect(r.ok).toBe(false);
      expect(JSON.stringify(r).length).toBeLessThan(600);
      expect(!r.ok && r.error.details?.[0]).toMatch(
        new RegExp(`long\\.csv:${line}: \\(record\\): (line|quoted record) longer than 65536 bytes`),
      );
    }
    expect(snapshot(s)).toEqual(before);
  });

  it('refuses a field over 1024 characters without quoting it', async () => {
    const s = openStore(':memory:');
    const r = await importCsv(s, 'instruments', {
      fileName: 'f.csv',
      content: `${H.instruments}\nAAA,${'n'.repeat(2000)},Tech,USD,2020-01-01,\n`,
    });
    expect(!r.ok && r.error.details).toEqual(['f.csv:2: name: field longer than 1024 characters']);
  });
});

describe('import: data hygiene', () => {
  // Each row is bad in exactly one way; the error names the file, line, column and the reason.
  const BAD: [ImportKind, string, string][] = [
    ['instruments', 'AA\u0001A,Alpha,Tech,USD,2020-01-01,', 'symbol: contains a control character (U+0001)'],
    ['instruments', 'AAB,Al\u0007pha,Tech,USD,2020-01-01,', 'name: contains a control character (U+0007)'],
    [
      'instruments',
      '"AAA,X",Alpha,Tech,USD,2020-01-01,',
      'symbol: "AAA,X" is not a symbol (letters, digits and . _ - ^ / : = &)',
    ],
    ['instruments', '=1+1,Alpha,Tech,USD,2020-01-01,', 'symbol: "=1+1" starts with = (a spreadsheet formula); refused'],
    [
      'instruments',
      'AAC,"=HYPERLINK(""http://x"")",Tech,USD,2020-01-01,',
      'name: "=HYPERLINK(\\"http://x\\")" starts with = (a spreadsheet formula); refused',
    ],
    [
      'instruments',
      'AAD,Alpha,@SUM(A1),USD,2020-01-01,',
      'sector: "@SUM(A1)" starts with @ (a spreadsheet formula); refused',
    ],
    ['instruments', 'AAE,+Alpha,Tech,USD,2020-01-01,', 'name: "+Alpha" starts with + (a spreadsheet formula); refused'],
    ['instruments', `${'S'.repeat(33)},Alpha,Tech,USD,2020-01-01,`, 'symbol: longer than 32 characters'],
    ['instruments', `AAF,${'n'.repeat(300)},Tech,USD,2020-01-01,`, 'name: longer than 256 characters'],
    ['instruments', 'AAG,Caf\uFFFD,Tech,USD,2020-01-01,', 'name: is not valid UTF-8 (or contains U+FFFD)'],
    ['bars', 'AAA,2020-01-02,0xC,12,12,12,1', 'open: "0xC" is not a number (decimal digits only)'],
    ['bars', 'AAA,2020-01-02,12,Infinity,12,12,1', 'high: "Infinity" is not a number'],
    ['bars', 'AAA,2020-01-02,1e308,1e308,1e308,1e308,1', 'open: 1e+308 is out of range [1e-12, 1000000000000]'],
    ['bars', 'AAA,2020-01-02,5e-324,5e-324,5e-324,5e-324,1', 'open: 5e-324 is out of range [1e-12, 1000000000000]'],
    [
      'bars',
      'AAA,2020-01-02,1,1,1,1,1e19',
      'volume: 10000000000000000000 is out of range (at most 1000000000000000000)',
    ],
    ['bars', 'AAA,2020-01-02,1,1,1,1,1e999', 'volume: "1e999" is out of range'],
    ['bars', '=AAA,2020-01-02,1,1,1,1,1', 'symbol: "=AAA" starts with = (a spreadsheet formula); refused'],
    ['bars', '-AAA,2020-01-02,1,1,1,1,1', 'symbol: "-AAA" starts with - (a spreadsheet formula); refused'],
    [
      'actions',
      'AAA,split,2020-01-02,1e308,2020-01-01',
      'value: split ratio 1e+308 is out of range [0.000001, 1000000]',
    ],
    ['actions', 'AAA,dividend,2020-01-02,0x10,2020-01-01', 'value: "0x10" is not a number (decimal digits only)'],
    [
      'fundamentals',
      'AAA,eps,2020-03-31,1e308,2020-05-01',
      'value: 1e+308 is out of range (at most ±1000000000000000000)',
    ],
  ];

  it.each(BAD)('%s %j is refused with FILE:LINE: column: reason, nothing stored', async (kind, row, reason) => {
    const s = await fixtureStore();
    const before = snapshot(s);
    const r = await importCsv(s, kind, { fileName: 'h.csv', content: `${H[kind]}\n${row}\n` });
    // (A price out of range in every column is reported once per column.)
    expect(!r.ok && r.error.details?.[0]).toBe(`h.csv:2: ${reason}`);
    expect(!r.ok && r.error.details?.every((x) => x.startsWith('h.csv:2: '))).toBe(true);
    expect(snapshot(s)).toEqual(before);
  });

  it('reads files as bytes: Latin-1 text and a NUL inside a symbol are refused, not stored as U+FFFD or a cut name', async () => {
    const d = mk();
    const s = await fixtureStore();
    const before = snapshot(s);
    const latin1 = join(d.dir, 'latin1.csv');
    writeFileSync(
      latin1,
      Buffer.concat([
        Buffer.from(`${H.instruments}\nAAH,Caf`),
        Buffer.from([0xe9]),
        Buffer.from(',Tech,USD,2020-01-01,\n'),
      ]),
    );
    const r1 = await importCsv(s, 'instruments', { path: latin1 });
    expect(!r1.ok && r1.error.details).toEqual([`${latin1}:2: name: is not valid UTF-8 (or contains U+FFFD)`]);
    const nul = d.write('nul.csv', `${H.bars}\nAA\u0000A,2020-01-02,1,1,1,1,1\n`);
    const r2 = await importCsv(s, 'bars', { path: nul });
    expect(!r2.ok && r2.error.message).toBe(
      `${nul}:2: binary data (a NUL byte); not a CSV text file; nothing was imported`,
    );
    expect(snapshot(s)).toEqual(before);
  });

  it('still takes plain symbols of every market and ordinary numbers', async () => {
    const s = openStore(':memory:');
    const syms = ['BRK.B', '005930', 'BTC-USD', '^GSPC', 'ES=F', 'ÉTÉ', 'AAPL'];
    const r = await importCsv(s, 'bars', {
      fileName: 'ok.csv',
      content: `${H.bars}\n${syms.map((x, i) => `${x},2020-01-0${i + 1},1.5,+2,1e-6,0.000001,-0`).join('\n')}\n`,
    });
    expect(r.ok ? r.value.rows : r.error.details).toBe(syms.length);
    expect(FIXTURE.bars.length).toBeGreaterThan(0);
  });
});
