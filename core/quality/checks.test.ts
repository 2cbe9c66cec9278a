import { afterEach, describe, expect, it } from 'vitest';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { DAY_MS, formatDate } from '../model/time';
import { checkQuality, listFindings } from './checks';
import { connection } from '../store/internal';

let store: Store;
afterEach(() => store?.close());

/** 60 weekdays from 2024-01-01 for a symbol, closes from `close(i)`, volume from `vol(i)`; `skip` days omitted. */
function series(
  symbol: string,
  close: (i: number) => number,
  vol: (i: number) => number = () => 1000,
  skip: number[] = [],
): string {
  let out = '';
  let d = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 60;) {
    const dow = new Date(d).getUTCDay();
    if (dow !== 0 && dow !== 6) {
      if (!skip.includes(i)) {
        const c = close(i);
        out += `${symbol},${formatDate(d)},${c},${c},${c},${c},${vol(i)}\n`;
      }
      i++;
    }
    d += DAY_MS;
  }
  return out;
}

const wiggle = (i: number) => 100 * (1 + 0.01 * Math.sin(i * 1.7) + 0.004 * Math.cos(i * 3.1));

describe('checkQuality', () => {
  it('finds gaps, stale closes, outliers, an unannounced split and volume anomalies; stores them once and alerts', async () => {
    store = openStore(':memory:');
    const csv =
      'symbol,date,open,high,low,close,volume\n' +
      series('OK1', wiggle) +
      series('OK2', (i) => wiggle(i + 5)) +
      series('GAP', wiggle, undefined, [10, 11, 12]) +
      series('STALE', (i) => (i >= 30 && i < 36 ? wiggle(30) : wiggle(i))) +
      series('JUMP', (i) => (i === 40 ? wiggle(i) * 1.35 : wiggle(i))) +
      series('SPLIT', (i) => (i >= 25 ? wiggle(i) / 2 : wiggle(i))) +
      series('VOL', wiggle, (i) => (i === 45 ? 100_000 : i === 50 ? 0 : 1000));
    expect((await importCsv(store, 'bars', { fileName: 'b.csv', content: csv })).ok).toBe(true);
    const now = Date.UTC(2024, 5, 1);
    const found = checkQuality(store, { now });
    const by = (s: string) => found.filter((f) => f.symbol === s).map((f) => [f.check, formatDate(f.ts)]);
    expect(by('OK1')).toEqual([]);
    expect(by('OK2')).toEqual([]);
    expect(by('GAP')).toEqual([['gap', '2024-01-15']]);
    expect(found.find((f) => f.symbol === 'GAP')!.value).toBe(3);
    expect(by('STALE')).toEqual([['stale', '2024-02-16']]);
    // The spike and its reversal the next day.
    expect(by('JUMP')).toEqual([
      ['outlier', '2024-02-26'],
      ['outlier', '2024-02-27'],
    ]);
    expect(by('SPLIT')).toEqual([['split', '2024-02-05']]);
    expect(by('VOL')).toEqual([
      ['volume', '2024-03-04'],
      ['volume', '2024-03-11'],
    ]);
    // Stored, queryable, not repeated; one alert per symbol.
    expect(checkQuality(store, { now: now + 1 })).toEqual([]);
    const split = listFindings(store, { symbol: 'SPLIT' })[0];
    expect(split).toMatchObject({ check: 'split', severity: 'critical' });
    expect(Math.abs(split.value! - 2)).toBeLessThan(0.06);
    const alerts = connection(store)
      .prepare("SELECT symbol, severity FROM alerts WHERE session = 'data-quality' ORDER BY symbol")
      .all();
    expect(alerts).toEqual([
      { symbol: 'GAP', severity: 'info' },
      { symbol: 'JUMP', severity: 'warning' },
      { symbol: 'SPLIT', severity: 'critical' },
      { symbol: 'STALE', severity: 'warning' },
      { symbol: 'VOL', severity: 'warning' },
    ]);
  });

  it('a split recorded as a corporate action on that date is not a finding', async () => {
    store = openStore(':memory:');
    const csv =
      'symbol,date,open,high,low,close,volume\n' + series('SPLIT', (i) => (i >= 25 ? wiggle(i) / 2 : wiggle(i)));
    expect((await importCsv(store, 'bars', { fileName: 'b.csv', content: csv })).ok).toBe(true);
    expect(
      (
        await importCsv(store, 'actions', {
          fileName: 'a.csv',
          content: 'symbol,kind,ex_date,value,known_at\nSPLIT,split,2024-02-05,2,2024-01-20\n',
        })
      ).ok,
    ).toBe(true);
    expect(checkQuality(store).filter((f) => f.check === 'split')).toEqual([]);
  });
});
