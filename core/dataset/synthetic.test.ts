import { describe, expect, it } from 'vitest';
import { parseDate } from '../model/time';
import { importCsv } from '../store/import';
import { openStore } from '../store/sqlite-bar-store';
import { generateMarket, SECTORS } from './synthetic';
import { connection } from '../store/internal';

const SMALL = { seed: 7, instruments: 20, start: '2021-01-01', end: '2025-12-31' };

function rowsOf(csv: string): string[][] {
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));
}

describe('generateMarket', () => {
  const m = generateMarket(SMALL);

  it('is deterministic for a seed and differs for another', () => {
    expect(generateMarket(SMALL).bars).toBe(m.bars);
    expect(generateMarket({ ...SMALL, seed: 8 }).bars).not.toBe(m.bars);
  });

  it('produces valid files the import service accepts', async () => {
    const s = openStore(':memory:');
    for (const kind of ['instruments', 'bars', 'actions', 'fundamentals'] as const) {
      const r = await importCsv(s, kind, { fileName: `${kind}.csv`, content: m[kind] });
      expect(r.ok ? 'ok' : r.error.details?.slice(0, 3)).toBe('ok');
    }
    expect(connection(s).prepare('SELECT count(*) FROM bars').pluck().get()).toBe(m.barCount);
  });

  it('has sectors, ten years of business days, IPOs, delistings, lagged fundamentals and restatements', () => {
    const inst = rowsOf(m.instruments);
    expect(new Set(inst.map((r) => r[2])).size).toBe(Math.min(SECTORS.length, SMALL.instruments));
    const bars = rowsOf(m.bars);
    const dates = bars.map((r) => r[1]).sort();
    expect(dates[0]).toBe('2021-01-01');
    expect(dates[dates.length - 1]).toBe('2025-12-31');
    expect(bars.every((r) => ![0, 6].includes(new Date(`${r[1]}T00:00:00Z`).getUTCDay()))).toBe(true);
    const firstBar = new Map<string, string>();
    for (const r of bars) if (!firstBar.has(r[0]) || r[1] < firstBar.get(r[0])!) firstBar.set(r[0], r[1]);
    const ipos = inst.filter((r) => firstBar.get(r[0])! > '2021-01-01');
    expect(ipos.length).toBeGreaterThan(0);
    // An IPO is listed on its first bar.
    for (const r of ipos) expect(r[4]).toBe(firstBar.get(r[0]));
    const f = rowsOf(m.fundamentals);
    expect(new Set(f.map((r) => r[1]))).toEqual(new Set(['book_value_per_share', 'eps', 'shares_outstanding']));
    for (const r of f) {
      const lagDays = (parseDate(r[4])! - parseDate(r[2])!) / 86_400_000;
      expect(lagDays).toBeGreaterThanOrEqual(25);
    }
    const firstVersions = new Map<string, number>();
    let restated = 0;
    for (const r of f) {
      const key = `${r[0]}|${r[1]}|${r[2]}`;
      if (firstVersions.has(key)) restated++;
      else firstVersions.set(key, 1);
    }
    expect(restated).toBeGreaterThan(0);
    const a = rowsOf(m.actions);
    expect(a.some((r) => r[1] === 'dividend')).toBe(true);
  });

  it('shows volatility clustering and within-sector correlation on the full-size market', () => {
    const big = generateMarket({ seed: 3, instruments: 30, start: '2019-01-01', end: '2025-12-31' });
    const bySym = new Map<string, number[]>();
    for (const r of rowsOf(big.bars)) {
      let a = bySym.get(r[0]);
      if (!a) bySym.set(r[0], (a = []));
      a.push(Number(r[5]));
    }
    const syms = rowsOf(big.instruments).map((r) => r[0]);
    const rets = (s: string) => {
      const c = bySym.get(s)!;
      return c.slice(1).map((x, i) => Math.log(x / c[i]));
    };
    const corr = (x: number[], y: number[]) => {
      const n = Math.min(x.length, y.length);
      const mx = x.slice(0, n).reduce((p, q) => p + q, 0) / n;
      const my = y.slice(0, n).reduce((p, q) => p + q, 0) / n;
      let sxy = 0,
        sxx = 0,
        syy = 0;
      for (let i = 0; i < n; i++) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) ** 2;
        syy += (y[i] - my) ** 2;
      }
      return sxy / Math.sqrt(sxx * syy);
    };
    // Absolute returns are autocorrelated (GARCH clustering), on average across stocks.
    let clustering = 0;
    for (let i = 0; i < 20; i++) {
      const a = rets(syms[i])
        .filter((x) => Math.abs(x) < 0.3)
        .map(Math.abs);
      clustering += corr(a.slice(1), a.slice(0, -1)) / 20;
    }
    expect(clustering).toBeGreaterThan(0.05);
    // Same sector (i and i+10) correlate more than different sectors (i and i+1), on average.
    let same = 0,
      diff = 0;
    for (let i = 0; i < 20; i++) {
      same += corr(rets(syms[i]).slice(-1000), rets(syms[i + 10]).slice(-1000));
      diff += corr(rets(syms[i]).slice(-1000), rets(syms[i + 1]).slice(-1000));
    }
    expect(same / 20).toBeGreaterThan(diff / 20 + 0.05);
  });
});
