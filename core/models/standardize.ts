/**
 * Standardised training inputs for the network models (MLP, LSTM): each feature column centred and scaled by its
 * sample standard deviation over its finite values (a column with no spread keeps scale 1; a missing value becomes
 * 0, the mean), flattened row-major into `X`; a regression target centred and scaled to unit population sd
 * (`yShift`, `yScale`; 0 and 1 for classification), so the optimiser sees unit-scale numbers.
 */
export interface Standardized {
  readonly mean: number[];
  readonly scale: number[];
  readonly yShift: number;
  readonly yScale: number;
  /** `n × columns`, row-major. */
  readonly X: Float32Array;
  readonly Y: Float32Array;
}

/** See {@link Standardized}. `x` is column-major (one array per feature), `y` one label per row. */
export function standardize(
  x: readonly Float64Array[],
  y: Float64Array,
  objective: 'regression' | 'binary',
): Standardized {
  const n = y.length;
  const D = x.length;
  const mean: number[] = [];
  const scale: number[] = [];
  for (const c of x) {
    let s = 0;
    let m = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(c[i])) ((s += c[i]), m++);
    const mu = m > 0 ? s / m : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(c[i])) ss += (c[i] - mu) ** 2;
    mean.push(mu);
    scale.push(m > 1 && ss > 0 ? Math.sqrt(ss / (m - 1)) : 1);
  }
  let ym = 0;
  for (let i = 0; i < n; i++) ym += y[i];
  ym /= n;
  let ys = 0;
  for (let i = 0; i < n; i++) ys += (y[i] - ym) ** 2;
  const yScale = objective === 'regression' && ys > 0 ? Math.sqrt(ys / n) : 1;
  const yShift = objective === 'regression' ? ym : 0;
  const X = new Float32Array(n * D);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < D; j++) X[i * D + j] = Number.isFinite(x[j][i]) ? (x[j][i] - mean[j]) / scale[j] : 0;
  const Y = Float32Array.from(y, (v) => (v - yShift) / yScale);
  return { mean, scale, yShift, yScale, X, Y };
}
