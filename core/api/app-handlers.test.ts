import { describe, expect, it } from 'vitest';
import { importCsv } from '../store/import';
import { openStore } from '../store/sqlite-bar-store';
import { createHandlers } from './handlers';
import { dispatch } from './registry';
import { createServices, disposeServices } from './services';

describe('app:info', () => {
  it('counts instruments and bars (from the cached coverage), and follows an import', async () => {
    const store = openStore(':memory:');
    await importCsv(store, 'instruments', {
      fileName: 'i.csv',
      content: 'symbol,name,sector,currency,listed_on,delisted_on\nAAA,,,USD,,\nBBB,,,USD,,\nCCC,,,USD,,\n',
    });
    await importCsv(store, 'bars', {
      fileName: 'b.csv',
      content:
        'symbol,date,open,high,low,close,volume\nAAA,2020-01-02,1,1,1,1,1\nAAA,2020-01-03,1,1,1,1,1\nBBB,2020-01-02,1,1,1,1,1\n',
    });
    const s = createServices({ store, dbPath: ':memory:', host: 'serve', emit: () => {} });
    const h = createHandlers(s);
    const ctx = { signal: new AbortController().signal };
    try {
      expect(await dispatch(h, 'app:info', undefined, ctx)).toMatchObject({
        ok: true,
        value: { instruments: 3, bars: 3 },
      });
      await importCsv(store, 'bars', {
        fileName: 'c.csv',
        content: 'symbol,date,open,high,low,close,volume\nCCC,2020-01-02,1,1,1,1,1\nCCC,2020-01-03,1,1,1,1,1\n',
      });
      expect(await dispatch(h, 'app:info', undefined, ctx)).toMatchObject({
        ok: true,
        value: { instruments: 3, bars: 5 },
      });
    } finally {
      await disposeServices(s);
      store.close();
    }
  });
});
