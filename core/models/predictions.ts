import { evaluateBatch } from '../features/batch';
import { resolveFeatures, type FeatureDef } from '../features/defs';
import { loadFeatureSource } from '../features/matrix';
import type { Panel } from '../data/panel-types';
import { formatDate } from '../model/time';
import type { Store } from '../store/sqlite-bar-store';
import { loadStoredModel } from './service';
import type { ModelSpec } from './spec';
import { modelFeatures, modelFromJson, predictModel } from './train';

/** A model's predictions by symbol and date (EpochMs), NaN where it has none. */
export interface PredictionSource {
  readonly modelId: string;
  at(symbol: string, date: number): number;
}

/**
 * Walk-forward OUT-OF-SAMPLE predictions of a stored model on every day of `panel` it covers: a day inside a
 * window's test range is predicted by that window's model (trained on data that ended before the window);
 * days before the first test window get NaN (no model could have predicted them out of sample); days after
 * the last window use the last window's model, as live trading would. Features come from the store as known
 * at each day.
 */
export function outOfSamplePredictions(store: Store, modelId: string, panel: Panel): PredictionSource {
  // A sweep prepares many runs on the same model and data: compute the predictions once per (model, data, end).
  const key = `${modelId}|${panel.fingerprint}|${panel.time[panel.nDays - 1]}`;
  let table = tables.get(key);
  if (!table) {
    table = predictionTable(store, modelId, panel);
    tables.set(key, table);
    while (tables.size > 4) tables.delete(tables.keys().next().value!);
  }
  const t = table;
  // A fresh object per run: the strategy keys its book on it, so runs never share holdings.
  return { modelId, at: (symbol, date) => t.at(symbol, date) };
}

const tables = new Map<string, { at(symbol: string, date: number): number }>();

function predictionTable(store: Store, modelId: string, panel: Panel): { at(symbol: string, date: number): number } {
  const { record, artifact } = loadStoredModel(store, modelId);
  const spec = record.spec as ModelSpec;
  const features = modelFeatures(resolveFeatures(spec.features as FeatureDef[], 'features', { store }), spec.model);
  const src = loadFeatureSource(store, features, {
    ...(spec.symbols ? { symbols: spec.symbols } : {}),
    to: panel.time[panel.nDays - 1],
    // Cross-sectional features rank within the spec's universe, as in training.
    universe: spec.universe,
  });
  const cols = evaluateBatch(
    src,
    features.map((f) => f.expr),
  );
  const mp = src.panel;
  const models = artifact.windows.map((w) => modelFromJson(w.model));
  const values = new Float64Array(mp.nInst * mp.nDays).fill(Number.NaN);
  const x = new Float64Array(cols.length);
  let w = 0;
  for (let t = 0; t < mp.nDays; t++) {
    const d = formatDate(mp.time[t]);
    if (d < artifact.windows[0].testStart) continue;
    while (w + 1 < artifact.windows.length && d >= artifact.windows[w + 1].testStart) w++;
    for (let s = 0; s < mp.nInst; s++) {
      const k = s * mp.nDays + t;
      if (!Number.isFinite(mp.close[k])) continue;
      for (let j = 0; j < cols.length; j++) x[j] = cols[j][k];
      values[k] = predictModel(models[w], x);
    }
  }
  const sIdx = new Map(mp.symbols.map((s, i) => [s, i]));
  const tIdx = new Map<number, number>();
  mp.time.forEach((t, i) => tIdx.set(t, i));
  return {
    at(symbol: string, date: number) {
      const s = sIdx.get(symbol);
      const t = tIdx.get(date);
      return s === undefined || t === undefined ? Number.NaN : values[s * mp.nDays + t];
    },
  };
}

const provided = new Map<string, PredictionSource>();

/** Makes a model's predictions available to the `model-signal` strategy in this process. */
export function providePredictions(source: PredictionSource): void {
  provided.set(source.modelId, source);
}

/** The predictions provided for `modelId`; throws a clear error when none were. */
export function predictionsFor(modelId: string): PredictionSource {
  const p = provided.get(modelId);
  if (!p)
    throw new Error(`model-signal: no predictions loaded for model "${modelId}" (is it in this database's registry?)`);
  return p;
}

/**
 * Loads the OOS predictions a backtest spec's `model-signal` strategy needs (no-op for other strategies). Called
 * where a run is prepared on a store (main process and pool workers alike).
 */
export function prepareModelSignal(store: Store, strategy: string, params: unknown, panel: Panel): void {
  if (strategy !== 'model-signal') return;
  const id = (params as { modelId?: unknown } | null)?.modelId;
  if (typeof id !== 'string' || id === '')
    throw new Error('model-signal: params.modelId is required (see quantdesk models list)');
  providePredictions(outOfSamplePredictions(store, id, panel));
}
