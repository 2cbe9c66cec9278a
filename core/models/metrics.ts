/**
 * Out-of-sample metrics of predictions against labels, Qlib-style: the information coefficient (IC) is the
 * cross-sectional Pearson correlation of prediction and label per date, `ic` its mean over dates and `icir`
 * mean / standard deviation; `rankIc` / `rankIcir` the same with Spearman correlation. Dates with fewer than
 * 3 valid names are skipped; when no date has 3 (a single-symbol model), the correlations are pooled over
 * all rows instead (one value, `icir` null). Hit rate: share of rows whose prediction has the label's sign
 * (classification: prediction > 0 log-odds vs label 1). RMSE for regression, AUC for classification.
 */
export interface ModelMetrics {
  readonly ic: number | null;
  readonly icir: number | null;
  readonly rankIc: number | null;
  readonly rankIcir: number | null;
  readonly hitRate: number | null;
  readonly rmse?: number | null;
  readonly auc?: number | null;
  /** Rows scored. */
  readonly n: number;
  /** Dates with a cross-sectional IC. */
  readonly dates: number;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : Number.NaN;
}

/** Average-tie ranks (1-based). */
export function ranks(a: readonly number[]): number[] {
  const idx = a.map((_, i) => i).sort((i, j) => a[i] - a[j] || i - j);
  const r = new Array<number>(a.length);
  let k = 0;
  while (k < idx.length) {
    let e = k;
    while (e + 1 < idx.length && a[idx[e + 1]] === a[idx[k]]) e++;
    for (let t = k; t <= e; t++) r[idx[t]] = (k + e + 2) / 2;
    k = e + 1;
  }
  return r;
}

function meanSd(xs: readonly number[]): [number, number] {
  const m = xs.reduce((s, v) => s + v, 0) / xs.length;
  const v = xs.length > 1 ? xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1) : Number.NaN;
  return [m, Math.sqrt(v)];
}

const nn = (v: number): number | null => (Number.isFinite(v) ? v : null);

/**
 * Metrics over rows `(date, prediction, label)`; rows with a non-finite prediction or label are ignored.
 * `dateOf[i]` groups rows by date (any number per date).
 */
export function modelMetrics(
  dateOf: ArrayLike<number>,
  pred: ArrayLike<number>,
  label: ArrayLike<number>,
  objective: 'regression' | 'binary',
): ModelMetrics {
  const byDate = new Map<number, { p: number[]; y: number[] }>();
  const P: number[] = [];
  const Y: number[] = [];
  for (let i = 0; i < pred.length; i++) {
    if (!Number.isFinite(pred[i]) || !Number.isFinite(label[i])) continue;
    P.push(pred[i]);
    Y.push(label[i]);
    let g = byDate.get(dateOf[i]);
    if (!g) byDate.set(dateOf[i], (g = { p: [], y: [] }));
    g.p.push(pred[i]);
    g.y.push(label[i]);
  }
  const ics: number[] = [];
  const rics: number[] = [];
  for (const g of byDate.values()) {
    if (g.p.length < 3) continue;
    const ic = pearson(g.p, g.y);
    const ric = pearson(ranks(g.p), ranks(g.y));
    if (Number.isFinite(ic)) ics.push(ic);
    if (Number.isFinite(ric)) rics.push(ric);
  }
  let ic: number | null = null;
  let icir: number | null = null;
  let rankIc: number | null = null;
  let rankIcir: number | null = null;
  if (ics.length > 0) {
    const [m, sd] = meanSd(ics);
    ic = nn(m);
    icir = nn(m / sd);
    const [rm, rsd] = meanSd(rics);
    rankIc = rics.length > 0 ? nn(rm) : null;
    rankIcir = rics.length > 0 ? nn(rm / rsd) : null;
  } else if (P.length >= 3) {
    ic = nn(pearson(P, Y));
    rankIc = nn(pearson(ranks(P), ranks(Y)));
  }
  let hits = 0;
  for (let i = 0; i < P.length; i++)
    if (objective === 'binary' ? P[i] > 0 === Y[i] > 0.5 : Math.sign(P[i]) === Math.sign(Y[i])) hits++;
  const base = {
    ic,
    icir,
    rankIc,
    rankIcir,
    hitRate: P.length > 0 ? hits / P.length : null,
    n: P.length,
    dates: ics.length,
  };
  if (objective === 'regression') {
    let se = 0;
    for (let i = 0; i < P.length; i++) se += (P[i] - Y[i]) ** 2;
    return { ...base, rmse: P.length > 0 ? Math.sqrt(se / P.length) : null };
  }
  return { ...base, auc: auc(P, Y) };
}

/** Area under the ROC curve (Mann–Whitney, ties counted half); null without both classes. */
export function auc(score: readonly number[], y: readonly number[]): number | null {
  const r = ranks(score);
  let pos = 0;
  let sumPos = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] > 0.5) {
      pos++;
      sumPos += r[i];
    }
  }
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return null;
  return (sumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
