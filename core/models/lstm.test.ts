import { describe, expect, it } from 'vitest';
import { resolveFeatures } from '../features/defs';
import { exprKey } from '../features/expr';
import { Prng } from '../optimize/prng';
import { explainLstm, predictLstm, trainLstm } from './lstm';
import { modelSpecSchema } from './spec';
import { modelFeatures } from './train';

describe('LSTM (TensorFlow.js CPU)', () => {
  it('remembers the oldest step of its window, retrains identically, and explains with local accuracy', () => {
    const r = new Prng(3);
    const n = 500;
    const x = [new Float64Array(n), new Float64Array(n), new Float64Array(n)]; // steps t-2, t-1, t (one feature)
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      for (const c of x) c[i] = 2 * r.next() - 1;
      y[i] = x[0][i] - 0.5 * x[2][i];
    }
    const p = { window: 3, units: 6, epochs: 25, batchSize: 100, learningRate: 0.05, seed: 5 };
    const a = trainLstm(x, y, p, 'regression');
    expect(JSON.stringify(trainLstm(x, y, p, 'regression'))).toBe(JSON.stringify(a));
    let se = 0;
    let sv = 0;
    const mean = y.reduce((s, v) => s + v, 0) / n;
    for (let i = 0; i < n; i++) {
      se += (predictLstm(a, [x[0][i], x[1][i], x[2][i]]) - y[i]) ** 2;
      sv += (y[i] - mean) ** 2;
    }
    expect(1 - se / sv).toBeGreaterThan(0.7);
    const e = explainLstm(a, [0.8, 0.1, -0.6]);
    expect(Math.abs(e.base + e.contributions.reduce((s, v) => s + v, 0) - e.prediction)).toBeLessThan(1e-9);
    expect(Math.abs(e.contributions[0])).toBeGreaterThan(Math.abs(e.contributions[1]));
  });

  it('expands the features into point-in-time lags, oldest step first', () => {
    const feats = resolveFeatures([{ name: 'return', window: 5 }, { name: 'rsi' }]);
    const spec = modelSpecSchema.parse({
      start: '2020-01-01',
      end: '2021-01-01',
      features: [{ name: 'rsi' }],
      model: { kind: 'lstm', window: 3 },
    });
    const cols = modelFeatures(feats, spec.model);
    expect(cols.map((c) => c.label)).toEqual([
      'return(window=5)@t-2',
      'rsi(period=14)@t-2',
      'return(window=5)@t-1',
      'rsi(period=14)@t-1',
      'return(window=5)',
      'rsi(period=14)',
    ]);
    expect(exprKey(cols[0].expr)).toBe(`Ref(${exprKey(feats[0].expr)},2)`);
  });
});
