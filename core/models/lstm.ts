import { standardize } from './standardize';
import { Prng } from '../optimize/prng';
import { fitMiniBatches } from './fit';
import { shapleyValuesSync } from './shapley';

/**
 * A one-layer LSTM over a window of features: each row holds `window` steps of `perStep` features, oldest first
 * (the training pipeline builds them as `Ref(feature, lag)` columns, so every step is point in time). Trained with
 * TensorFlow.js (CPU, Adam, seeded init and shuffles, deterministic), predicted in plain JS from the weights.
 * Gates in the order input, forget, cell, output; a linear head on the last hidden state.
 */
export interface LstmModel {
  readonly kind: 'lstm';
  readonly objective: 'regression' | 'binary';
  readonly nFeatures: number;
  readonly window: number;
  readonly perStep: number;
  readonly units: number;
  readonly mean: number[];
  readonly scale: number[];
  /** [perStep × 4U], [U × 4U], [4U] row-major. */
  readonly wx: number[];
  readonly wh: number[];
  readonly b: number[];
  readonly wo: number[];
  readonly bo: number;
}

/** Hyperparameters of {@link trainLstm}. */
export interface LstmParams {
  readonly window: number;
  readonly units: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
}

/** Trains on column-major `x` whose columns are `window` blocks of `perStep` features (oldest block first). */
export function trainLstm(
  x: readonly Float64Array[],
  y: Float64Array,
  p: LstmParams,
  objective: 'regression' | 'binary',
  onEpoch?: (done: number, total: number) => boolean | void,
): LstmModel {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as typeof import('@tensorflow/tfjs');
  tf.enableProdMode();
  if (tf.getBackend() !== 'cpu') tf.setBackend('cpu');
  const n = y.length;
  const D = x.length;
  const L = p.window;
  const F = D / L;
  if (!Number.isInteger(F)) throw new Error(`trainLstm: ${D} columns are not ${L} steps of equal width`);
  const U = p.units;
  const { mean, scale, yShift: shift, yScale: ys, X, Y } = standardize(x, y, objective);
  const rng = new Prng(p.seed);
  const glorot = (a: number, b: number) => {
    const lim = Math.sqrt(6 / (a + b));
    return Float32Array.from({ length: a * b }, () => (2 * rng.next() - 1) * lim);
  };
  const bInit = new Float32Array(4 * U);
  for (let k = U; k < 2 * U; k++) bInit[k] = 1; // forget-gate bias 1 (Jozefowicz et al. 2015)
  const wx = tf.variable(tf.tensor2d(glorot(F, 4 * U), [F, 4 * U]));
  const wh = tf.variable(tf.tensor2d(glorot(U, 4 * U), [U, 4 * U]));
  const b = tf.variable(tf.tensor1d(bInit));
  const wo = tf.variable(tf.tensor2d(glorot(U, 1), [U, 1]));
  const bo = tf.variable(tf.zeros([1]));
  type T2 = import('@tensorflow/tfjs').Tensor2D;
  const forward = (xb: T2): T2 => {
    const rows = xb.shape[0];
    let h = tf.zeros([rows, U]) as T2;
    let c = tf.zeros([rows, U]) as T2;
    for (let s = 0; s < L; s++) {
      const xs = tf.slice(xb, [0, s * F], [rows, F]) as T2;
      const z = tf.add(tf.add(tf.matMul(xs, wx), tf.matMul(h, wh)), b) as T2;
      const [zi, zf, zg, zo] = tf.split(z, 4, 1) as T2[];
      c = tf.add(tf.mul(tf.sigmoid(zf), c), tf.mul(tf.sigmoid(zi), tf.tanh(zg))) as T2;
      h = tf.mul(tf.sigmoid(zo), tf.tanh(c)) as T2;
    }
    return tf.add(tf.matMul(h, wo), bo) as T2;
  };
  try {
    fitMiniBatches(tf, {
      X,
      Y,
      width: D,
      epochs: p.epochs,
      batchSize: p.batchSize,
      learningRate: p.learningRate,
      objective,
      rng,
      forward,
      onEpoch,
    });
    const woArr = Array.from(wo.dataSync(), (v) => v * ys);
    return {
      kind: 'lstm',
      objective,
      nFeatures: D,
      window: L,
      perStep: F,
      units: U,
      mean,
      scale,
      wx: Array.from(wx.dataSync()),
      wh: Array.from(wh.dataSync()),
      b: Array.from(b.dataSync()),
      wo: woArr,
      bo: bo.dataSync()[0] * ys + shift,
    };
  } finally {
    for (const v of [wx, wh, b, wo, bo]) v.dispose();
  }
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** The network's output for one row (log-odds for `binary`). */
export function predictLstm(m: LstmModel, x: ArrayLike<number>): number {
  const { units: U, perStep: F, window: L } = m;
  let h = new Float64Array(U);
  let c = new Float64Array(U);
  const z = new Float64Array(4 * U);
  for (let s = 0; s < L; s++) {
    for (let k = 0; k < 4 * U; k++) {
      let v = m.b[k];
      for (let j = 0; j < F; j++) {
        const col = s * F + j;
        const xv = Number.isFinite(x[col]) ? (x[col] - m.mean[col]) / m.scale[col] : 0;
        v += xv * m.wx[j * 4 * U + k];
      }
      for (let j = 0; j < U; j++) v += h[j] * m.wh[j * 4 * U + k];
      z[k] = v;
    }
    const nh = new Float64Array(U);
    const nc = new Float64Array(U);
    for (let k = 0; k < U; k++) {
      nc[k] = sig(z[U + k]) * c[k] + sig(z[k]) * Math.tanh(z[2 * U + k]);
      nh[k] = sig(z[3 * U + k]) * Math.tanh(nc[k]);
    }
    h = nh;
    c = nc;
  }
  let out = m.bo;
  for (let k = 0; k < U; k++) out += h[k] * m.wo[k];
  return out;
}

/** Shapley values (permutation-sampled, seeded) of each (feature, lag) input against the training mean. */
export function explainLstm(
  m: LstmModel,
  x: ArrayLike<number>,
): { prediction: number; base: number; contributions: Float64Array } {
  const row = Float64Array.from({ length: m.nFeatures }, (_, j) => (Number.isFinite(x[j]) ? x[j] : m.mean[j]));
  return shapleyValuesSync(
    (rows) => Float64Array.from(rows, (r) => predictLstm(m, r)),
    row,
    [Float64Array.from(m.mean)],
    { permutations: 32 },
  );
}
