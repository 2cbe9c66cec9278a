import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadPanel } from '../data/panel';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import type { Decision, SingleStrategy } from '../strategy/types';
import { runBacktest } from './engine';
import { parseSpec, type BacktestSpecInput } from './spec';
import { panelForSpec } from './run';

/**
 * XYZ, raw prices; a 2-for-1 split ex 2020-01-07 (known 2019-12-20) and a 0.50 dividend ex 2020-01-09
 * (known that day). SPX, an index listed long before, is the benchmark.
 */
const BARS = `symbol,date,open,high,low,close,volume
XYZ,2020-01-02,100,100,100,100,1000
XYZ,2020-01-03,100,102,100,102,1000
XYZ,2020-01-06,104,104,104,104,1000
XYZ,2020-01-07,52,53,52,53,2000
XYZ,2020-01-08,53,54,53,54,2000
XYZ,2020-01-09,53.5,53.5,53.5,53.5,2000
XYZ,2020-01-10,54,55,54,55,2000
SPX,2019-12-30,3000,3000,3000,3000,1
SPX,2019-12-31,3010,3010,3010,3010,1
SPX,2020-01-02,3020,3020,3020,3020,1
SPX,2020-01-06,3030,3030,3030,3030,1
SPX,2020-01-07,3040,3040,3040,3040,1
SPX,2020-01-08,3050,3050,3050,3050,1
SPX,2020-01-09,3060,3060,3060,3060,1
SPX,2020-01-10,3070,3070,3070,3070,1
`;

async function market(): Promise<Store> {
  const s = openStore(':memory:');
  const files: [Parameters<typeof importCsv>[1], string][] = [
    [
      'instruments',
      'symbol,name,sector,currency,listed_on,delisted_on\nXYZ,Xyz,Tech,USD,2019-01-01,\nSPX,Index,Index,USD,2000-01-01,\n',
    ],
    ['bars', BARS],
    [
      'actions',
      'symbol,kind,ex_date,value,known_at\nXYZ,split,2020-01-07,2,2019-12-20\nXYZ,dividend,2020-01-09,0.5,2020-01-09\n',
    ],
  ];
  for (const [kind, content] of files) {
    const r = await importCsv(s, kind, { fileName: `${kind}.csv`, content });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
  }
  return s;
}

/** Buys at bar `buyAt`'s decision, sells at `sellAt`'s, and records the closes it was shown. */
function scripted(
  buyAt: number,
  sellAt: number,
  seen: number[],
  intent?: (close: number) => Decision,
): SingleStrategy<Record<string, never>, { i: number }> {
  return {
    kind: 'single',
    name: 'scripted',
    description: 'test',
    params: z.object({}).strict() as unknown as SingleStrategy<Record<string, never>, { i: number }>['params'],
    init: () => ({ i: 0 }),
    onBar(st, bar) {
      seen.push(bar.close);
      const i = st.i++;
      if (i === buyAt) return intent ? intent(bar.close) : 1;
      if (i === sellAt) return 0;
      return null;
    },
  };
}

const spec = (over: BacktestSpecInput | object = {}) => {
  const r = parseSpec({
    strategy: 'scripted',
    symbols: ['XYZ'],
    sizing: { method: 'fixed-qty', qty: 10 },
    commission: { fixed: 1 },
    ...over,
  });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.spec;
};

let store: Store | undefined;
afterEach(() => {
  store?.close();
  store = undefined;
});

describe('trading in traded prices', () => {
  it('a split doubles the shares and halves their cost; a dividend is paid into cash on its ex date (worked by hand)', async () => {
    store = await market();
    const sp = spec();
    const seen: number[] = [];
    const r = runBacktest(sp, panelForSpec(store, sp), { strategy: scripted(0, 5, seen) });
    // Buy 10 at 01-03's open (100) for 1000 + 1 commission: cash 98,999.
    // 01-07: split, 20 shares at a cost of 50. 01-09: dividend 20 × 0.50 = 10 into cash (99,009).
    // Sell 20 at 01-10's open (54) − 1: cash 100,088.
    expect(Array.from(r.equity.value)).toEqual([
      100_000,
      98_999 + 10 * 102,
      98_999 + 10 * 104,
      98_999 + 20 * 53,
      98_999 + 20 * 54,
      99_009 + 20 * 53.5,
      100_088,
    ]);
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    expect(t).toMatchObject({
      qty: 20,
      entryPrice: 50,
      exitPrice: 54,
      splitRatio: 2,
      commission: 2,
      pnl: 20 * (54 - 50) - 2,
    });
    // The trade's P&L is the round trip; the dividend is income on the account, not in the trade.
    expect(r.metrics.finalEquity).toBe(100_088);
    expect(r.metrics.totalReturn).toBeCloseTo(88 / 100_000, 12);
    // Signals read the adjusted series (the split was known before 01-07: prices from then on ×2).
    expect(seen.slice(0, 5)).toEqual([100, 102, 104, 106, 108]);
  });

  it('signalPrices "raw" shows the strategy the traded prices; fills and the account are the same', async () => {
    store = await market();
    const sp = spec({ signalPrices: 'raw' });
    const seen: number[] = [];
    const r = runBacktest(sp, panelForSpec(store, sp), { strategy: scripted(0, 5, seen) });
    expect(seen).toEqual([100, 102, 104, 53, 54, 53.5, 55]);
    expect(r.metrics.finalEquity).toBe(100_088);
    // The older `adjustment: "raw"` means the same.
    const old = spec({ adjustment: 'raw' });
    const seenOld: number[] = [];
    runBacktest(old, panelForSpec(store, old), { strategy: scripted(0, 5, seenOld) });
    expect(seenOld).toEqual(seen);
  });

  it('a short pays the dividend; levels named in adjusted prices are converted to traded ones', async () => {
    store = await market();
    const sp = spec({ fill: 'close' });
    const r = runBacktest(sp, panelForSpec(store, sp), { strategy: scripted(1, 6, [], () => -1) });
    // Short 10 at 01-03's close (102) − 1; split: −20 at a cost of 51; dividend: −20 × 0.5 = −10; cover at 01-10's close 55 − 1.
    expect(r.trades[0]).toMatchObject({ side: 'short', qty: 20, entryPrice: 51, exitPrice: 55, splitRatio: 2 });
    expect(r.metrics.finalEquity).toBeCloseTo(100_000 + 1020 - 1 - 10 - 1100 - 1, 9);
    const stopped = runBacktest(spec(), panelForSpec(store, spec()), {
      strategy: scripted(0, 99, [], (c) => ({ target: -1, stopLoss: c * 1.07 })),
    });
    // Short at 01-03's open 100; stop 107 → 53.5 after the split; 01-08's high 54 touches it: exit at 53.5 (the stop, no gap).
    expect(stopped.trades[0]).toMatchObject({
      side: 'short',
      qty: 20,
      entryPrice: 50,
      exitReason: 'stop-loss',
      splitRatio: 2,
    });
    expect(stopped.trades[0].exitPrice).toBeCloseTo(53.5, 9);
  });

  it('a benchmark never changes the run: same bars, trades and metrics (but alpha and beta)', async () => {
    store = await market();
    const without = spec();
    const withB = spec({ benchmark: 'SPX' });
    const a = runBacktest(without, panelForSpec(store, without), { strategy: scripted(0, 5, []) });
    const b = runBacktest(withB, panelForSpec(store, withB), { strategy: scripted(0, 5, []) });
    expect(Array.from(b.equity.time)).toEqual(Array.from(a.equity.time));
    expect(Array.from(b.equity.value)).toEqual(Array.from(a.equity.value));
    expect(b.trades).toEqual(a.trades);
    const { alpha: _a, beta: _b, informationRatio: _ia, ...restA } = a.metrics;
    const { alpha: _c, beta: _d, informationRatio: _ib, ...restB } = b.metrics;
    expect(restB).toEqual(restA);
    // The benchmark is aligned to the run's bars (SPX has no 01-03 bar: its 01-02 close carries).
    expect(b.metrics.beta).not.toBeNull();
  });

  it('panels keep the traded prices and the actions through the disk cache', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'qd-tm-'));
    try {
      const s = openStore(join(dir, 'm.db'));
      const mem = await market();
      // Copy the market into the file store through the same import path.
      for (const [kind, content] of [
        [
          'instruments',
          'symbol,name,sector,currency,listed_on,delisted_on\nXYZ,Xyz,Tech,USD,2019-01-01,\nSPX,Index,Index,USD,2000-01-01,\n',
        ],
        ['bars', BARS],
        [
          'actions',
          'symbol,kind,ex_date,value,known_at\nXYZ,split,2020-01-07,2,2019-12-20\nXYZ,dividend,2020-01-09,0.5,2020-01-09\n',
        ],
      ] as const) {
        const r = await importCsv(s, kind, { fileName: `${kind}.csv`, content });
        expect(r.ok).toBe(true);
      }
      mem.close();
      const fresh = loadPanel(s, { symbols: ['XYZ'], adjustment: 'pit', noCache: true });
      loadPanel(s, { symbols: ['XYZ'], adjustment: 'pit' }); // writes the cache file
      s.close();
      const again = openStore(join(dir, 'm.db'));
      const cached = loadPanel(again, { symbols: ['XYZ'], adjustment: 'pit' });
      expect(Array.from(cached.raw!.open)).toEqual([100, 100, 104, 52, 53, 53.5, 54]);
      expect(Array.from(cached.raw!.close)).toEqual(Array.from(fresh.raw!.close));
      expect(Array.from(cached.actions!.bar)).toEqual([3, 5]);
      expect(Array.from(cached.actions!.value)).toEqual([2, 0.5]);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
