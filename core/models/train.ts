import { memberAt } from '../features/members';
import type { FeatureSource } from '../features/batch';
import type { FeatureMatrix } from '../features/matrix';
import type { ResolvedFeature } from '../features/defs';
import type { PitUniverse } from '../strategies/pit-facts';
import { parseDate } from '../model/time';
import { gbdtFromJson, gbdtToJson, predictRow, trainGbdt, type GbdtModel } from './gbdt';
import { computeLabels, walkForwardWindows, type WindowIdx } from './labels';
import { explainLstm, predictLstm, trainLstm, type LstmModel } from './lstm';
import { explainMlp, predictMlp, trainMlp, type MlpModel } from './mlp';
import { explainLinear, predictLinear, trainLinear, type LinearModel } from './linear';
import { modelMetrics, type ModelMetrics } from './metrics';
import type { ModelParams, ModelSpec } from './spec';
import { explainGbdt, type Explanation } from './treeshap';

/** A trained model of any in-app kind. */
export type Model = GbdtModel | LinearModel | MlpModel | LstmModel;

/** What a label kind trains: log-odds of "up" for `forward-direction`, a value otherwise. */
export function objectiveOf(spec: ModelSpec): 'regression' | 'binary' {
  return spec.label.kind === 'forward-direction' ? 'binary' : 'regression';
}

/** The model's raw output for one row of features. */
export function predictModel(m: Model, x: ArrayLike<number>): number {
  return m.kind === 'gbdt'
    ? predictRow(m, x)
    : m.kind === 'mlp'
      ? predictMlp(m, x)
      : m.kind === 'lstm'
        ? predictLstm(m, x)
        : predictLinear(m, x);
}

/** Exact feature contributions: TreeSHAP for trees, w·(x − mean) for the linear model, Shapley values vs the training mean for an MLP. */
export function explainModel(m: Model, x: ArrayLike<number>): Explanation {
  return m.kind === 'gbdt'
    ? explainGbdt(m, x)
    : m.kind === 'mlp'
      ? explainMlp(m, x)
      : m.kind === 'lstm'
        ? explainLstm(m, x)
        : explainLinear(m, x);
}

/**
 * The columns a model trains on: the spec's features, or for an LSTM each feature at lags `window-1 .. 0`
 * (`Ref(feature, lag)`, labelled `feature@t-lag`), oldest step first, so every step is point in time.
 */
export function modelFeatures(features: readonly ResolvedFeature[], params: ModelParams): ResolvedFeature[] {
  if (params.kind !== 'lstm') return [...features];
  const out: ResolvedFeature[] = [];
  for (let l = params.window - 1; l >= 0; l--) {
    for (const f of features)
      out.push(
        l === 0 ? f : { label: `${f.label}@t-${l}`, expr: { k: 'call', op: 'Ref', args: [f.expr], n: l, q: 0 } },
      );
  }
  return out;
}

/** A JSON-safe form of a model. */
export function modelToJson(m: Model): unknown {
  return m.kind === 'gbdt' ? gbdtToJson(m) : m;
}

/** Inverse of {@link modelToJson}. */
export function modelFromJson(j: unknown): Model {
  const k = (j as { kind: string }).kind;
  if (k === 'gbdt') return gbdtFromJson(j);
  if (k === 'linear') return j as LinearModel;
  if (k === 'mlp') return j as MlpModel;
  if (k === 'lstm') return j as LstmModel;
  throw new Error(`unknown stored model kind "${k}"`);
}

/** Trains one model on column-major rows. Pure: the pool's workers call it too. */
export function fitModel(
  x: readonly Float64Array[],
  y: Float64Array,
  params: ModelParams,
  objective: 'regression' | 'binary',
  onTree?: (done: number, total: number) => boolean | void,
): Model {
  if (params.kind === 'linear') return trainLinear(x, y, params.lambda);
  if (params.kind === 'mlp') return trainMlp(x, y, params, objective, onTree);
  if (params.kind === 'lstm') return trainLstm(x, y, params, objective, onTree);
  return trainGbdt(x, y, { ...params, objective }, onTree);
}

/** One trained walk-forward window. */
export interface TrainedWindow {
  readonly idx: WindowIdx;
  readonly model: Model;
  readonly metrics: ModelMetrics;
  readonly trainRows: number;
}

/** The outcome of {@link trainWalkForward}. */
export interface WalkForwardResult {
  readonly windows: readonly TrainedWindow[];
  /** Out-of-sample predictions in the panel's layout; NaN outside every test window. */
  readonly predictions: Float64Array;
  readonly labels: Float64Array;
  /** Metrics over every out-of-sample row. */
  readonly metrics: ModelMetrics;
  /** Global importance: mean |contribution| per feature over (a sample of) the out-of-sample rows. */
  readonly importance: Float64Array;
}

/** Progress of a training run: windows done and, within the current window, trees done. */
export interface TrainProgress {
  readonly window: number;
  readonly windows: number;
  readonly step: number;
  readonly steps: number;
}

/** The day-index range `[first, last]` of the spec's `start`..`end` in the panel. */
export function dayRange(time: Float64Array, start: string, end: string): [number, number] {
  const a = parseDate(start)!;
  const b = parseDate(end)!;
  let first = 0;
  while (first < time.length && time[first] < a) first++;
  let last = time.length - 1;
  while (last >= 0 && time[last] > b) last--;
  if (last < first) throw new Error(`no trading days between ${start} and ${end}`);
  return [first, last];
}

/** Rows of a window's training set: (s, t) with a bar, a label and t in [from, to]. */
export function gatherRows(
  src: FeatureSource,
  m: FeatureMatrix,
  labels: Float64Array,
  from: number,
  to: number,
): { x: Float64Array[]; y: Float64Array; keys: Int32Array } {
  const { nInst, nDays, close } = src.panel;
  const keys: number[] = [];
  for (let s = 0; s < nInst; s++) {
    for (let t = from; t <= to; t++) {
      const k = s * nDays + t;
      if (Number.isFinite(labels[k]) && Number.isFinite(close[k])) keys.push(k);
    }
  }
  const x = m.columns.map((c) => Float64Array.from(keys, (k) => c[k]));
  const y = Float64Array.from(keys, (k) => labels[k]);
  return { x, y, keys: Int32Array.from(keys) };
}

/** What every walk-forward run over `src` shares: labels (cut at `end`), windows, the objective. */
export interface WalkForwardPlan {
  readonly labels: Float64Array;
  readonly windows: readonly WindowIdx[];
  readonly first: number;
  readonly last: number;
  readonly objective: 'regression' | 'binary';
}

export { memberAt };

/** Labels and windows of `spec` over `src` (throws when the range is too short for one window). */
export function planWalkForward(src: FeatureSource, spec: ModelSpec): WalkForwardPlan {
  const { nInst, nDays, time } = src.panel;
  const labels = computeLabels(src.panel, spec.label);
  const [first, last] = dayRange(time, spec.start, spec.end);
  // Labels past `end` would read bars after it: the range's own data decides, nothing later.
  for (let s = 0; s < nInst; s++)
    for (let t = Math.max(0, last - spec.label.horizon + 1); t < nDays; t++) labels[s * nDays + t] = Number.NaN;
  // A named universe: a day's row trains and scores only when the instrument is a member as known that day.
  const u = src.universe;
  if (u)
    for (let s = 0; s < nInst; s++)
      for (let t = 0; t < nDays; t++) if (!memberAt(u, s, time[t])) labels[s * nDays + t] = Number.NaN;
  return {
    labels,
    windows: walkForwardWindows(first, last, spec.walkForward, spec.label.horizon),
    first,
    last,
    objective: objectiveOf(spec),
  };
}

/**
 * Trains `spec` walk-forward over `src`: for each window, fits on the purged and embargoed training rows
 * (see {@link walkForwardWindows}) and predicts the test days, which no training label reaches. Every
 * prediction at day t therefore depends only on bars and facts known at t. `onProgress` may return `false`
 * (or `signal` abort) to cancel: the call then throws `Error('cancelled')`.
 */
export function trainWalkForward(
  src: FeatureSource,
  matrix: FeatureMatrix,
  spec: ModelSpec,
  opts: { onProgress?: (p: TrainProgress) => boolean | void; signal?: AbortSignal } = {},
): WalkForwardResult {
  const plan = planWalkForward(src, spec);
  const models = plan.windows.map((w, wi) => {
    if (opts.signal?.aborted) throw new Error('cancelled');
    const { x, y } = gatherRows(src, matrix, plan.labels, w.trainFrom, w.trainTo);
    if (y.length === 0) throw new Error(`window ${wi + 1}: no training rows with a label`);
    const model = fitModel(x, y, spec.model, plan.objective, (done, total) => {
      if (opts.signal?.aborted) return false;
      return opts.onProgress?.({ window: wi, windows: plan.windows.length, step: done, steps: total });
    });
    if (
      spec.model.kind === 'linear' &&
      opts.onProgress?.({ window: wi, windows: plan.windows.length, step: 1, steps: 1 }) === false
    )
      throw new Error('cancelled');
    return { model, trainRows: y.length };
  });
  return finishWalkForward(src, matrix, plan, models);
}

/** Predicts each window's test days with its model and scores them (per window and overall). */
export function finishWalkForward(
  src: FeatureSource,
  matrix: FeatureMatrix,
  plan: WalkForwardPlan,
  models: readonly { model: Model; trainRows: number }[],
): WalkForwardResult {
  const { nInst, nDays, time, close } = src.panel;
  const { labels, objective } = plan;
  const predictions = new Float64Array(nInst * nDays).fill(Number.NaN);
  const row = new Float64Array(matrix.columns.length);
  const windows: TrainedWindow[] = plan.windows.map((w, wi) => {
    const { model, trainRows } = models[wi];
    const dates: number[] = [];
    const p: number[] = [];
    const l: number[] = [];
    for (let s = 0; s < nInst; s++) {
      for (let t = w.testFrom; t <= w.testTo; t++) {
        const k = s * nDays + t;
        if (!Number.isFinite(close[k])) continue;
        for (let j = 0; j < row.length; j++) row[j] = matrix.columns[j][k];
        const v = predictModel(model, row);
        predictions[k] = v;
        dates.push(time[t]);
        p.push(v);
        l.push(labels[k]);
      }
    }
    return { idx: w, model, metrics: modelMetrics(dates, p, l, objective), trainRows };
  });
  const dates: number[] = [];
  const p: number[] = [];
  const l: number[] = [];
  for (let s = 0; s < nInst; s++) {
    for (let t = plan.first; t <= plan.last; t++) {
      const k = s * nDays + t;
      if (!Number.isFinite(predictions[k])) continue;
      dates.push(time[t]);
      p.push(predictions[k]);
      l.push(labels[k]);
    }
  }
  return {
    windows,
    predictions,
    labels,
    metrics: modelMetrics(dates, p, l, objective),
    importance: importance(src, matrix, windows),
  };
}

/** Mean |contribution| per feature over up to ~250 evenly spaced out-of-sample rows of each window. */
function importance(src: FeatureSource, matrix: FeatureMatrix, windows: readonly TrainedWindow[]): Float64Array {
  const { nInst, nDays, close } = src.panel;
  const imp = new Float64Array(matrix.columns.length);
  const row = new Float64Array(matrix.columns.length);
  let count = 0;
  for (const w of windows) {
    const total = nInst * (w.idx.testTo - w.idx.testFrom + 1);
    const step = Math.max(1, Math.floor(total / 250));
    for (let r = 0; r < total; r += step) {
      const s = Math.floor(r / (w.idx.testTo - w.idx.testFrom + 1));
      const t = w.idx.testFrom + (r % (w.idx.testTo - w.idx.testFrom + 1));
      const k = s * nDays + t;
      if (!Number.isFinite(close[k])) continue;
      for (let j = 0; j < row.length; j++) row[j] = matrix.columns[j][k];
      const e = explainModel(w.model, row);
      for (let j = 0; j < row.length; j++) imp[j] += Math.abs(e.contributions[j]);
      count++;
    }
  }
  if (count > 0) for (let j = 0; j < imp.length; j++) imp[j] /= count;
  return imp;
}
