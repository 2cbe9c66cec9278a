import { describe, expect, it } from 'vitest';
import { Prng } from '../optimize/prng';
import { explainMlp, predictMlp, trainMlp } from './mlp';

function data(n: number, seed: number) {
  const r = new Prng(seed);
  const x = [new Float64Array(n), new Float64Array(n), new Float64Array(n)];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (const c of x) c[i] = 2 * r.next() - 1;
    if (i % 50 === 0) x[2][i] = Number.NaN;
    y[i] = x[0][i] * x[0][i] + 0.5 * x[1][i] + 0.05 * (r.next() - 0.5);
  }
  return { x, y };
}

describe('MLP (TensorFlow.js CPU)', () => {
  it('learns a nonlinear target, retrains identically with the same seed, and explains with local accuracy', () => {
    const { x, y } = data(1500, 4);
    const p = { hidden: [16], epochs: 40, batchSize: 100, learningRate: 0.02, seed: 7 };
    const a = trainMlp(x, y, p, 'regression');
    const b = trainMlp(x, y, p, 'regression');
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    let se = 0;
    let sv = 0;
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    for (let i = 0; i < y.length; i++) {
      se += (predictMlp(a, [x[0][i], x[1][i], x[2][i]]) - y[i]) ** 2;
      sv += (y[i] - mean) ** 2;
    }
    expect(1 - se / sv).toBeGreaterThan(0.8);
    const e = explainMlp(a, [0.9, -0.5, Number.NaN]);
    expect(Math.abs(e.base + e.contributions.reduce((s, v) => s + v, 0) - e.prediction)).toBeLessThan(1e-9);
    expect(e.prediction).toBeCloseTo(predictMlp(a, [0.9, -0.5, Number.NaN]), 12);
    expect(Math.abs(e.contributions[0])).toBeGreaterThan(Math.abs(e.contributions[2]));
    const c = trainMlp(x, y, { ...p, seed: 8, epochs: 2 }, 'regression');
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });
});
