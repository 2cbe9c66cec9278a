/**
 * Ridge regression on standardised features (the linear baseline): each feature is centred and scaled by its
 * training mean and sd, missing values count as the mean (0 after scaling), and the weights solve
 * `(XᵀX + λn I) w = Xᵀ(y − ȳ)` by Gaussian elimination with partial pivoting.
 */
export interface LinearModel {
  readonly kind: 'linear';
  readonly nFeatures: number;
  readonly mean: number[];
  readonly scale: number[];
  readonly weights: number[];
  readonly intercept: number;
}

/** Fits a ridge regression on column-major `x` and targets `y`. */
export function trainLinear(x: readonly Float64Array[], y: Float64Array, lambda: number): LinearModel {
  const k = x.length;
  const n = y.length;
  const mean: number[] = [];
  const scale: number[] = [];
  for (const c of x) {
    let s = 0;
    let m = 0;
    for (let i = 0; i < n; i++)
      if (Number.isFinite(c[i])) {
        s += c[i];
        m++;
      }
    const mu = m > 0 ? s / m : 0;
    let ss = 0;
    for (let i = 0; i < n; i++) if (Number.isFinite(c[i])) ss += (c[i] - mu) ** 2;
    mean.push(mu);
    scale.push(m > 1 && ss > 0 ? Math.sqrt(ss / (m - 1)) : 1);
  }
  let ym = 0;
  for (let i = 0; i < n; i++) ym += y[i];
  ym /= n;
  const A = Array.from({ length: k }, () => new Float64Array(k + 1));
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) z[a] = Number.isFinite(x[a][i]) ? (x[a][i] - mean[a]) / scale[a] : 0;
    const yi = y[i] - ym;
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) A[a][b] += z[a] * z[b];
      A[a][k] += z[a] * yi;
    }
  }
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < a; b++) A[a][b] = A[b][a];
    A[a][a] += lambda * n;
  }
  for (let c = 0; c < k; c++) {
    let piv = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(A[r][c]) > Math.abs(A[piv][c])) piv = r;
    [A[c], A[piv]] = [A[piv], A[c]];
    if (Math.abs(A[c][c]) < 1e-300) continue;
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let j = c; j <= k; j++) A[r][j] -= f * A[c][j];
    }
  }
  const weights = A.map((row, a) => (Math.abs(row[a]) < 1e-300 ? 0 : row[k] / row[a]));
  return { kind: 'linear', nFeatures: k, mean, scale, weights, intercept: ym };
}

/** The model's prediction for one row. */
export function predictLinear(m: LinearModel, x: ArrayLike<number>): number {
  let s = m.intercept;
  for (let a = 0; a < m.nFeatures; a++)
    if (Number.isFinite(x[a])) s += (m.weights[a] * (x[a] - m.mean[a])) / m.scale[a];
  return s;
}

/** Exact contributions of a linear model (its Shapley values under feature independence): w·(x − mean)/scale. */
export function explainLinear(
  m: LinearModel,
  x: ArrayLike<number>,
): { prediction: number; base: number; contributions: Float64Array } {
  const c = new Float64Array(m.nFeatures);
  for (let a = 0; a < m.nFeatures; a++)
    c[a] = Number.isFinite(x[a]) ? (m.weights[a] * (x[a] - m.mean[a])) / m.scale[a] : 0;
  return { prediction: predictLinear(m, x), base: m.intercept, contributions: c };
}
