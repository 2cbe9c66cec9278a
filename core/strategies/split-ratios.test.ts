import { describe, expect, it } from 'vitest';
import { runBacktest } from '../backtest/engine';
import { runOptionsFor } from '../backtest/run';
import { parseSpec } from '../backtest/spec';
import { loadPanel } from '../data/panel';
import { parseDate } from '../model/time';
import { importCsv } from '../store/import';
import { openStore, type Store } from '../store/sqlite-bar-store';
import type { CrossSectionView } from '../strategy/types';
import { createCrossSectionView } from './cross-section-view';
import { factorRankParams, factorValue } from './factor-rank';
import { loadPitFacts } from './pit-facts';

const D = (s: string) => parseDate(s)!;

/**
 * SPL trades at 100 until a 2-for-1 split on 2021-02-01 (announced 2021-01-15), then at 50: the same
 * company. Its shares outstanding double and book value per share halves when the split happens, as a
 * data vendor reports them (per actual share). FLAT never splits.
 */
async function splitStore(): Promise<Store> {
  const s = openStore(':memory:');
  const ok = async (kind: 'instruments' | 'bars' | 'actions' | 'fundamentals', content: string) => {
    const r = await importCsv(s, kind, { fileName: `${kind}.csv`, content });
    if (!r.ok) throw new Error(`${r.error.message}\n${(r.error.details ?? []).join('\n')}`);
  };
  await ok(
    'instruments',
    'symbol,name,sector,currency,listed_on,delisted_on\nSPL,Split Co,Tech,USD,2020-01-01,\nFLAT,Flat Co,Tech,USD,2020-01-01,\n',
  );
  const bars = ['symbol,date,open,high,low,close,volume'];
  for (let t: number = D('2021-01-04'); t <= D('2021-03-31'); t += 86_400_000) {
    const d = new Date(t).toISOString().slice(0, 10);
    const p = t >= D('2021-02-01') ? 50 : 100;
    bars.push(`SPL,${d},${p},${p},${p},${p},1000`, `FLAT,${d},20,20,20,20,1000`);
  }
  await ok('bars', bars.join('\n') + '\n');
  await ok('actions', 'symbol,kind,ex_date,value,known_at\nSPL,split,2021-02-01,2,2021-01-15\n');
  await ok(
    'fundamentals',
    [
      'symbol,field,period_end,value,known_at',
      'SPL,shares_outstanding,2020-12-31,1000,2021-01-02',
      'SPL,book_value_per_share,2020-12-31,50,2021-01-02',
      'SPL,eps,2020-12-31,5,2021-01-02',
      'SPL,shares_outstanding,2021-01-31,2000,2021-02-01',
      'SPL,book_value_per_share,2021-01-31,25,2021-02-01',
      'SPL,eps,2021-01-31,2.5,2021-02-01',
      'FLAT,shares_outstanding,2020-12-31,10,2021-01-02',
      'FLAT,book_value_per_share,2020-12-31,10,2021-01-02',
      'FLAT,eps,2020-12-31,1,2021-01-02',
    ].join('\n') + '\n',
  );
  return s;
}

const FIELDS = ['shares_outstanding', 'book_value_per_share', 'eps'];

describe('fundamental ratios across a split', () => {
  it('market cap, PBR, book-to-price and earnings yield are continuous across the split in a pit-adjusted panel', async () => {
    const store = await splitStore();
    const panel = loadPanel(store, { adjustment: 'pit' });
    const facts = loadPitFacts(store, panel.symbols, FIELDS);
    const p = factorRankParams.parse({});
    const before = createCrossSectionView(panel, facts, D('2021-01-29'));
    const after = createCrossSectionView(panel, facts, D('2021-03-01'));
    // The adjusted close is continuous (100 both sides): the price series a return needs...
    expect([before.close('SPL'), after.close('SPL')]).toEqual([100, 100]);
    // ...while the ratios use the traded price, per actual share like the fundamentals.
    expect([before.rawClose('SPL'), after.rawClose('SPL')]).toEqual([100, 50]);
    const ratios = (v: CrossSectionView) =>
      (['market-cap', 'pbr', 'book-to-price', 'earnings-yield'] as const).map((f) => factorValue(f, 'SPL', v, p));
    expect(ratios(before)).toEqual([100_000, 2, 0.5, 0.05]);
    expect(ratios(after)).toEqual(ratios(before));
    expect(factorValue('market-cap', 'FLAT', after, p)).toBe(200);
    // A raw panel gives the same ratios (rawClose = close there).
    const raw = loadPanel(store, { adjustment: 'raw' });
    const rawFacts = loadPitFacts(store, raw.symbols, FIELDS);
    expect(ratios(createCrossSectionView(raw, rawFacts, D('2021-03-01')))).toEqual(ratios(before));
    store.close();
  });

  it('a factor-rank run weighting by market cap keeps the same weights across the split, with the audited and the default views', async () => {
    const store = await splitStore();
    const parsed = parseSpec({
      strategy: 'factor-rank',
      params: {
        rebalance: 'monthly',
        rank: [{ factor: 'pbr', order: 'ascending', weight: 1 }],
        keep: 1,
        weighting: 'cap',
      },
      universe: 'all',
      capital: 1_000_000,
      fill: 'close',
      wholeUnits: false,
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('; '));
    const panel = loadPanel(store, { adjustment: 'pit' });
    const audited = runOptionsFor(store, parsed.spec, panel);
    const facts = loadPitFacts(store, panel.symbols, FIELDS);
    // The engine's own view, fed the same PIT fundamentals.
    const fundamental = (sym: string, field: string, asOf: number) =>
      createCrossSectionView(panel, facts, asOf).fundamental(sym, field);
    for (const options of [audited, { strategy: audited.strategy, fundamental }]) {
      const r = runBacktest(parsed.spec, panel, options);
      // Cap weights: SPL 100,000 / (100,000 + 200) throughout. A wrong (adjusted) price would double
      // SPL's cap after the split and trade at the March rebalance.
      const marchTrades = r.trades.filter((t) => t.exitTime >= D('2021-02-15'));
      expect(marchTrades).toEqual([]);
      const held = r.openPositions.find((o) => o.symbol === 'SPL')!;
      expect(held.qty * held.lastPrice).toBeCloseTo((1_000_000 * 100_000) / 100_200, 0);
    }
    store.close();
  });
});
