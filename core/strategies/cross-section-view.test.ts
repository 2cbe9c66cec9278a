import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../model/time';
import { createCrossSectionView, createPitAccess, dayIndexAtOrBefore } from './cross-section-view';
import { FIXTURE_START, panelFromCloses } from './fixtures';
import { buildPitField, buildPitUniverse, pitRowAt, type PitFacts } from './pit-facts';

const day = (t: number) => FIXTURE_START + t * DAY_MS;

describe('buildPitField', () => {
  const f = buildPitField('eps', 2, [
    { inst: 0, periodEnd: 100, knownAt: 10, value: 1 },
    { inst: 0, periodEnd: 100, knownAt: 20, value: 1.5 }, // revision of the same period
    { inst: 0, periodEnd: 200, knownAt: 30, value: 2 }, // a newer period
    { inst: 0, periodEnd: 100, knownAt: 40, value: 9 }, // late revision of an old period: not the latest period
    { inst: 1, periodEnd: 100, knownAt: 5, value: 7 },
  ]);
  const at = (s: number, d: number) => {
    const r = pitRowAt(f, s, d);
    return r < 0 ? Number.NaN : f.value[r];
  };
  it('shows the latest period, latest version, known at the date', () => {
    expect(at(0, 9)).toBeNaN();
    expect(at(0, 10)).toBe(1);
    expect(at(0, 19)).toBe(1);
    expect(at(0, 20)).toBe(1.5);
    expect(at(0, 30)).toBe(2);
    expect(at(0, 45)).toBe(2);
    expect(at(1, 4)).toBeNaN();
    expect(at(1, 5)).toBe(7);
  });
  it('rejects rows of instruments outside the panel', () => {
    expect(() => buildPitField('eps', 1, [{ inst: 3, periodEnd: 1, knownAt: 1, value: 1 }])).toThrow(/outside/);
  });
});

describe('createCrossSectionView', () => {
  const nan = Number.NaN;
  // A: listed throughout; B: first bar on day 2; C: delisted on day 3; D: listed on day 4.
  const panel = panelFromCloses(
    ['A', 'B', 'C', 'D'],
    [
      [10, 11, 12, 13, 14, 15],
      [nan, nan, 20, 21, 22, 23],
      [30, 31, 32, nan, nan, nan],
      [nan, nan, nan, nan, 40, 41],
    ],
    { delistedOn: [nan, nan, day(3), nan], listedOn: [nan, nan, nan, day(4)] },
  );
  const facts: PitFacts = {
    fields: new Map([
      [
        'eps',
        buildPitField('eps', 4, [
          { inst: 0, periodEnd: day(0), knownAt: day(1), value: 1 },
          { inst: 0, periodEnd: day(2), knownAt: day(4), value: 2 },
        ]),
      ],
    ]),
    universe: null,
  };

  it('lists names listed with a bar at the date, delisted ones only before their delisting', () => {
    expect(createCrossSectionView(panel, facts, day(1)).universe).toEqual(['A', 'C']);
    expect(createCrossSectionView(panel, facts, day(2)).universe).toEqual(['A', 'B', 'C']);
    expect(createCrossSectionView(panel, facts, day(3)).universe).toEqual(['A', 'B']);
    expect(createCrossSectionView(panel, facts, day(4)).universe).toEqual(['A', 'B', 'D']);
  });

  it('reads closes at or before the date and lags in trading days', () => {
    const v = createCrossSectionView(panel, facts, day(3) + 5 * 3600_000); // intraday: day 3's bar is the last
    expect(v.close('A')).toBe(13);
    expect(v.closeLag('A', 2)).toBe(11);
    expect(v.closeLag('A', 4)).toBeNaN();
    expect(v.close('B')).toBe(21);
    expect(v.close('nope')).toBeNaN();
  });

  it('returns fundamentals known at the date and audits the latest known_at read', () => {
    const v = createCrossSectionView(panel, facts, day(3));
    expect(v.fundamental('A', 'eps')).toBe(1);
    expect(v.audit()).toEqual({ date: day(3), latestKnownAt: day(1), factsRead: 1 });
    v.close('A');
    expect(v.audit().latestKnownAt).toBe(day(3));
    const later = createCrossSectionView(panel, facts, day(4));
    expect(later.fundamental('A', 'eps')).toBe(2);
    expect(later.audit().latestKnownAt).toBe(day(4));
    expect(() => v.fundamental('A', 'book_value_per_share')).toThrow(/not loaded/);
  });

  it('computes trailing volatility as the sample standard deviation of daily returns', () => {
    const v = createCrossSectionView(panel, facts, day(5));
    const r = [11 / 10 - 1, 12 / 11 - 1, 13 / 12 - 1, 14 / 13 - 1, 15 / 14 - 1].slice(-3);
    const m = r.reduce((a, b) => a + b) / 3;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - m) ** 2, 0) / 2);
    expect(v.volatility('A', 3)).toBeCloseTo(sd, 14);
  });

  it('uses a named universe: members valid and known at the date', () => {
    const uni = buildPitUniverse('IDX', 4, [
      { inst: 0, validFrom: day(0), validTo: day(3), knownAt: day(0) },
      { inst: 1, validFrom: day(2), validTo: nan, knownAt: day(4) }, // announced late: invisible before day 4
    ]);
    const f = { ...facts, universe: uni };
    expect(createCrossSectionView(panel, f, day(2)).universe).toEqual(['A']);
    expect(createCrossSectionView(panel, f, day(3)).universe).toEqual([]);
    const v = createCrossSectionView(panel, f, day(4));
    expect(v.universe).toEqual(['B']);
    expect(v.audit().latestKnownAt).toBe(day(4));
  });

  it('finds the day index at or before a date', () => {
    expect(dayIndexAtOrBefore(panel.time, day(0) - 1)).toBe(-1);
    expect(dayIndexAtOrBefore(panel.time, day(2))).toBe(2);
    expect(dayIndexAtOrBefore(panel.time, day(99))).toBe(5);
  });

  it('adapts facts to the engine callbacks and audits the latest known_at per date', () => {
    const uni = buildPitUniverse('IDX', 4, [
      { inst: 0, validFrom: day(0), validTo: nan, knownAt: day(0) },
      { inst: 1, validFrom: day(0), validTo: nan, knownAt: day(2) },
    ]);
    const access = createPitAccess(panel, { ...facts, universe: uni });
    expect(access.fundamental('A', 'eps', day(3))).toBe(1);
    expect(access.fundamental('A', 'eps', day(0))).toBeNaN();
    expect(access.universeAt(day(1))).toEqual(['A']);
    expect(access.universeAt(day(2))).toEqual(['A', 'B']);
    expect(access.fundamental('A', 'eps', day(5))).toBe(2);
    expect([...access.audit]).toEqual([
      [day(3), day(1)],
      [day(0), Number.NEGATIVE_INFINITY],
      [day(1), day(0)],
      [day(2), day(2)],
      [day(5), day(4)],
    ]);
    for (const [date, known] of access.audit) expect(known).toBeLessThanOrEqual(date);
  });
});
