import { describe, expect, it } from 'vitest';
import { parseDate } from '../model/time';
import { dataFingerprint } from '../store/fingerprint';
import { barsRange, universeAsOf } from '../store/queries';
import { openStore } from '../store/sqlite-bar-store';
import { hasDefaultDataset, loadDefaultDataset, resolveResourcesDir } from './default';
import { connection } from '../store/internal';

const SMALL = { seed: 11, instruments: 12, start: '2024-01-01', end: '2025-12-31' };

describe('loadDefaultDataset', () => {
  it('loads the synthetic market and the real SPX, then a second call is a no-op that says so', async () => {
    const s = openStore(':memory:');
    const steps = new Set<string>();
    const fractions: number[] = [];
    const r = await loadDefaultDataset(s, {
      market: SMALL,
      onProgress: (p) => {
        steps.add(p.step);
        fractions.push(p.fraction);
      },
    });
    expect(fractions.every((f, i) => i === 0 || f >= fractions[i - 1])).toBe(true);
    expect([fractions[0], fractions.at(-1)]).toEqual([0, 1]);
    expect(r.ok && r.value.loaded).toBe(true);
    expect(hasDefaultDataset(s)).toBe(true);
    expect([...steps]).toEqual(expect.arrayContaining(['generate', 'bars', 'benchmark']));
    const spx = barsRange(s, 'SPX', { from: parseDate('2000-01-03')!, to: parseDate('2000-01-03')! });
    expect(spx.ok && [spx.value.open[0], spx.value.close[0], spx.value.volume[0]]).toEqual([
      1469.25, 1455.219971, 931800000,
    ]);
    expect(connection(s).prepare("SELECT sector FROM instruments WHERE symbol = 'SPX'").pluck().get()).toBe('Index');
    expect(universeAsOf(s, parseDate('2025-06-02')!).length).toBeGreaterThan(5);
    const fp = dataFingerprint(s);
    const again = await loadDefaultDataset(s, { market: SMALL });
    expect(again.ok && again.value).toMatchObject({
      loaded: false,
      message: expect.stringContaining('already loaded'),
    });
    expect(dataFingerprint(s)).toBe(fp);
  });

  it('finds the bundled resources from the repository', () => {
    expect(resolveResourcesDir()).toMatch(/resources$/);
  });

  it('a cancelled load stores nothing of the cancelled file and a later call completes it', async () => {
    const s = openStore(':memory:');
    const ac = new AbortController();
    ac.abort();
    const r = await loadDefaultDataset(s, { market: SMALL, signal: ac.signal });
    expect(r.ok === false && r.error.code).toBe('cancelled');
    expect(connection(s).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(0);
    const done = await loadDefaultDataset(s, { market: SMALL });
    expect(done.ok && done.value.loaded).toBe(true);
  });
});
