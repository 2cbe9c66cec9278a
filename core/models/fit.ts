import type { Prng } from '../optimize/prng';

type Tf = typeof import('@tensorflow/tfjs');
type Tensor2D = import('@tensorflow/tfjs').Tensor2D;
type Scalar = import('@tensorflow/tfjs').Scalar;

/** What {@link fitMiniBatches} trains: standardised rows, the network's forward pass, and the schedule. */
export interface MiniBatchFit {
  /** `n × width`, row-major (see `standardize`). */
  readonly X: Float32Array;
  readonly Y: Float32Array;
  readonly width: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly objective: 'regression' | 'binary';
  /** The seeded generator the weights were drawn from: the shuffles continue its sequence. */
  readonly rng: Prng;
  readonly forward: (x: Tensor2D) => Tensor2D;
  /** Called after each epoch; `false` cancels (throws `cancelled`). */
  readonly onEpoch?: (done: number, total: number) => boolean | void;
}

/**
 * The networks' (MLP, LSTM) training loop, once: Adam over seeded Fisher–Yates shuffles in mini-batches,
 * mean squared error for regression or sigmoid cross-entropy for classification.
 */
export function fitMiniBatches(tf: Tf, f: MiniBatchFit): void {
  const { X, Y, width: D, objective, rng, forward, onEpoch } = f;
  const n = Y.length;
  const opt = tf.train.adam(f.learningRate);
  const order = Array.from({ length: n }, (_, i) => i);
  try {
    for (let e = 0; e < f.epochs; e++) {
      for (let i = n - 1; i > 0; i--) {
        const r = rng.int(i + 1);
        [order[i], order[r]] = [order[r], order[i]];
      }
      for (let s = 0; s < n; s += f.batchSize) {
        const idx = order.slice(s, s + f.batchSize);
        const xb = new Float32Array(idx.length * D);
        const yb = new Float32Array(idx.length);
        idx.forEach((i, k) => {
          xb.set(X.subarray(i * D, i * D + D), k * D);
          yb[k] = Y[i];
        });
        tf.tidy(() => {
          const xt = tf.tensor2d(xb, [idx.length, D]);
          const yt = tf.tensor2d(yb, [idx.length, 1]);
          opt.minimize(
            () =>
              (objective === 'binary'
                ? tf.losses.sigmoidCrossEntropy(yt, forward(xt))
                : tf.losses.meanSquaredError(yt, forward(xt))) as Scalar,
          );
        });
      }
      if (onEpoch && onEpoch(e + 1, f.epochs) === false) throw new Error('cancelled');
    }
  } finally {
    opt.dispose();
  }
}
