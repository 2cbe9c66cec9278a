import { describe, expect, it } from 'vitest';
import { importCsv } from '../store/import';
import { openStore } from '../store/sqlite-bar-store';
import { backtestFromStore } from './run';
import { parseSpec, type BacktestSpecInput } from './spec';
import { BacktestInputError } from './types';

/** Business days of 2020-2021 for four names: DEAD delists at the end of 2020-06. */
async function store() {
  const s = openStore(':memory:');
  const inst = [
    'symbol,name,sector,currency,listed_on,delisted_on',
    'AAA,,,USD,,',
    'BBB,,,USD,,',
    'CCC,,,USD,,',
    'DEAD,,,USD,,2020-07-01',
  ];
  await importCsv(s, 'instruments', { fileName: 'i.csv', content: inst.join('\n') + '\n' });
  const bars = ['symbol,date,open,high,low,close,volume'];
  const price: Record<string, number> = { AAA: 10, BBB: 20, CCC: 40, DEAD: 5 };
  for (let t = Date.UTC(2020, 0, 1); t <= Date.UTC(2021, 11, 31); t += 86_400_000) {
    const wd = new Date(t).getUTCDay();
    if (wd === 0 || wd === 6) continue;
    const d = new Date(t).toISOString().slice(0, 10);
    for (const sym of Object.keys(price)) {
      if (sym === 'DEAD' && d >= '2020-07-01') continue;
      price[sym] *= sym === 'AAA' ? 1.001 : sym === 'DEAD' ? 0.999 : 1.0002;
      const p = price[sym].toFixed(4);
      bars.push(`${sym},${d},${p},${p},${p},${p},1000`);
    }
  }
  await importCsv(s, 'bars', { fileName: 'b.csv', content: bars.join('\n') + '\n' });
  // shares known 2020-01-01 for all; AAA's book value becomes known only on 2021-02-15
  const f = ['symbol,field,period_end,value,known_at'];
  for (const [sym, sh] of [
    ['AAA', 1e6],
    ['BBB', 5e6],
    ['CCC', 5e6],
    ['DEAD', 1e5],
  ] as const)
    f.push(`${sym},shares_outstanding,2019-12-31,${sh},2020-01-01`);
  for (const [sym, bv] of [
    ['BBB', 30],
    ['CCC', 10],
    ['DEAD', 50],
  ] as const)
    f.push(`${sym},book_value_per_share,2019-12-31,${bv},2020-01-01`);
  f.push('AAA,book_value_per_share,2020-12-31,100,2021-02-15');
  const r = await importCsv(s, 'fundamentals', { fileName: 'f.csv', content: f.join('\n') + '\n' });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return s;
}

function spec(over: Partial<BacktestSpecInput>) {
  const r = parseSpec({ strategy: 'factor-rank', universe: 'all', capital: 100_000, ...over });
  if (!r.ok) throw new Error(r.errors.join('; '));
  return r.spec;
}

describe('backtests from the store', () => {
  it('runs factor-rank over the PIT universe with an audit that never reads past a decision date', async () => {
    const s = await store();
    // the design example: the smallest half by market cap, then the lowest PBR, yearly
    const params = {
      rebalance: 'yearly',
      filters: [{ factor: 'market-cap', bottom: 0.5 }],
      rank: [{ factor: 'pbr', order: 'ascending' }],
      keep: 0.5,
    };
    const { output, result } = backtestFromStore(s, spec({ params }));
    expect(result.audit.length).toBe(2);
    for (const a of result.audit) expect(a.latestKnownAt).toBeLessThanOrEqual(a.date);
    // 2020: smallest caps DEAD (0.5M) and AAA (10M); AAA has no book value yet -> DEAD (PBR 0.1) is held
    const dead = output.trades.find((t) => t.symbol === 'DEAD');
    expect(dead).toMatchObject({ exitReason: 'delisted', exitTime: '2020-06-30' });
    expect(output.trades.find((t) => t.symbol === 'DEAD')?.entryTime).toBe('2020-01-02');
    // 2021: DEAD is gone; AAA's book value (known 2021-02-15) is not visible at the January rebalance
    expect(output.openPositions.map((p) => p.symbol)).not.toContain('DEAD');
    expect(output.spec.universe).toBe('all');
    s.close();
  });

  it('runs a single-symbol strategy on every listed name for universe "all", and names bad input', async () => {
    const s = await store();
    const { output } = backtestFromStore(
      s,
      spec({ strategy: 'sma-cross', params: { fast: 5, slow: 20 }, sizing: 'equal-weight' }),
      { save: false },
    );
    let businessDays = 0;
    for (let t = Date.UTC(2020, 0, 1); t <= Date.UTC(2021, 11, 31); t += 86_400_000)
      if (new Date(t).getUTCDay() % 6 !== 0) businessDays++;
    expect(output.equity).toHaveLength(businessDays);
    expect(output.metrics.finalEquity).toBe(100_000); // steady trends never cross: no trades, nothing lost
    expect(() => backtestFromStore(s, spec({ strategy: 'sma-cross', universe: 'sp500' }))).toThrow(/universe/);
    expect(() =>
      backtestFromStore(s, spec({ strategy: 'sma-cross', universe: undefined, symbols: ['AAA'], benchmark: 'ZZZ' })),
    ).toThrow(BacktestInputError);
    s.close();
  });
});
