import { createHash } from 'node:crypto';
import { evaluateBatch } from '../features/batch';
import { resolveFeatures, type FeatureDef } from '../features/defs';
import { featureMatrixAsync, loadFeatureSource, matrixCacheDir } from '../features/matrix';
import { memberAt } from '../features/members';
import { formatDate, parseDate } from '../model/time';
import type { Store } from '../store/sqlite-bar-store';
import type { Pool } from '../pool/types';
import type { ModelMetrics } from './metrics';
import { trainWalkForwardOnPool } from './pool-train';
import { getModel, insertModel, MODEL_CODE_VERSION, type ModelRecord, type WindowRecord } from './registry';
import type { ModelSpec } from './spec';
import {
  explainModel,
  modelFeatures,
  modelFromJson,
  modelToJson,
  predictModel,
  trainWalkForward,
  type Model,
  type TrainProgress,
} from './train';

/** The stored artifact of an in-app model: each window's model and the dates it predicts. */
interface Artifact {
  readonly features: readonly string[];
  readonly windows: readonly { testStart: string; testEnd: string; model: unknown }[];
}

/** What `models train` prints. */
export interface TrainOutput {
  readonly modelId: string;
  readonly windows: readonly WindowRecord[];
  readonly metrics: ModelMetrics;
}

const nullable = (m: ModelMetrics): ModelMetrics => m;

/**
 * Trains `spec` walk-forward on the store's data and records the version in the registry (lineage, per-window
 * and overall out-of-sample metrics, importance, the window models). The id hashes spec, data fingerprint and
 * code version, so the same training on the same data yields the same id, models and metrics.
 */
export async function trainAndRegister(
  store: Store,
  spec: ModelSpec,
  opts: { onProgress?: (p: TrainProgress) => boolean | void; signal?: AbortSignal; now?: number; pool?: Pool } = {},
): Promise<TrainOutput & { record: ModelRecord }> {
  const features = modelFeatures(resolveFeatures(spec.features as FeatureDef[], 'features', { store }), spec.model);
  const src = loadFeatureSource(store, features, {
    ...(spec.symbols ? { symbols: spec.symbols } : {}),
    to: parseDate(spec.end)!,
    universe: spec.universe,
  });
  const cacheDir = matrixCacheDir(store);
  const matrix = await featureMatrixAsync(src, features, cacheDir ? { cacheDir } : {});
  const result = opts.pool
    ? await trainWalkForwardOnPool(opts.pool, src, matrix, spec, {
        ...(opts.signal ? { signal: opts.signal } : {}),
        onProgress: (p) => void opts.onProgress?.({ window: p.completed, windows: p.total, step: 0, steps: 0 }),
      })
    : trainWalkForward(src, matrix, spec, opts);
  const time = src.panel.time;
  const windows: WindowRecord[] = result.windows.map((w) => ({
    trainStart: formatDate(time[w.idx.trainFrom]),
    trainEnd: formatDate(time[w.idx.trainTo]),
    testStart: formatDate(time[w.idx.testFrom]),
    testEnd: formatDate(time[w.idx.testTo]),
    metrics: nullable(w.metrics),
  }));
  const id = `m-${createHash('sha256')
    .update(JSON.stringify([spec, matrix.fingerprint, MODEL_CODE_VERSION]))
    .digest('hex')
    .slice(0, 16)}`;
  const labels = features.map((f) => f.label);
  const record: ModelRecord = {
    id,
    kind: spec.model.kind,
    name: null,
    spec,
    lineage: {
      dataFingerprint: matrix.fingerprint,
      featureSetHash: matrix.featureHash,
      features: labels,
      label: spec.label,
      hyperparameters: spec.model,
      walkForward: spec.walkForward,
      codeVersion: MODEL_CODE_VERSION,
    },
    metrics: result.metrics,
    windows,
    importance: labels.map((feature, j) => ({ feature, importance: result.importance[j] })),
    createdAt: opts.now ?? Date.now(),
  };
  const artifact: Artifact = {
    features: labels,
    windows: result.windows.map((w, i) => ({
      testStart: windows[i].testStart,
      testEnd: windows[i].testEnd,
      model: modelToJson(w.model),
    })),
  };
  insertModel(store, record, Buffer.from(JSON.stringify(artifact)));
  return { modelId: id, windows, metrics: result.metrics, record };
}

/** A prediction for one symbol at one date, with the features it was made from. */
export interface PointPrediction {
  readonly symbol: string;
  readonly date: string;
  readonly prediction: number;
  /** The window whose out-of-sample model made it (its testStart), or "latest" past the last window. */
  readonly window: string;
  readonly features: Float64Array;
  readonly model: Model;
}

/** Loads a stored in-app model; throws a clear error for an unknown id or an imported kind. */
export function loadStoredModel(store: Store, id: string): { record: ModelRecord; artifact: Artifact } {
  const got = getModel(store, id);
  if (!got) throw new Error(`no model "${id}" in the registry (see quantdesk models list)`);
  if (got.record.kind === 'onnx') throw new Error(`model ${id} is an ONNX import: use its runtime path`);
  return { record: got.record, artifact: JSON.parse(got.artifact.toString('utf8')) as Artifact };
}

/**
 * The refusal of a prediction or explanation for `symbol` at `date` (YYYY-MM-DD) that the model does not cover:
 * not a member of its named PIT universe (`universe`) that day as known that day (`member` false), else a symbol
 * outside the model's symbols / the store, or without a bar that day.
 */
export function notCoveredError(symbol: string, date: string, universe: string | undefined, member: boolean): Error {
  return new Error(
    universe !== undefined && !member
      ? `${symbol}: not in the model's universe "${universe}" on ${date} (not a member as known that day)`
      : `${symbol}: not in the model's universe or no bar on ${date}`,
  );
}

/**
 * Predicts every symbol of the model's universe at `date` (or just `symbol`) with the window model whose test
 * window covers the date (out of sample), or the last window's model after it (live). Features are computed
 * from bars and facts up to `date` only. With a named PIT universe, only its members at `date` as known that
 * day are predicted (as training scored them); `symbol` outside it is refused ({@link notCoveredError}).
 */
export function predictAt(store: Store, id: string, date: string, symbol?: string): PointPrediction[] {
  const { record, artifact } = loadStoredModel(store, id);
  const spec = record.spec as ModelSpec;
  const d = parseDate(date);
  if (d === null) throw new Error(`--date: expected YYYY-MM-DD, got "${date}"`);
  const features = modelFeatures(resolveFeatures(spec.features as FeatureDef[], 'features', { store }), spec.model);
  const src = loadFeatureSource(store, features, {
    ...(spec.symbols ? { symbols: spec.symbols } : {}),
    to: d,
    universe: spec.universe,
  });
  const { panel } = src;
  const t = panel.nDays - 1;
  if (t < 0 || formatDate(panel.time[t]) !== formatDate(d))
    throw new Error(`no bars on ${formatDate(d)} (not a trading day in the store)`);
  let w = artifact.windows.findIndex((x) => x.testStart <= date && date <= x.testEnd);
  let windowName: string;
  if (w < 0) {
    const lastW = artifact.windows[artifact.windows.length - 1];
    if (date < artifact.windows[0].testStart)
      throw new Error(
        `no out-of-sample model covers ${date}: the first test window starts ${artifact.windows[0].testStart}`,
      );
    w = artifact.windows.length - 1;
    windowName = date > lastW.testEnd ? 'latest' : lastW.testStart;
  } else windowName = artifact.windows[w].testStart;
  const model = modelFromJson(artifact.windows[w].model);
  const cols = evaluateBatch(
    src,
    features.map((f) => f.expr),
  );
  const u = src.universe;
  const out: PointPrediction[] = [];
  for (let s = 0; s < panel.nInst; s++) {
    if (symbol !== undefined && panel.symbols[s] !== symbol) continue;
    const k = s * panel.nDays + t;
    if (!Number.isFinite(panel.close[k]) || (u && !memberAt(u, s, panel.time[t]))) continue;
    const x = Float64Array.from(cols, (c) => c[k]);
    out.push({
      symbol: panel.symbols[s],
      date: formatDate(d),
      prediction: predictModel(model, x),
      window: windowName,
      features: x,
      model,
    });
  }
  if (symbol !== undefined && out.length === 0) {
    const s = panel.symbols.indexOf(symbol);
    throw notCoveredError(symbol, formatDate(d), u?.name, s >= 0 && (!u || memberAt(u, s, panel.time[t])));
  }
  return out;
}

/** What `models explain` prints. */
export interface ExplainOutput {
  readonly prediction: number;
  readonly base: number;
  readonly contributions: { feature: string; value: number | null; contribution: number }[];
}

/** Explains one prediction: base + Σ contributions = prediction (exact TreeSHAP for trees), largest first. */
export function explainAt(store: Store, id: string, symbol: string, date: string): ExplainOutput {
  const [p] = predictAt(store, id, date, symbol);
  const { artifact } = loadStoredModel(store, id);
  const e = explainModel(p.model, p.features);
  const contributions = artifact.features.map((feature, j) => ({
    feature,
    value: Number.isFinite(p.features[j]) ? p.features[j] : null,
    contribution: e.contributions[j],
  }));
  contributions.sort(
    (a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.feature.localeCompare(b.feature),
  );
  return { prediction: e.prediction, base: e.base, contributions };
}
