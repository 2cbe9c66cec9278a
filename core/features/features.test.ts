import { describe, expect, it } from 'vitest';
import { ALPHA158 } from './alpha158';
import { evaluateBatch } from './batch';
import { listFeatures, resolveFeatures, featureSetHash, FeatureSpecError } from './defs';
import { ExprError, parseExpr } from './expr';
import { FeatureStream } from './stream';
import { barsAt, testSource } from './test-panel';

function streamAll(src: ReturnType<typeof testSource>, exprs: Parameters<typeof evaluateBatch>[1]): Float64Array[] {
  const { panel } = src;
  const st = new FeatureStream(exprs, panel.nInst, src.fields);
  const out = exprs.map(() => new Float64Array(panel.nInst * panel.nDays));
  for (let t = 0; t < panel.nDays; t++) {
    const vals = st.next(barsAt(panel, t));
    vals.forEach((v, j) => {
      for (let s = 0; s < panel.nInst; s++) out[j][s * panel.nDays + t] = v[s];
    });
  }
  return out;
}

describe('feature expressions', () => {
  it('parses with precedence and rejects bad input with a column', () => {
    const src = testSource(1, 3, 1, 0);
    const [v] = evaluateBatch(src, [parseExpr('1 + 2 * 3 - -4 / 2 > 8')]);
    expect(v[0]).toBe(1);
    expect(() => parseExpr('Mean($close, )')).toThrow(ExprError);
    expect(() => parseExpr('Foo($close)')).toThrow(/unknown operator "Foo"/);
    expect(() => parseExpr('Ref($close, -1)')).toThrow(/window must be an integer in 0/);
    expect(() => parseExpr('($close')).toThrow(/expected "\)"/);
  });

  it('computes window operators as pandas would on a known series', () => {
    const src = testSource(1, 6, 1, 0);
    const c = src.panel.close;
    const [mean, std, ref, rank, slope, q] = evaluateBatch(
      src,
      [
        'Mean($close, 3)',
        'Std($close, 3)',
        'Ref($close, 2)',
        'Rank($close, 3)',
        'Slope($close, 3)',
        'Quantile($close, 4, 0.25)',
      ].map(parseExpr),
    );
    expect(Number.isNaN(mean[1])).toBe(true);
    expect(mean[2]).toBeCloseTo((c[0] + c[1] + c[2]) / 3, 12);
    const m = (c[3] + c[4] + c[5]) / 3;
    expect(std[5]).toBeCloseTo(Math.sqrt(((c[3] - m) ** 2 + (c[4] - m) ** 2 + (c[5] - m) ** 2) / 2), 12);
    expect(ref[4]).toBe(c[2]);
    const w = [c[3], c[4], c[5]];
    expect(rank[5]).toBeCloseTo(w.filter((x) => x <= c[5]).length / 3, 12); // no ties in a random walk
    expect(slope[5]).toBeCloseTo((c[5] - c[3]) / 2, 12);
    const sorted = [c[2], c[3], c[4], c[5]].sort((a, b) => a - b);
    expect(q[5]).toBeCloseTo(sorted[0] + 0.75 * (sorted[1] - sorted[0]), 12);
  });

  it('streaming equals batch at every bar, bit for bit, for the whole Alpha158 library, fundamentals and cross-sections', () => {
    const src = testSource(6, 140, 11);
    const feats = resolveFeatures([
      { name: 'alpha158' },
      { name: 'pbr' },
      { name: 'per' },
      { name: 'earnings-yield' },
      { name: 'market-cap' },
      { name: 'return', window: 5 },
      { name: 'volatility', window: 10 },
      { name: 'cs-rank', feature: { name: 'return', window: 3 } },
      { name: 'cs-zscore', feature: { name: 'pbr' } },
      {
        name: 'expr',
        expr: 'If($close > Mean($close, 7), Cov($close, $volume, 6), IdxMin($low, 4)) + Med($open, 5) * Sign(Delta($close, 2))',
      },
    ]);
    expect(feats.length).toBeGreaterThanOrEqual(157 + 9);
    const exprs = feats.map((f) => f.expr);
    const batch = evaluateBatch(src, exprs);
    const stream = streamAll(src, exprs);
    let defined = 0;
    for (let j = 0; j < exprs.length; j++) {
      for (let i = 0; i < batch[j].length; i++) {
        if (!Object.is(batch[j][i], stream[j][i]))
          throw new Error(`${feats[j].label} at ${i}: batch ${batch[j][i]} stream ${stream[j][i]}`);
        if (!Number.isNaN(batch[j][i])) defined++;
      }
    }
    expect(defined).toBeGreaterThan(exprs.length * 6 * 40);
  });

  it('streaming equals batch for every indicator feature (leading NaN before listing included)', () => {
    const src = testSource(4, 120, 5, 10);
    const defs = listFeatures().filter((f) => f.description.startsWith('indicator:'));
    expect(defs.length).toBeGreaterThanOrEqual(10);
    const feats = resolveFeatures(defs.map((d) => ({ name: d.name })));
    const exprs = feats.map((f) => f.expr);
    const batch = evaluateBatch(src, exprs);
    const stream = streamAll(src, exprs);
    for (let j = 0; j < exprs.length; j++) {
      for (let i = 0; i < batch[j].length; i++) {
        const a = batch[j][i];
        const b = stream[j][i];
        if (Number.isNaN(a) !== Number.isNaN(b) || Math.abs(a - b) > 1e-9 * Math.max(1, Math.abs(a)))
          throw new Error(`${feats[j].label} at ${i}: ${a} vs ${b}`);
      }
    }
  });

  it('reads fundamentals only as known at each date', () => {
    const src = testSource(2, 100, 3, 0);
    const [eps] = evaluateBatch(src, [parseExpr('$eps')]);
    const f = src.fields.get('eps')!;
    // Before the first publication nothing is visible; on its knownAt day it is.
    const first = f.knownAt[f.offsets[0]];
    const t0 = src.panel.time.indexOf(first);
    expect(Number.isNaN(eps[t0 - 1])).toBe(true);
    expect(eps[t0]).toBe(f.value[f.offsets[0]]);
  });

  it('names feature-spec errors by entry and field, and hashes feature sets', () => {
    expect(() => resolveFeatures([{ name: 'return', window: 0 }])).toThrow(FeatureSpecError);
    expect(() => resolveFeatures([{ name: 'return', window: 0 }])).toThrow(/features\.0\.window/);
    expect(() => resolveFeatures([{ name: 'nope' }])).toThrow(/features\.0\.name: unknown feature "nope"/);
    expect(() => resolveFeatures([{ name: 'expr', expr: 'Mean($close' }])).toThrow(/features\.0: expected/);
    const a = featureSetHash(resolveFeatures([{ name: 'return', window: 5 }]));
    expect(a).toBe(featureSetHash(resolveFeatures([{ name: 'return', window: 5 }])));
    expect(a).not.toBe(featureSetHash(resolveFeatures([{ name: 'return', window: 6 }])));
    expect(ALPHA158.size).toBeGreaterThanOrEqual(100);
    const list = listFeatures();
    expect(list.find((f) => f.name === 'rsi')?.params).toEqual({ period: 14 });
    expect(list.find((f) => f.name === 'macd')?.params).toMatchObject({ output: 'macd' });
  });
});
