import { afterEach, describe, expect, it } from 'vitest';
import { ScreenDef } from '../model/desk';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { loadFixture } from '../store/test-helpers';
import { columnTable } from './columns';
import { runScreen } from './screen';

const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});
async function fixture(): Promise<Store> {
  const s = openStore(':memory:');
  stores.push(s);
  await loadFixture(s);
  return s;
}

describe('screener (point in time)', () => {
  it('reads bars up to the date and fundamentals known by it: no look-ahead', async () => {
    const store = await fixture();
    const cols = [{ kind: 'last' }, { kind: 'fundamental', field: 'eps' }, { kind: 'return', bars: 1 }] as const;
    // 2020-01-03: the last bar is 11 (not the later 6.3), eps of 2019 is not known until 2020-02-15.
    let t = await columnTable(store, ['AAA'], cols, d('2020-01-03'));
    expect(t.values[0][0]).toBe(11);
    expect(t.values[0][1]).toBeNull();
    expect(t.values[0][2]).toBeCloseTo(10, 10);
    expect(t.barTime[0]).toBe(d('2020-01-03'));
    // 2020-01-06: the 2:1 split (known 2019-12-20) makes the traded 6 an adjusted 12: return 12/11 - 1, not 6/11 - 1.
    t = await columnTable(store, ['AAA'], cols, d('2020-01-06'));
    expect(t.values[0][0]).toBe(6);
    expect(t.values[0][2]).toBeCloseTo((12 / 11 - 1) * 100, 10);
    // eps as known then: 1.0 on 2020-03-01 (its restatement 1.1 came 2020-05-01), 1.5 on 2020-05-15 (1.6 came 2020-06-01).
    expect((await columnTable(store, ['AAA'], cols, d('2020-03-01'))).values[0][1]).toBe(1.0);
    expect((await columnTable(store, ['AAA'], cols, d('2020-05-15'))).values[0][1]).toBe(1.5);
    expect((await columnTable(store, ['AAA'], cols, d('2020-06-02'))).values[0][1]).toBe(1.6);
    // A symbol the store lacks gets nulls.
    expect((await columnTable(store, ['NOPE'], cols, d('2020-06-02'))).values[0]).toEqual([null, null, null]);
  });

  it('screens the universe listed at the date, filters and ranks', async () => {
    const store = await fixture();
    const def = (asOf: string, extra: object = {}) =>
      ScreenDef.parse({
        asOf: d(asOf),
        columns: [{ kind: 'fundamental', field: 'eps' }, { kind: 'last' }],
        rank: { column: 0, order: 'desc' },
        ...extra,
      });
    // BBB is listed until 2020-06-30, CCC from 2021: neither shows where it was not listed.
    const may = await runScreen(store, def('2020-05-25'));
    expect(may.symbols.filter((s) => s !== 'ZZZ')).toEqual(['AAA', 'BBB']);
    expect(may.values[0][0]).toBe(1.5);
    expect(may.values[1][0]).toBe(0.7);
    expect((await runScreen(store, def('2020-07-01'))).symbols).not.toContain('BBB');
    // BBB's eps was not known on 2020-05-19: a filter on it drops BBB then, keeps it after.
    const filt = { filters: [{ column: 0, op: '>', value: 0.5 }] };
    expect((await runScreen(store, def('2020-05-19', filt))).symbols).toEqual(['AAA']);
    expect((await runScreen(store, def('2020-05-20', filt))).symbols).toEqual(['AAA', 'BBB']);
    expect(
      (await runScreen(store, def('2020-05-20', { filters: [{ column: 0, op: 'between', value: 0.6, value2: 0.8 }] })))
        .symbols,
    ).toEqual(['BBB']);
    // Ascending rank flips the order.
    expect((await runScreen(store, def('2020-05-20', { ...filt, rank: { column: 0, order: 'asc' } }))).symbols).toEqual(
      ['BBB', 'AAA'],
    );
  });

  it('refuses a filter on a column the screen lacks, naming it', () => {
    const r = ScreenDef.safeParse({ columns: [{ kind: 'last' }], filters: [{ column: 3, op: '>', value: 1 }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['filters', 0, 'column']);
  });
});
