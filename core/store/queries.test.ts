import { beforeAll, describe, expect, it } from 'vitest';
import { bufferIO } from '../cli/io';
import { main } from '../cli/main';
import { parseDate } from '../model/time';
import { crossSectionAsOf } from './cross-section';
import { barsRange, fundamentalAsOf, listInstruments, revisionHistory, universeAsOf } from './queries';
import { openStore, type Store } from './sqlite-bar-store';
import { FIXTURE, loadFixture, tempDir } from './test-helpers';

const D = (s: string) => parseDate(s)!;

describe('point-in-time queries', () => {
  let s: Store;
  beforeAll(async () => {
    s = openStore(':memory:');
    await loadFixture(s);
  });

  it('fundamentalAsOf: reporting lag, latest period, restatements only once known', () => {
    const at = (d: string) => {
      const r = fundamentalAsOf(s, 'AAA', 'eps', D(d));
      return r.ok ? [r.value.value, r.value.periodEnd] : r.error.code;
    };
    expect(at('2020-02-14')).toEqual([null, null]);
    expect(at('2020-02-15')).toEqual([1.0, D('2019-12-31')]);
    expect(at('2020-04-30')).toEqual([1.5, D('2020-03-31')]);
    // The 2019-12-31 restatement (known 05-01) does not displace the later period.
    expect(at('2020-05-31')).toEqual([1.5, D('2020-03-31')]);
    expect(at('2020-06-01')).toEqual([1.6, D('2020-03-31')]);
    expect(fundamentalAsOf(s, 'NOPE', 'eps', D('2020-06-01')).ok).toBe(false);
  });

  it('crossSectionAsOf agrees with fundamentalAsOf on every date and symbol', () => {
    const dates = ['2020-02-14', '2020-02-15', '2020-04-30', '2020-05-01', '2020-05-20', '2020-06-01', '2021-01-01'];
    for (const d of dates) {
      const cs = crossSectionAsOf(s, 'eps', D(d));
      expect(cs.symbols).toEqual(['AAA', 'BBB', 'CCC', 'ZZZ']);
      cs.symbols.forEach((sym, i) => {
        const r = fundamentalAsOf(s, sym, 'eps', D(d));
        expect(r.ok && r.value.value).toBe(Number.isNaN(cs.value[i]) ? null : cs.value[i]);
        expect(r.ok && r.value.periodEnd).toBe(Number.isNaN(cs.periodEnd[i]) ? null : cs.periodEnd[i]);
      });
    }
    const some = crossSectionAsOf(s, 'eps', D('2020-05-01'), ['BBB', 'AAA', 'NOPE']);
    expect([...some.value]).toEqual([Number.NaN, 1.5, Number.NaN]);
  });

  it('an unknown field is named as unknown, with the known fields listed, not answered as "not known yet" (issue 11)', () => {
    for (const r of [fundamentalAsOf(s, 'AAA', 'pe', D('2020-05-01')), revisionHistory(s, 'AAA', 'pe')]) {
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error.code).toBe('not-found');
      expect(!r.ok && r.error.message).toMatch(/^Unknown field "pe": known fields are .*eps/);
    }
    // A known field with nothing known yet is still a null value, not an error.
    const early = fundamentalAsOf(s, 'AAA', 'eps', D('1990-01-01'));
    expect(early.ok && early.value.value).toBe(null);
  });

  it('revisionHistory lists every version by period then knownAt', () => {
    const r = revisionHistory(s, 'AAA', 'eps');
    expect(r.ok && r.value.map((x) => x.value)).toEqual([1.0, 1.1, 1.5, 1.6]);
  });

  it('barsRange back-adjusts for splits and dividends known by the date (hand-computed)', () => {
    const close = (asOf?: string) => {
      const r = barsRange(s, 'AAA', { adjustedAsOf: asOf === undefined ? undefined : D(asOf) });
      if (!r.ok) throw new Error(r.error.message);
      return { close: [...r.value.close], volume: [...r.value.volume] };
    };
    expect(close().close).toEqual([10, 11, 6, 6.2, 6.3]);
    // Before the split's ex date nothing applies.
    expect(close('2020-01-05').close).toEqual([10, 11, 6, 6.2, 6.3]);
    // Split 2:1 (x0.5) and dividend 0.3 on a prior close of 6 (x0.95).
    const a = close('2020-01-07');
    expect(a.close.map((x) => +x.toFixed(10))).toEqual([4.75, 5.225, 5.7, 6.2, 6.3]);
    expect(a.volume).toEqual([200, 200, 200, 200, 200]);
    // The 0.5 dividend (ex 01-08) became known only on 02-01.
    expect(close('2020-01-31').close.map((x) => +x.toFixed(10))).toEqual([4.75, 5.225, 5.7, 6.2, 6.3]);
    // The dividend's reference close (01-06) lies outside a range that ends before it: still used.
    const early = barsRange(s, 'AAA', { to: D('2020-01-03'), adjustedAsOf: D('2020-01-07') });
    expect(early.ok && [...early.value.close].map((x) => +x.toFixed(10))).toEqual([4.75, 5.225]);
    const f2 = 1 - 0.5 / 6.2;
    expect(close('2020-02-01').close.map((x) => +x.toFixed(10))).toEqual(
      [4.75 * f2, 5.225 * f2, 5.7 * f2, 6.2 * f2, 6.3].map((x) => +x.toFixed(10)),
    );
  });

  it('universeAsOf includes names before their delisting and excludes future IPOs', () => {
    expect(universeAsOf(s, D('2020-01-02'))).toEqual(['AAA', 'BBB']);
    expect(universeAsOf(s, D('2020-03-01'))).toEqual(['AAA', 'BBB', 'ZZZ']);
    expect(universeAsOf(s, D('2020-06-30'))).toEqual(['AAA', 'ZZZ']);
    expect(universeAsOf(s, D('2021-01-01'))).toEqual(['AAA', 'CCC', 'ZZZ']);
  });

  it('listInstruments reports coverage and gaps', () => {
    const rows = listInstruments(s);
    const bbb = rows.find((r) => r.symbol === 'BBB')!;
    expect(bbb).toMatchObject({
      bars: 2,
      gaps: 1,
      firstDate: D('2020-01-02'),
      lastDate: D('2020-01-08'),
      delistedOn: D('2020-06-30'),
    });
    expect(rows.find((r) => r.symbol === 'AAA')).toMatchObject({ bars: 5, gaps: 0 });
    expect(rows.find((r) => r.symbol === 'CCC')).toMatchObject({ bars: 0, firstDate: null });
  });

  it('CLI prints the documented JSON shapes', async () => {
    const d = tempDir();
    try {
      const db = `${d.dir}/q.db`;
      for (const kind of ['instruments', 'bars', 'actions', 'fundamentals'] as const) {
        expect(await main(['import', kind, d.write(`${kind}.csv`, FIXTURE[kind]), '--db', db], bufferIO())).toBe(0);
      }
      const run = async (...args: string[]) => {
        const io = bufferIO();
        const code = await main(['query', ...args, '--db', db, '--json'], io);
        return { code, out: io.stdout() ? JSON.parse(io.stdout()) : null, err: io.stderr() };
      };
      expect((await run('asof', '--symbol', 'AAA', '--field', 'eps', '--date', '2020-05-01')).out).toEqual({
        symbol: 'AAA',
        field: 'eps',
        date: '2020-05-01',
        value: 1.5,
        period_end: '2020-03-31',
        known_at: '2020-04-30',
      });
      expect((await run('asof', '--symbol', 'AAA', '--field', 'eps', '--date', '2020-01-01')).out).toEqual({
        symbol: 'AAA',
        field: 'eps',
        date: '2020-01-01',
        value: null,
        period_end: null,
        known_at: null,
      });
      const bars = await run(
        'bars',
        '--symbol',
        'AAA',
        '--from',
        '2020-01-03',
        '--to',
        '2020-01-06',
        '--adjusted-as-of',
        '2020-01-07',
      );
      expect(bars.out.map((b: object) => Object.keys(b))).toEqual(
        [0, 1].map(() => ['date', 'open', 'high', 'low', 'close', 'volume']),
      );
      expect(bars.out.map((b: { date: string; volume: number }) => [b.date, b.volume])).toEqual([
        ['2020-01-03', 200],
        ['2020-01-06', 200],
      ]);
      expect(bars.out.map((b: { close: number }) => +b.close.toFixed(10))).toEqual([5.225, 5.7]);
      expect((await run('universe', '--date', '2020-06-29')).out).toEqual(['AAA', 'BBB', 'ZZZ']);
      const pe = await run('asof', '--symbol', 'AAA', '--field', 'pe', '--date', '2020-05-01');
      expect(pe.code).toBe(2);
      expect(pe.err).toMatch(/Unknown field "pe": known fields are eps/);
      const bad = await run('asof', '--symbol', 'AAA', '--field', 'eps', '--date', '2020-13-01');
      expect(bad.code).toBe(2);
      expect(bad.out).toBeNull();
    } finally {
      d.cleanup();
    }
  });
});
