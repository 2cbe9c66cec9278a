import { existsSync, readdirSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDate } from '../model/time';
import { importCsv } from '../store/import';
import { barsRange } from '../store/queries';
import { openStore } from '../store/sqlite-bar-store';
import { loadFixture, tempDir } from '../store/test-helpers';
import { panelCacheDir } from './panel-cache';
import { loadPanel, panelIndex, panelSeries } from './panel';

const D = (s: string) => parseDate(s)!;
const round = (a: ArrayLike<number>) => Array.from(a, (x) => (Number.isNaN(x) ? null : +x.toFixed(10)));

describe('loadPanel', () => {
  const dirs: ReturnType<typeof tempDir>[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

  it('lays out instruments × the union of trading days with NaN for missing bars', async () => {
    const s = openStore(':memory:');
    await loadFixture(s);
    const p = loadPanel(s, { adjustment: 'raw' });
    expect(p.symbols).toEqual(['AAA', 'BBB', 'CCC', 'ZZZ']);
    expect(p.sectors).toEqual(['Tech', 'Energy', 'Tech', '']);
    expect(round(p.time)).toEqual(['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07', '2020-01-08'].map(D));
    expect(round(panelSeries(p, 1).close)).toEqual([5, null, null, null, 5]);
    expect(round(panelSeries(p, panelIndex(p, 'ZZZ')).close)).toEqual([null, 1, null, null, null]);
    expect(p.delistedOn[1]).toBe(D('2020-06-30'));
    expect(Number.isNaN(p.delistedOn[0])).toBe(true);
    const sub = loadPanel(s, { symbols: ['ZZZ', 'BBB'], from: D('2020-01-03'), adjustment: 'raw' });
    expect(sub.symbols).toEqual(['ZZZ', 'BBB']);
    expect(round(sub.time)).toEqual([D('2020-01-03'), D('2020-01-08')]);
    expect(round(sub.close)).toEqual([1, null, null, 5]);
    expect(() => loadPanel(s, { symbols: ['NOPE'], adjustment: 'raw' })).toThrow(/unknown symbol NOPE/);
  });

  it('back-adjusted panel equals barsRange adjusted as of the same dates', async () => {
    const s = openStore(':memory:');
    await loadFixture(s);
    for (const asOf of ['2020-01-05', '2020-01-07', '2020-02-01']) {
      const p = loadPanel(s, { adjustment: { asOf: D(asOf) }, to: D('2020-01-07') });
      const r = barsRange(s, 'AAA', { adjustedAsOf: D(asOf), to: D('2020-01-07') });
      if (!r.ok) throw new Error(r.error.message);
      const ser = panelSeries(p, 0);
      expect(round(ser.close)).toEqual(round(r.value.close));
      expect(round(ser.volume)).toEqual(round(r.value.volume));
    }
  });

  it('pit forward-adjusts each bar only by actions known at that bar (hand-computed)', async () => {
    const s = openStore(':memory:');
    await loadFixture(s);
    const p = loadPanel(s, { adjustment: 'pit', symbols: ['AAA'] });
    // Split x2 from 01-06; dividend 0.3 on prior close 6 (1/0.95) from 01-07; the 01-08 dividend is not known until 02-01.
    expect(round(p.close)).toEqual(round([10, 11, 12, (6.2 * 2) / 0.95, (6.3 * 2) / 0.95]));
    expect(round(p.volume)).toEqual([100, 100, 100, 100, 100]);
    // The factor each price was multiplied by: close / priceFactor is the traded close.
    expect(round(p.priceFactor!)).toEqual(round([1, 1, 2, 2 / 0.95, 2 / 0.95]));
    const raw = loadPanel(s, { adjustment: 'raw', symbols: ['AAA'] });
    expect(raw.priceFactor).toBeUndefined();
    expect(round(Array.from(p.close, (c, i) => c / p.priceFactor![i]))).toEqual(round(raw.close));
  });

  it('a warm load from the disk cache equals the cold load; new data invalidates it', async () => {
    const d = tempDir();
    dirs.push(d);
    const db = `${d.dir}/p.db`;
    const s = openStore(db);
    await loadFixture(s);
    const cold = loadPanel(s, { adjustment: { asOf: D('2020-02-01') } });
    expect(readdirSync(panelCacheDir(db)).filter((f) => f.endsWith('.bin'))).toHaveLength(1);
    s.close();
    // A fresh read-only connection (as a worker) has no in-process cache: it must read the file.
    const r = openStore(db, { readonly: true });
    const warm = loadPanel(r, { adjustment: { asOf: D('2020-02-01') } });
    expect(warm).not.toBe(cold);
    for (const k of ['time', 'open', 'high', 'low', 'close', 'volume', 'listedOn', 'delistedOn'] as const)
      expect(round(warm[k])).toEqual(round(cold[k]));
    expect([warm.symbols, warm.sectors, warm.adjustment, warm.fingerprint]).toEqual([
      cold.symbols,
      cold.sectors,
      cold.adjustment,
      cold.fingerprint,
    ]);
    r.close();
    const w = openStore(db);
    await importCsv(w, 'bars', {
      fileName: 'x.csv',
      content: 'symbol,date,open,high,low,close,volume\nBBB,2020-01-09,7,7,7,7,1\n',
    });
    const fresh = loadPanel(w, { adjustment: { asOf: D('2020-02-01') } });
    expect(fresh.fingerprint).not.toBe(cold.fingerprint);
    expect(fresh.nDays).toBe(cold.nDays + 1);
    expect(panelSeries(fresh, 1).close[fresh.nDays - 1]).toBe(7);
    // The stale file was replaced, not kept beside.
    const files = readdirSync(panelCacheDir(db)).filter((f) => f.endsWith('.bin'));
    expect(files).toHaveLength(1);
    expect(files[0].startsWith(fresh.fingerprint)).toBe(true);
    expect(existsSync(`${panelCacheDir(db)}/${files[0]}`)).toBe(true);
    w.close();
  });

  it('a warm load reads open/high/low/volume/priceFactor on first use, even after the file is evicted', async () => {
    const d = tempDir();
    dirs.push(d);
    const db = `${d.dir}/l.db`;
    const s = openStore(db);
    await loadFixture(s);
    const cold = loadPanel(s, { adjustment: 'pit' });
    s.close();
    const r = openStore(db, { readonly: true });
    const warm = loadPanel(r, { adjustment: 'pit' });
    expect(round(warm.close)).toEqual(round(cold.close));
    // Evict every cache file: the columns not read yet still come from the file the panel opened.
    rmSync(panelCacheDir(db), { recursive: true, force: true });
    for (const k of ['open', 'high', 'low', 'volume', 'priceFactor'] as const)
      expect(round(warm[k]!)).toEqual(round(cold[k]!));
    expect(warm.open).toBe(warm.open);
    r.close();
  });

  it('keeps at most 8 cache files for one data fingerprint', async () => {
    const d = tempDir();
    dirs.push(d);
    const db = `${d.dir}/c.db`;
    const s = openStore(db);
    await loadFixture(s);
    for (let k = 0; k < 10; k++) loadPanel(s, { adjustment: { asOf: D('2020-01-01') + k * 86_400_000 } });
    expect(readdirSync(panelCacheDir(db)).filter((f) => f.endsWith('.bin')).length).toBe(8);
    s.close();
  });
});
