import { describe, expect, it } from 'vitest';
import { readCsv } from './csv';
import { decimalAt, importCsv } from './import';
import { openStore } from './sqlite-bar-store';
import { tempDir } from './test-helpers';
import { connection } from './internal';

/** Plain rows, then every shape the byte path must hand to the general path, then quoted rows late in the file. */
function trickyBars(): string {
  const lines = ['\uFEFFsymbol,date,open,high,low,close,volume'];
  for (let i = 0; i < 400; i++)
    lines.push(
      `AAA,${new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},10.5,11,10,10.25,${100 + i}`,
    );
  lines.push(
    '',
    'BBB,2021-01-01,.5,5.,0.25,0.5,0',
    'BBB,2021-01-02,1e1,10,10,10,1E2',
    'BBB,2021-01-03,+5,5,5,5,-0',
    ' BBB ,2021-01-04,5,5,5,5,5',
    'BBB,2021-01-05T00:00:00Z,5,5,5,5,5',
    'BBB,2021-01-06,0.1000000000000000055511151231257827,0.30000000000000004,0.1,0.2,12345678901234567',
    'BBB,2021-01-07, 5,5,5,5,5',
    'BBB,2021-02-30,5,5,5,5,5',
    'BBB,2021-01-08,5,5,5,5',
    'BBB,2021-01-09,-5,5,5,5,5',
    'BBB,2021-01-10,5,4,5,5,5',
    'BBB,2021-01-11,5,5,5,5,5,5',
    'BBB,2021-01-12,0.000000000001,1,0.000000000001,1,1',
    'BBB,2021-01-13,.,5,5,5,5',
    'BBB,2021-01-14,-,5,5,5,5',
    'ÉTÉ,2021-01-15,5,5,5,5,5',
    'C\u00A0C,2021-01-16,5,5,5,5,5',
    'BBB,2021-01-17,99999999999999.99,99999999999999.99,1.5,2,3',
    'BBB,2021-01-17,5,5,5,5,5',
  );
  for (let i = 0; i < 50; i++)
    lines.push(`CCC,${new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)},1,2,0.5,1.5,7`);
  lines.push('"DDD",2022-06-01,1,1,1,1,1', '"E,E",2022-06-02,1,1,1,1,"1"');
  return lines.join('\r\n') + '\r\n';
}

describe('the byte-level path for bars files', () => {
  it('hands readCsv the same lines as the text reader, at any chunk size, switching to it at the first quote', async () => {
    const d = tempDir();
    const text = trickyBars();
    const file = d.write('t.csv', text);
    const want: [string[], number][] = [];
    // (In-memory text keeps a BOM in the first field, a decoded file does not: compare without it.)
    await readCsv({ fileName: 't.csv', content: text.slice(1) }, (f, l) => want.push([f, l]));
    for (const chunkBytes of [7, 64, 1000, 1 << 20]) {
      const got: [string[], number][] = [];
      await readCsv({ path: file }, (f, l) => got.push([f, l]), {
        chunkBytes,
        lineSink: (buf, s, e, l) =>
          got.push([
            buf
              .toString('utf8', s, e)
              .replace(/^\uFEFF/, '')
              .split(','),
            l,
          ]),
      });
      expect(got, `chunk ${chunkBytes}`).toEqual(want);
    }
    d.cleanup();
  });

  it('importing the file gives the rows and FILE:LINE errors of importing the same text from memory, bit for bit', async () => {
    const d = tempDir();
    const text = trickyBars();
    const file = d.write('t.csv', text);
    const fromText = openStore(':memory:');
    const a = await importCsv(fromText, 'bars', { fileName: file, content: text });
    const fromFile = openStore(':memory:');
    const b = await importCsv(fromFile, 'bars', { path: file });
    expect(a.ok).toBe(false);
    expect(b).toEqual(a);
    expect(!a.ok && a.error.details!.length).toBeGreaterThan(8);
    // Without the bad rows both import, and store identical doubles.
    const good = text
      .split('\r\n')
      // (A comma inside a symbol is refused: "E,E".)
      .filter(
        (l) =>
          (!/BBB|ÉTÉ|C\u00A0C/.test(l) || /2021-01-0[16]|2021-01-17,5|2021-01-12|ÉTÉ/.test(l)) &&
          !l.startsWith('"E,E"'),
      )
      .join('\n');
    const c = await importCsv(fromText, 'bars', { fileName: file, content: good });
    const e = await importCsv(fromFile, 'bars', { path: d.write('g.csv', good) });
    expect([c, e].map((x) => (x.ok ? 'ok' : x.error.details))).toEqual(['ok', 'ok']);
    const dump = (s: typeof fromText) =>
      connection(s)
        .prepare(
          'SELECT i.symbol, b.ts, b.open, b.high, b.low, b.close, b.volume FROM bars b JOIN instruments i ON i.id = b.instrument_id ORDER BY 1, 2',
        )
        .raw()
        .all();
    const rows = dump(fromFile) as unknown[][];
    expect(rows).toEqual(dump(fromText));
    expect(rows.length).toBe(400 + 4 + 1 + 50 + 1);
    // The CSV's own digits, to show parsing rounds them exactly as JavaScript's literal does.
    expect(rows.find((r) => r[0] === 'BBB' && r[1] === Date.UTC(2021, 0, 6))!.slice(2)).toEqual([
      // eslint-disable-next-line no-loss-of-precision
      0.1000000000000000055511151231257827, 0.30000000000000004, 0.1, 0.2, 12345678901234567,
    ]);
    d.cleanup();
  });
});

describe('decimalAt', () => {
  it('is Number(text) for plain decimals and NaN for anything it leaves to Number()', () => {
    let seed = 3;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const texts: string[] = [
      '0',
      '-0',
      '5.',
      '.5',
      '007.50',
      '123456789012345',
      '0.000000000000000000001',
      '99999999999999.9',
    ];
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(rnd() * 15);
      let t = String(Math.floor(rnd() * 10 ** digits));
      const cut = Math.floor(rnd() * (t.length + 1));
      t = `${rnd() < 0.2 ? '-' : ''}${t.slice(0, cut)}.${t.slice(cut)}`;
      texts.push(t);
    }
    for (const t of texts) {
      const b = Buffer.from(`x,${t},y`);
      expect(decimalAt(b, 2, 2 + t.length), t).toBe(Number(t));
    }
    for (const t of [
      '',
      '-',
      '.',
      '-.',
      '1e5',
      '+1',
      ' 1',
      '1 ',
      '1.2.3',
      '1234567890123456',
      'Infinity',
      '0x10',
      '1,5',
    ]) {
      const b = Buffer.from(t);
      expect(decimalAt(b, 0, b.length), t).toBeNaN();
    }
  });
});
