import { standardize } from './standardize';
import { Prng } from '../optimize/prng';
import { fitMiniBatches } from './fit';
import { shapleyValuesSync } from './shapley';

/**
 * A small multilayer perceptron (ReLU hidden layers, linear output; log-odds for classification), trained with
 * TensorFlow.js on its pure-JS CPU backend (Adam, mini-batches). Deterministic: weights start from our seeded
 * PRNG (Glorot uniform), mini-batches follow a seeded shuffle, and the CPU kernels are sequential. Inputs are
 * standardised with the training mean and sd; a missing value counts as the mean. Prediction runs in plain JS
 * from the stored weights (no TensorFlow at inference, so live prediction is cheap).
 */
export interface MlpModel {
  readonly kind: 'mlp';
  readonly objective: 'regression' | 'binary';
  readonly nFeatures: number;
  readonly mean: number[];
  readonly scale: number[];
  /** Per layer: weights row-major [in × out], biases [out]. */
  readonly layers: { w: number[]; b: number[]; in: number; out: number }[];
}

/** Hyperparameters of {@link trainMlp}. */
export interface MlpParams {
  readonly hidden: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
}

/** Trains an MLP on column-major `x` and targets `y` (0/1 for `binary`). */
export function trainMlp(
  x: readonly Float64Array[],
  y: Float64Array,
  p: MlpParams,
  objective: 'regression' | 'binary',
  onEpoch?: (done: number, total: number) => boolean | void,
): MlpModel {
  // Required lazily: TensorFlow.js is large and only training needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  tf.enableProdMode();
  if (tf.getBackend() !== 'cpu') tf.setBackend('cpu');
  const F = x.length;
  const n = y.length;
  const { mean, scale, yShift, yScale: ys, X, Y } = standardize(x, y, objective);
  const rng = new Prng(p.seed);
  const sizes = [F, ...p.hidden, 1];
  const vars = sizes.slice(1).map((out, l) => {
    const inp = sizes[l];
    const lim = Math.sqrt(6 / (inp + out));
    const w = Float32Array.from({ length: inp * out }, () => (2 * rng.next() - 1) * lim);
    return { w: tf.variable(tf.tensor2d(w, [inp, out])), b: tf.variable(tf.zeros([out])) };
  });
  const forward = (xb: import('@tensorflow/tfjs').Tensor2D) => {
    let h: import('@tensorflow/tfjs').Tensor2D = xb;
    vars.forEach((v, l) => {
      h = tf.add(tf.matMul(h, v.w), v.b) as import('@tensorflow/tfjs').Tensor2D;
      if (l < vars.length - 1) h = tf.relu(h);
    });
    return h;
  };
  try {
    fitMiniBatches(tf, {
      X,
      Y,
      width: F,
      epochs: p.epochs,
      batchSize: p.batchSize,
      learningRate: p.learningRate,
      objective,
      rng,
      forward,
      onEpoch,
    });
    const layers = vars.map((v, l) => {
      const w = Array.from(v.w.dataSync());
      const b = Array.from(v.b.dataSync());
      if (l === vars.length - 1) {
        for (let k = 0; k < w.length; k++) w[k] *= ys;
        b[0] = b[0] * ys + yShift;
      }
      return { w, b, in: sizes[l], out: sizes[l + 1] };
    });
    return { kind: 'mlp', objective, nFeatures: F, mean, scale, layers };
  } finally {
    for (const v of vars) {
      v.w.dispose();
      v.b.dispose();
    }
  }
}

/** The network's output for one row (log-odds for `binary`). */
export function predictMlp(m: MlpModel, x: ArrayLike<number>): number {
  let h = Float64Array.from({ length: m.nFeatures }, (_, j) =>
    Number.isFinite(x[j]) ? (x[j] - m.mean[j]) / m.scale[j] : 0,
  );
  m.layers.forEach((L, l) => {
    const o = new Float64Array(L.out);
    for (let k = 0; k < L.out; k++) {
      let s = L.b[k];
      for (let i = 0; i < L.in; i++) s += h[i] * L.w[i * L.out + k];
      o[k] = l < m.layers.length - 1 && s < 0 ? 0 : s;
    }
    h = o;
  });
  return h[0];
}

/**
 * Shapley values of one prediction against the training mean (baseline: every feature at its mean): exact for
 * up to 10 features, permutation-sampled above; `base + Σ contributions = prediction` either way.
 */
export function explainMlp(
  m: MlpModel,
  x: ArrayLike<number>,
): { prediction: number; base: number; contributions: Float64Array } {
  const row = Float64Array.from({ length: m.nFeatures }, (_, j) => (Number.isFinite(x[j]) ? x[j] : m.mean[j]));
  return shapleyValuesSync((rows) => Float64Array.from(rows, (r) => predictMlp(m, r)), row, [
    Float64Array.from(m.mean),
  ]);
}
