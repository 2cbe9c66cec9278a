import { describe, expect, it } from 'vitest';
import { loadOnnx } from './onnx';
import { tanhRegressor } from './onnx-encode';
import { shapleyValues } from './shapley';

describe('ONNX through onnxruntime-node', () => {
  it('runs a hand-encoded model and equals its known outputs (float32)', async () => {
    const w = [0.5, -1.25, 2];
    const b = 0.1;
    const r = await loadOnnx(tanhRegressor(w, b), {});
    expect([r.inputName, r.outputName]).toEqual(['X', 'Y']);
    const rows = [
      Float64Array.of(0, 0, 0),
      Float64Array.of(1, 2, 3),
      Float64Array.of(-0.3, 0.7, 0.05),
      Float64Array.of(0.2, 0.1, -0.4),
    ];
    const out = await r.run(rows);
    rows.forEach((x, i) => expect(out[i]).toBeCloseTo(Math.tanh(x[0] * w[0] + x[1] * w[1] + x[2] * w[2] + b), 6));
    await r.release();
  });

  it('rejects bytes that are not a model and names a missing tensor', async () => {
    await expect(loadOnnx(Uint8Array.of(1, 2, 3), {})).rejects.toThrow();
    await expect(loadOnnx(tanhRegressor([1], 0), { input: 'nope' })).rejects.toThrow(/no input "nope"/);
  });
});

describe('Shapley values for non-tree models', () => {
  it('are exact for a linear function and locally accurate for a nonlinear ONNX model (exact and sampled)', async () => {
    const lin = async (rows: readonly Float64Array[]) =>
      Float64Array.from(rows, (x) => 2 * x[0] - 3 * x[1] + 0.5 * x[2]);
    const bg = [Float64Array.of(0, 0, 0), Float64Array.of(1, 1, 1), Float64Array.of(2, -1, 0)];
    const x = Float64Array.of(3, 2, 1);
    const e = await shapleyValues(lin, x, bg);
    // Linear: phi_j = w_j (x_j - mean background_j).
    expect(e.contributions[0]).toBeCloseTo(2 * (3 - 1), 12);
    expect(e.contributions[1]).toBeCloseTo(-3 * (2 - 0), 12);
    expect(e.contributions[2]).toBeCloseTo(0.5 * (1 - 1 / 3), 12);
    const r = await loadOnnx(tanhRegressor([0.5, -1.25, 2, 0.3], 0.1), {});
    const f = (rows: readonly Float64Array[]) => r.run(rows);
    const xs = Float64Array.of(0.4, -0.2, 0.3, 1);
    const bgs = [Float64Array.of(0, 0, 0, 0), Float64Array.of(0.1, 0.3, -0.2, 0.5)];
    for (const opts of [{}, { exactUpTo: 0, permutations: 16 }]) {
      const s = await shapleyValues(f, xs, bgs, opts);
      const [fx] = await f([xs]);
      expect(s.prediction).toBeCloseTo(fx, 12);
      expect(Math.abs(s.base + s.contributions.reduce((a, v) => a + v, 0) - s.prediction)).toBeLessThan(1e-9);
    }
    await r.release();
  });
});
