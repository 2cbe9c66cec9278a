import { describe, expect, it } from 'vitest';
import { buildPitUniverse } from '../strategies/pit-facts';
import { evaluateBatch, type FeatureSource } from './batch';
import { resolveFeatures } from './defs';
import { featureMatrix } from './matrix';
import { memberAt } from './members';
import { FeatureStream } from './stream';
import { barsAt, testSource } from './test-panel';

/**
 * S0..S2 members throughout; S3 a member from day 0 but only known from day 20; S4 joins on day 30; S5 never a
 * member.
 */
function withUniverse(src: FeatureSource): FeatureSource {
  const { time } = src.panel;
  const rows = [0, 1, 2].map((inst) => ({ inst, validFrom: time[0], validTo: Number.NaN, knownAt: time[0] }));
  rows.push({ inst: 3, validFrom: time[0], validTo: Number.NaN, knownAt: time[20] });
  rows.push({ inst: 4, validFrom: time[30], validTo: Number.NaN, knownAt: time[30] });
  return { ...src, universe: buildPitUniverse('U', src.panel.nInst, rows) };
}

const DEFS = [
  { name: 'cs-rank', feature: { name: 'return', window: 3 } },
  { name: 'cs-zscore', feature: { name: 'return', window: 3 } },
  { name: 'expr', expr: 'CSRank($close) - CSZScore($volume)', label: 'mix' },
];

describe('cross-sections within a named PIT universe', () => {
  it('rank and z-score members only, as known each day; a non-member changes no member value', () => {
    const base = testSource(6, 60, 5, 0);
    const src = withUniverse(base);
    const feats = resolveFeatures(DEFS);
    const exprs = feats.map((f) => f.expr);
    const a = evaluateBatch(src, exprs);
    const { nDays, time } = src.panel;
    const u = src.universe!;
    for (let t = 5; t < nDays; t++) {
      const members = [0, 1, 2, 3, 4, 5].filter((s) => memberAt(u, s, time[t]));
      expect(members).toEqual(t < 20 ? [0, 1, 2] : t < 30 ? [0, 1, 2, 3] : [0, 1, 2, 3, 4]);
      for (let s = 0; s < 6; s++) expect(Number.isNaN(a[0][s * nDays + t])).toBe(!members.includes(s));
      // Percentile ranks of m members are 1/m .. 1; z-scores of members sum to 0.
      const ranks = members.map((s) => a[0][s * nDays + t]).sort((x, y) => x - y);
      expect(ranks).toEqual(members.map((_, k) => (k + 1) / members.length));
      expect(members.reduce((acc, s) => acc + a[1][s * nDays + t], 0)).toBeCloseTo(0, 9);
    }
    // Move the non-member S5 (and S4 well before it joins) anywhere: no member's value changes.
    const close = Float64Array.from(src.panel.close);
    const volume = Float64Array.from(src.panel.volume);
    for (let t = 0; t < nDays; t++) {
      close[5 * nDays + t] *= t % 2 ? 0.5 : 3;
      volume[5 * nDays + t] *= 7;
      if (t < 26) close[4 * nDays + t] *= 1 + t / 10; // before it joins, beyond the 3-day return's reach
    }
    const moved: FeatureSource = { ...src, panel: { ...src.panel, close, volume } };
    const b = evaluateBatch(moved, exprs);
    for (let j = 0; j < exprs.length; j++)
      for (let s = 0; s < 4; s++)
        for (let t = 0; t < nDays; t++) expect(Object.is(b[j][s * nDays + t], a[j][s * nDays + t])).toBe(true);
    // Without the universe the same move does change members' ranks (the test can fail).
    const c = evaluateBatch(base, exprs);
    const d = evaluateBatch({ ...base, panel: moved.panel }, exprs);
    let differs = 0;
    for (let t = 0; t < nDays; t++) if (!Object.is(c[0][t], d[0][t])) differs++;
    expect(differs).toBeGreaterThan(5);
  });

  it('streaming equals batch with the universe, and the matrix cache keeps the two apart', () => {
    const base = testSource(6, 60, 6, 2);
    const src = withUniverse(base);
    const feats = resolveFeatures(DEFS);
    const exprs = feats.map((f) => f.expr);
    const batch = evaluateBatch(src, exprs);
    const st = new FeatureStream(exprs, 6, src.fields, { universe: src.universe ?? null });
    const { nDays } = src.panel;
    for (let t = 0; t < nDays; t++) {
      const v = st.next(barsAt(src.panel, t));
      for (let j = 0; j < exprs.length; j++)
        for (let s = 0; s < 6; s++)
          if (!Object.is(v[j][s], batch[j][s * nDays + t]))
            throw new Error(`${feats[j].label} S${s} day ${t}: stream ${v[j][s]} batch ${batch[j][s * nDays + t]}`);
    }
    const all = featureMatrix(base, feats);
    const within = featureMatrix(src, feats);
    expect(within).not.toBe(all);
    expect(Number.isNaN(within.columns[0][5 * nDays + 40])).toBe(true);
    expect(Number.isNaN(all.columns[0][5 * nDays + 40])).toBe(false);
  });
});
