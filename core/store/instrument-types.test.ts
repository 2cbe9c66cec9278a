import { afterEach, describe, expect, it } from 'vitest';
import { importCsv } from './import';
import { openStore, type Store } from './sqlite-bar-store';
import { connection } from './internal';

let s: Store | undefined;
afterEach(() => {
  s?.close();
  s = undefined;
});

const typeOf = (st: Store, sym: string) =>
  connection(st).prepare('SELECT type FROM instruments WHERE symbol = ?').pluck().get(sym);

describe('instrument types in the instruments CSV', () => {
  it('the type column is optional (default stock), in any position, and a re-import without it keeps the types', async () => {
    s = openStore(':memory:');
    let r = await importCsv(s, 'instruments', {
      fileName: 'a.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on\nAAA,A,Tech,USD,,\n',
    });
    expect(r.ok).toBe(true);
    expect(typeOf(s, 'AAA')).toBe('stock');
    r = await importCsv(s, 'instruments', {
      fileName: 'b.csv',
      content:
        'type,symbol,name,sector,currency,listed_on,delisted_on\nETF,QQQ,Nasdaq 100,Funds,USD,,\nindex,SPX,S&P 500,Index,USD,,\n,AAA,A,Tech,USD,,\n',
    });
    expect(r.ok).toBe(true);
    expect([typeOf(s, 'QQQ'), typeOf(s, 'SPX'), typeOf(s, 'AAA')]).toEqual(['etf', 'index', 'stock']);
    r = await importCsv(s, 'instruments', {
      fileName: 'c.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on\nSPX,S&P 500 Index,Index,USD,,\n',
    });
    expect(r.ok).toBe(true);
    expect(typeOf(s, 'SPX')).toBe('index');
    // Unchanged rows with the same type are no change at all.
    r = await importCsv(s, 'instruments', {
      fileName: 'd.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on,type\nQQQ,Nasdaq 100,Funds,USD,,,etf\n',
    });
    expect(r.ok && r.value.changed).toBe(0);
  });

  it('an unknown type is refused with its line and column, and nothing is written', async () => {
    s = openStore(':memory:');
    const r = await importCsv(s, 'instruments', {
      fileName: 'bad.csv',
      content:
        'symbol,name,sector,currency,listed_on,delisted_on,type\nAAA,A,Tech,USD,,,stock\nBBB,B,Tech,USD,,,warrant\n',
    });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.details).toEqual([
        'bad.csv:3: type: unknown type "warrant" (expected one of stock, etf, fund, index, future, option, crypto, fx, bond)',
      ]);
    expect(connection(s).prepare('SELECT count(*) FROM instruments').pluck().get()).toBe(0);
  });
});
