import { describe, expect, it } from 'vitest';
import { Prng } from '../optimize/prng';
import { gbdtFromJson, gbdtToJson, predictRow, trainGbdt, type GbdtParams } from './gbdt';
import { createGbdtExplainer } from './fast-treeshap';
import { trainGbdtColumnwise } from './gbdt-columnwise';
import { bruteForceShap, explainGbdt, treeShap } from './treeshap';

const P: GbdtParams = {
  objective: 'regression',
  trees: 1,
  depth: 1,
  learningRate: 1,
  seed: 1,
  bins: 255,
  minLeaf: 1,
  lambda: 0,
  subsample: 1,
  colsample: 1,
};

function data(n: number, nF: number, seed: number, f: (x: number[], r: Prng) => number, nanRate = 0) {
  const r = new Prng(seed);
  const x = Array.from({ length: nF }, () => new Float64Array(n));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < nF; j++) {
      // Rounded values: few distinct ones, so every value gets a bin and splits are exact.
      const v = r.next() < nanRate ? Number.NaN : Math.round(r.next() * 40) / 4;
      x[j][i] = v;
      row.push(v);
    }
    y[i] = f(row, r);
  }
  return { x, y, row: (i: number) => x.map((c) => c[i]) };
}

/** Greedy exhaustive regression tree on raw values (no NaN): the reference a histogram tree must equal when every value has its own bin. */
function bruteTree(
  x: Float64Array[],
  y: Float64Array,
  idx: number[],
  depth: number,
  minLeaf: number,
): (row: number[]) => number {
  const mean = idx.reduce((s, i) => s + y[i], 0) / idx.length;
  if (depth === 0 || idx.length < 2 * minLeaf) return () => mean;
  const sse = (ix: number[]) => {
    const m = ix.reduce((s, i) => s + y[i], 0) / ix.length;
    return ix.reduce((s, i) => s + (y[i] - m) ** 2, 0);
  };
  const parent = sse(idx);
  let best: { f: number; thr: number; gain: number } | null = null;
  for (let f = 0; f < x.length; f++) {
    const values = [...new Set(idx.map((i) => x[f][i]))].sort((a, b) => a - b);
    for (const thr of values.slice(0, -1)) {
      const l = idx.filter((i) => x[f][i] <= thr);
      const r = idx.filter((i) => x[f][i] > thr);
      if (l.length < minLeaf || r.length < minLeaf) continue;
      const gain = parent - sse(l) - sse(r);
      if (gain > 1e-9 && (best === null || gain > best.gain + 1e-9)) best = { f, thr, gain };
    }
  }
  if (!best) return () => mean;
  const { f, thr } = best;
  const L = bruteTree(
    x,
    y,
    idx.filter((i) => x[f][i] <= thr),
    depth - 1,
    minLeaf,
  );
  const R = bruteTree(
    x,
    y,
    idx.filter((i) => x[f][i] > thr),
    depth - 1,
    minLeaf,
  );
  return (row) => (row[f] <= thr ? L(row) : R(row));
}

describe('histogram GBDT', () => {
  it('a single tree equals the brute-force exhaustive greedy tree (depth 1, 2 and 3)', () => {
    const d = data(300, 3, 5, (x, r) => Math.sin(x[0]) + (x[1] > 5 ? 2 : 0) + 0.3 * r.next());
    for (const depth of [1, 2, 3]) {
      const m = trainGbdt(d.x, d.y, { ...P, depth, minLeaf: 5 });
      const ref = bruteTree(d.x, d.y, [...Array(300).keys()], depth, 5);
      for (let i = 0; i < 300; i++) expect(predictRow(m, d.row(i))).toBeCloseTo(ref(d.row(i)), 9);
    }
  });

  it('learns a step exactly and fits a nonlinear target, and binary log-odds separate the classes', () => {
    const step = data(200, 1, 2, (x) => (x[0] > 5 ? 3 : -1));
    const m = trainGbdt(step.x, step.y, P);
    for (let i = 0; i < 200; i++) expect(predictRow(m, step.row(i))).toBeCloseTo(step.y[i], 12);
    const cls = data(600, 2, 3, (x) => (x[0] * x[0] + x[1] > 40 ? 1 : 0));
    const b = trainGbdt(cls.x, cls.y, {
      ...P,
      objective: 'binary',
      trees: 50,
      depth: 3,
      learningRate: 0.3,
      minLeaf: 5,
    });
    let correct = 0;
    for (let i = 0; i < 600; i++) if (predictRow(b, cls.row(i)) > 0 === (cls.y[i] === 1)) correct++;
    expect(correct / 600).toBeGreaterThan(0.97);
  });

  it('sends NaN the learned way and is deterministic (same seed, same trees; JSON round-trips)', () => {
    const d = data(400, 3, 9, (x, r) => (Number.isNaN(x[0]) ? 5 : x[0] / 2) + r.next(), 0.2);
    const p = {
      ...P,
      trees: 20,
      depth: 3,
      learningRate: 0.2,
      minLeaf: 10,
      subsample: 0.7,
      colsample: 0.7,
      bins: 16,
      lambda: 1,
    };
    const a = trainGbdt(d.x, d.y, p);
    const b = trainGbdt(d.x, d.y, p);
    expect(JSON.stringify(gbdtToJson(a))).toBe(JSON.stringify(gbdtToJson(b)));
    const c = gbdtFromJson(JSON.parse(JSON.stringify(gbdtToJson(a))));
    for (let i = 0; i < 50; i++) expect(predictRow(c, d.row(i))).toBe(predictRow(a, d.row(i)));
    const other = trainGbdt(d.x, d.y, { ...p, seed: 2 });
    expect(JSON.stringify(gbdtToJson(other))).not.toBe(JSON.stringify(gbdtToJson(a)));
    // Rows with feature 0 missing were all labelled ~5.5: the model learned where NaN goes.
    const nanRows = [...Array(400).keys()].filter((i) => Number.isNaN(d.x[0][i]));
    const meanPred = nanRows.reduce((s, i) => s + predictRow(a, d.row(i)), 0) / nanRows.length;
    expect(meanPred).toBeGreaterThan(4);
  });

  it('grows the trees of the column-wise learner: the same bit for bit unless two gains tie to rounding', () => {
    // Continuous values: no two candidate splits tie, so histogram subtraction's rounding changes no choice.
    const r = new Prng(17);
    const n = 3000;
    const x = Array.from({ length: 7 }, () =>
      Float64Array.from({ length: n }, () => (r.next() < 0.08 ? Number.NaN : r.next() * 10)),
    );
    const y = Float64Array.from({ length: n }, (_, i) =>
      x[0][i] > 5 ? x[1][i] || 0 : -(x[2][i] || 0) + (x[4][i] || 0) * 0.3 + r.next(),
    );
    const yb = y.map((v) => (v > 1 ? 1 : 0));
    const cases: [Float64Array, Partial<GbdtParams>][] = [
      [y, { trees: 12, depth: 5, learningRate: 0.2, minLeaf: 10, bins: 31, lambda: 1 }],
      [yb, { objective: 'binary', trees: 10, depth: 4, learningRate: 0.3, minLeaf: 5, bins: 63, lambda: 0.5 }],
      [y, { trees: 10, depth: 6, learningRate: 0.1, minLeaf: 4, bins: 16, subsample: 0.7, colsample: 0.6, seed: 9 }],
    ];
    for (const [yy, q] of cases) {
      const params = { ...P, ...q };
      expect(JSON.stringify(gbdtToJson(trainGbdt(x, yy, params)))).toBe(
        JSON.stringify(gbdtToJson(trainGbdtColumnwise(x, yy, params))),
      );
    }
    // Few distinct values: exact ties between bins, which the two sums may break apart; the fit is as good.
    const d = data(3000, 7, 17, (v, rr) => (v[0] > 5 ? v[1] || 0 : -(v[2] || 0)) + rr.next(), 0.08);
    const params = { ...P, trees: 12, depth: 5, learningRate: 0.2, minLeaf: 10, bins: 31, lambda: 1 };
    const mse = (m: ReturnType<typeof trainGbdt>) =>
      d.y.reduce((s, v, i) => s + (predictRow(m, d.row(i)) - v) ** 2, 0) / n;
    expect(Math.abs(mse(trainGbdt(d.x, d.y, params)) / mse(trainGbdtColumnwise(d.x, d.y, params)) - 1)).toBeLessThan(
      0.01,
    );
  });

  it('cancels when progress says stop', () => {
    const d = data(100, 2, 1, (x) => x[0]);
    let calls = 0;
    expect(() => trainGbdt(d.x, d.y, { ...P, trees: 10 }, () => ++calls < 3)).toThrow('cancelled');
    expect(calls).toBe(3);
  });
});

describe('TreeSHAP', () => {
  it('equals brute-force Shapley values per tree and is locally accurate to 1e-9 over the ensemble', () => {
    const d = data(
      500,
      5,
      13,
      (x, r) => (x[0] > 5 ? x[1] || 0 : -(x[2] || 0)) + (Number.isNaN(x[3]) ? 1 : 0) + 0.5 * r.next(),
      0.1,
    );
    const m = trainGbdt(d.x, d.y, { ...P, trees: 15, depth: 4, learningRate: 0.3, minLeaf: 5, bins: 8, lambda: 1 });
    for (let i = 0; i < 25; i++) {
      const row = d.row(i);
      for (const t of m.trees.slice(0, 5)) {
        const phi = new Float64Array(5);
        treeShap(t, row, phi);
        const ref = bruteForceShap(t, row, 5);
        for (let f = 0; f < 5; f++) expect(Math.abs(phi[f] - ref[f])).toBeLessThan(1e-12);
      }
      const e = explainGbdt(m, row);
      const sum = e.base + e.contributions.reduce((s, v) => s + v, 0);
      expect(Math.abs(sum - e.prediction)).toBeLessThan(1e-9);
      expect(e.prediction).toBe(predictRow(m, row));
    }
  });
});

describe('fast TreeSHAP (quadrature over the tree, Linear TreeSHAP style)', () => {
  it('equals Algorithm 2 per row, including NaN rows and repeated features, and predicts exactly', () => {
    const d = data(
      800,
      6,
      21,
      (x, r) =>
        (x[0] > 5 ? x[1] || 0 : -(x[2] || 0)) * (x[0] > 2 ? 1 : 2) + (Number.isNaN(x[3]) ? 1 : 0) + 0.5 * r.next(),
      0.1,
    );
    const m = trainGbdt(d.x, d.y, { ...P, trees: 30, depth: 6, learningRate: 0.2, minLeaf: 3, bins: 16, lambda: 1 });
    const ex = createGbdtExplainer(m);
    const phi = new Float64Array(6);
    for (let i = 0; i < 60; i++) {
      const row = d.row(i);
      const ref = explainGbdt(m, row);
      const p = ex.explain(row, phi);
      expect(p).toBe(predictRow(m, row));
      expect(Math.abs(ex.base - ref.base)).toBeLessThan(1e-12);
      for (let f = 0; f < 6; f++) expect(Math.abs(phi[f] - ref.contributions[f])).toBeLessThan(1e-10);
      expect(Math.abs(ex.base + phi.reduce((s, v) => s + v, 0) - p)).toBeLessThan(1e-9);
    }
  });

  it('takes more quadrature points for deeper paths (depth 10) and keeps a one-leaf tree', () => {
    const nF = 9;
    const d = data(
      2000,
      nF,
      5,
      (x, r) => x.reduce((s, v, j) => s + Math.sin((v || 0) * (j + 1)), 0) + 0.3 * r.next(),
      0.05,
    );
    const deep = trainGbdt(d.x, d.y, { ...P, trees: 6, depth: 10, learningRate: 0.3, minLeaf: 2, bins: 32, lambda: 1 });
    // Paths with more than 6 unique features need more than the 3 points a depth-6 tree takes.
    const unique = (t: (typeof deep.trees)[number], k: number, seen: Set<number>): number =>
      t.feature[k] < 0
        ? seen.size
        : Math.max(
            unique(t, t.left[k], new Set([...seen, t.feature[k]])),
            unique(t, t.right[k], new Set([...seen, t.feature[k]])),
          );
    expect(Math.max(...deep.trees.map((t) => unique(t, 0, new Set())))).toBeGreaterThanOrEqual(8);
    const leaf = trainGbdt(d.x, d.y, { ...P, trees: 1, depth: 3, minLeaf: 10_000 });
    expect(leaf.trees[0].feature.length).toBe(1);
    const m = { ...deep, trees: [...deep.trees, ...leaf.trees] };
    const ex = createGbdtExplainer(m);
    const phi = new Float64Array(nF);
    for (let i = 0; i < 30; i++) {
      const row = d.row(i);
      const ref = explainGbdt(m, row);
      const p = ex.explain(row, phi);
      expect(p).toBe(predictRow(m, row));
      for (let f = 0; f < nF; f++) expect(Math.abs(phi[f] - ref.contributions[f])).toBeLessThan(1e-10);
      expect(Math.abs(ex.base + phi.reduce((s, v) => s + v, 0) - p)).toBeLessThan(1e-9);
    }
  });
});
