import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../model/time';
import { factorFields, factorPicks, factorRank, factorRankParams } from './factor-rank';
import { FIXTURE_START, panelFromCloses } from './fixtures';
import { buildPitField, type FundamentalRow, type PitFacts } from './pit-facts';
import { rebalanceDays, runRebalances } from './rebalance';
import { createCrossSectionView } from './cross-section-view';
import { parseSpec } from '../backtest/spec';

const day = (t: number) => FIXTURE_START + t * DAY_MS;
const N = 20;
const symbols = Array.from({ length: N }, (_, i) => `S${String(i).padStart(2, '0')}`);

/** 20 names, all closing at 10 for 400 days; shares (i+1)·1000 make S00..S03 the smallest 20%. */
function world(extra: { shares?: FundamentalRow[]; book?: FundamentalRow[] } = {}) {
  const panel = panelFromCloses(
    symbols,
    symbols.map(() => Array.from({ length: 400 }, () => 10)),
  );
  const book = [20, 5, 40, 10]; // PBR 0.5, 2, 0.25, 1 for the four small names
  const shares: FundamentalRow[] = symbols.map((_, i) => ({
    inst: i,
    periodEnd: day(0) - 90 * DAY_MS,
    knownAt: day(0),
    value: (i + 1) * 1000,
  }));
  const bvps: FundamentalRow[] = symbols.map((_, i) => ({
    inst: i,
    periodEnd: day(0) - 90 * DAY_MS,
    knownAt: day(0),
    value: i < 4 ? book[i] : 100, // big names are far cheaper on PBR: the size filter must exclude them
  }));
  const facts: PitFacts = {
    fields: new Map([
      ['shares_outstanding', buildPitField('shares_outstanding', N, [...shares, ...(extra.shares ?? [])])],
      ['book_value_per_share', buildPitField('book_value_per_share', N, [...bvps, ...(extra.book ?? [])])],
    ]),
    universe: null,
  };
  return { panel, facts };
}

const example = JSON.parse(readFileSync(join(__dirname, '../../resources/examples/small-value.json'), 'utf8'));

describe('factor-rank', () => {
  it('has defaults and rejects bad params', () => {
    const p = factorRankParams.parse({});
    expect(p).toMatchObject({ rebalance: 'monthly', keep: 0.2, weighting: 'equal' });
    expect(factorRankParams.safeParse({ keep: 0 }).success).toBe(false);
    expect(factorRankParams.safeParse({ rank: [{ factor: 'colour' }] }).success).toBe(false);
    expect(factorRankParams.safeParse({ momentumSkip: 300 }).success).toBe(false);
  });

  it('expresses the small-value example: smallest 20% by market cap, then the lowest PBR, yearly', () => {
    expect(example.strategy).toBe('factor-rank');
    expect(parseSpec(example).ok).toBe(true);
    const p = factorRankParams.parse(example.params);
    expect(p.rebalance).toBe('yearly');
    expect(factorFields(p)).toEqual(['book_value_per_share', 'shares_outstanding']);
    const { panel, facts } = world();
    const view = createCrossSectionView(panel, facts, day(10));
    // small names S00..S03 have PBR 0.5, 2, 0.25, 1; keep half of them: the two lowest PBR
    expect(factorPicks(p, view)).toEqual(['S02', 'S00']);
    expect([...factorRank.weights(p, view)]).toEqual([
      ['S02', 0.5],
      ['S00', 0.5],
    ]);
  });

  it('rebalances yearly on the first trading day of each year, using only facts known then', () => {
    // S10's share count is restated to 10 (a tiny company) — but only known from day 380 on.
    const { panel, facts } = world({ shares: [{ inst: 10, periodEnd: day(300), knownAt: day(380), value: 10 }] });
    const runs = runRebalances(factorRank, example.params, panel, facts);
    expect(runs.map((r) => new Date(r.date).toISOString().slice(0, 10))).toEqual(['2020-01-01', '2021-01-01']);
    expect([...runs[0].weights.keys()]).toEqual(['S02', 'S00']);
    // 2021-01-01 is day 366 < 380: still unknown, so S10 is still big
    expect([...runs[1].weights.keys()]).toEqual(['S02', 'S00']);
    for (const r of runs) expect(r.audit.latestKnownAt).toBeLessThanOrEqual(r.date);
    const late = runRebalances(factorRank, { ...example.params, rebalance: 'monthly' }, panel, facts);
    const after = late.find((r) => r.date >= day(380))!;
    expect(after.weights.has('S10')).toBe(true); // PBR 0.1 and now in the smallest 20%
  });

  it('weights by cap and by inverse volatility', () => {
    const { panel, facts } = world();
    const v = createCrossSectionView(panel, facts, day(10));
    const cap = factorRank.weights(factorRankParams.parse({ ...example.params, weighting: 'cap' }), v);
    // S02 cap 30,000, S00 cap 10,000
    expect(cap.get('S02')).toBeCloseTo(0.75, 12);
    expect(cap.get('S00')).toBeCloseTo(0.25, 12);
    const wiggly = panelFromCloses(
      ['A', 'B'],
      [
        [10, 11, 10, 11, 10, 11],
        [10, 10.5, 10, 10.5, 10, 10.5],
      ],
    );
    const f2: PitFacts = { fields: new Map(), universe: null };
    const p = factorRankParams.parse({
      rank: [{ factor: 'volatility' }],
      keep: 1,
      weighting: 'inverse-vol',
      volDays: 4,
    });
    const view = createCrossSectionView(wiggly, f2, day(5));
    const w = factorRank.weights(p, view);
    const va = view.volatility('A', 4);
    const vb = view.volatility('B', 4);
    expect(vb).toBeLessThan(va);
    expect(w.get('B')).toBeCloseTo(1 / vb / (1 / va + 1 / vb), 12);
    expect([...w.keys()]).toEqual(['B', 'A']); // ascending volatility ranks B first
  });

  it('ranks 12-1 momentum from lagged closes and combines factors by mean percentile rank', () => {
    const closes = [
      Array.from({ length: 30 }, (_, t) => 10 + t), // strongest
      Array.from({ length: 30 }, () => 10),
      Array.from({ length: 30 }, (_, t) => 40 - t), // weakest
    ];
    const panel = panelFromCloses(['UP', 'FLAT', 'DOWN'], closes);
    const p = factorRankParams.parse({
      rank: [{ factor: 'momentum-12-1', order: 'descending' }],
      keep: 1,
      momentumLookback: 20,
      momentumSkip: 5,
    });
    const view = createCrossSectionView(panel, { fields: new Map(), universe: null }, day(29));
    expect(factorPicks(p, view)).toEqual(['UP', 'FLAT', 'DOWN']);
    // before `lookback` days exist, momentum is NaN and nobody is picked
    expect(factorPicks(p, createCrossSectionView(panel, { fields: new Map(), universe: null }, day(10)))).toEqual([]);
  });

  it('breaks ties at a filter boundary by name, and keeps the top fraction with top', () => {
    const names = ['E', 'D', 'C', 'B', 'A'];
    const panel = panelFromCloses(
      names,
      names.map(() => [10, 10]),
    );
    const shares = [3, 2, 2, 1, 2]; // caps E 30, D 20, C 20, B 10, A 20
    const facts: PitFacts = {
      fields: new Map([
        [
          'shares_outstanding',
          buildPitField(
            'shares_outstanding',
            5,
            shares.map((v, inst) => ({ inst, periodEnd: 0, knownAt: 0, value: v })),
          ),
        ],
      ]),
      universe: null,
    };
    const view = createCrossSectionView(panel, facts, day(1));
    const pick = (filters: unknown) =>
      factorPicks(factorRankParams.parse({ filters, rank: [{ factor: 'market-cap' }], keep: 1 }), view);
    expect(pick([{ factor: 'market-cap', bottom: 0.6 }])).toEqual(['B', 'A', 'C']); // 10, then two of the three 20s by name
    expect(pick([{ factor: 'market-cap', top: 0.4 }])).toEqual(['A', 'E']); // 30 and the first 20 by name; ranked ascending
    expect(pick([{ factor: 'market-cap', min: 15, max: 25 }])).toEqual(['A', 'C', 'D']);
  });

  it('finds monthly and quarterly rebalance days', () => {
    const time = Float64Array.from({ length: 200 }, (_, t) => day(t));
    expect(rebalanceDays(time, 'monthly').slice(0, 3)).toEqual([0, 31, 60]);
    expect(rebalanceDays(time, 'quarterly')).toEqual([0, 91, 182]);
    expect(rebalanceDays(time, 'monthly', day(5), day(70))).toEqual([5, 31, 60]);
  });
});
