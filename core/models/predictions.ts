import { evaluateBatch } from '../features/batch';
import { resolveFeatures, type FeatureDef } from '../features/defs';
import { loadFeatureSource } from '../features/matrix';
import { memberAt } from '../features/members';
import type { Panel } from '../data/panel-types';
import type { SignalExplanation } from '../model/explanation';
import { formatDate } from '../model/time';
import type { Store } from '../store/sqlite-bar-store';
import type { Strategy } from '../strategy/types';
import { loadStoredModel } from './service';
import type { ModelSpec } from './spec';
import { createGbdtExplainer, type GbdtExplainer } from './fast-treeshap';
import { explainModel, modelFeatures, modelFromJson, predictModel, type Model } from './train';

/** How many contributions a signal carries (on an alert, a chart marker, a trade). */
export const TOP_CONTRIBUTIONS = 3;

/** A model's predictions by symbol and date (EpochMs), NaN where it has none. */
export interface PredictionSource {
  readonly modelId: string;
  at(symbol: string, date: number): number;
  /** The contributions behind `at(symbol, date)` (the `top` largest by |contribution|); undefined where there is no prediction. */
  explain?(symbol: string, date: number, top?: number): SignalExplanation | undefined;
}

/**
 * A prediction's explanation as a signal carries it: the `top` features by |contribution| (ties by feature order),
 * with their values (null: missing). `phi` holds every feature's contribution (`base + Σ phi = prediction`).
 */
export function topExplanation(
  modelId: string,
  labels: readonly string[],
  x: ArrayLike<number>,
  prediction: number,
  base: number,
  phi: ArrayLike<number>,
  top = TOP_CONTRIBUTIONS,
): SignalExplanation {
  const order = Array.from({ length: phi.length }, (_, j) => j).sort(
    (a, b) => Math.abs(phi[b]) - Math.abs(phi[a]) || a - b,
  );
  return {
    modelId,
    prediction,
    base,
    top: order
      .slice(0, top)
      .map((j) => ({ feature: labels[j], value: Number.isFinite(x[j]) ? x[j] : null, contribution: phi[j] })),
  };
}

/** Explains one prediction of `model` at `x`: exact TreeSHAP for trees (the fast explainer when given), the model's own method otherwise. */
export function explainPrediction(
  modelId: string,
  labels: readonly string[],
  model: Model,
  explainer: GbdtExplainer | null,
  x: ArrayLike<number>,
  top = TOP_CONTRIBUTIONS,
  /** Where the explainer writes (a caller explaining every bar passes one buffer); read before this returns. */
  buffer?: Float64Array,
): SignalExplanation {
  if (explainer) {
    const phi = buffer && buffer.length === x.length ? buffer : new Float64Array(x.length);
    const prediction = explainer.explain(x, phi);
    return topExplanation(modelId, labels, x, prediction, explainer.base, phi, top);
  }
  const e = explainModel(model, x);
  return topExplanation(modelId, labels, x, e.prediction, e.base, e.contributions, top);
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
  return {
    modelId,
    at: (symbol, date) => t.at(symbol, date),
    explain: (symbol, date, top) => t.explain(symbol, date, top),
  };
}

type PredictionTable = Required<Omit<PredictionSource, 'modelId'>>;

const tables = new Map<string, PredictionTable>();

function predictionTable(store: Store, modelId: string, panel: Panel): PredictionTable {
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
  // A named universe: only its members as known each day are predicted (as training scored them).
  const u = src.universe;
  const models = artifact.windows.map((w) => modelFromJson(w.model));
  const values = new Float64Array(mp.nInst * mp.nDays).fill(Number.NaN);
  // The window whose model predicted each day (-1: none), for explanations.
  const windowOf = new Int32Array(mp.nDays).fill(-1);
  const x = new Float64Array(cols.length);
  let w = 0;
  for (let t = 0; t < mp.nDays; t++) {
    const d = formatDate(mp.time[t]);
    if (d < artifact.windows[0].testStart) continue;
    while (w + 1 < artifact.windows.length && d >= artifact.windows[w + 1].testStart) w++;
    windowOf[t] = w;
    for (let s = 0; s < mp.nInst; s++) {
      const k = s * mp.nDays + t;
      if (!Number.isFinite(mp.close[k]) || (u && !memberAt(u, s, mp.time[t]))) continue;
      for (let j = 0; j < cols.length; j++) x[j] = cols[j][k];
      values[k] = predictModel(models[w], x);
    }
  }
  const sIdx = new Map(mp.symbols.map((s, i) => [s, i]));
  const tIdx = new Map<number, number>();
  mp.time.forEach((t, i) => tIdx.set(t, i));
  const explainers = new Map<number, GbdtExplainer | null>();
  return {
    at(symbol: string, date: number) {
      const s = sIdx.get(symbol);
      const t = tIdx.get(date);
      return s === undefined || t === undefined ? Number.NaN : values[s * mp.nDays + t];
    },
    explain(symbol: string, date: number, top = TOP_CONTRIBUTIONS) {
      const s = sIdx.get(symbol);
      const t = tIdx.get(date);
      if (s === undefined || t === undefined) return undefined;
      const k = s * mp.nDays + t;
      const win = windowOf[t];
      if (win < 0 || values[k] !== values[k]) return undefined;
      const m = models[win];
      let ex = explainers.get(win);
      if (ex === undefined) explainers.set(win, (ex = m.kind === 'gbdt' ? createGbdtExplainer(m) : null));
      const row = cols.map((c) => c[k]);
      return explainPrediction(modelId, artifact.features, m, ex, row, top);
    },
  };
}

/**
 * The explanation of the prediction that opened each trade of a `model-signal` run: the decision is the last
 * rebalance date (`decisions`, ascending EpochMs) before the entry (at or before it when `fill` is `close`), and
 * the prediction is the symbol's on that date. Null for a trade no prediction explains. Needs the run's
 * predictions loaded in this process ({@link prepareModelSignal}).
 */
export function tradeExplanations(
  modelId: string,
  trades: readonly { readonly symbol: string; readonly entryTime: number }[],
  decisions: readonly number[],
  fill: string,
  /** The run's own predictions (see {@link bindPredictions}); default: those provided last for `modelId`. */
  source?: PredictionSource | null,
): (SignalExplanation | null)[] {
  const src = source ?? provided.get(modelId);
  return trades.map((tr) => {
    if (!src?.explain) return null;
    let lo = 0;
    let hi = decisions.length;
    // The first decision after the entry (or at it, for next-open fills): the one before it decided the entry.
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (fill === 'close' ? decisions[mid] <= tr.entryTime : decisions[mid] < tr.entryTime) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? null : (src.explain(tr.symbol, decisions[lo - 1]) ?? null);
  });
}

const provided = new Map<string, PredictionSource>();

/** Makes a model's predictions available to the `model-signal` strategy in this process. */
export function providePredictions(source: PredictionSource): void {
  provided.set(source.modelId, source);
}

/** The run whose strategy call is under way (see {@link bindPredictions}), or null outside one. */
let bound: PredictionSource | null = null;

/** The predictions of the run under way for `modelId`, else those provided last; throws a clear error when none were. */
export function predictionsFor(modelId: string): PredictionSource {
  if (bound?.modelId === modelId) return bound;
  const p = provided.get(modelId);
  if (!p)
    throw new Error(`model-signal: no predictions loaded for model "${modelId}" (is it in this database's registry?)`);
  return p;
}

/**
 * Loads the OOS predictions a backtest spec's `model-signal` strategy needs (no-op for other strategies). Called
 * where a run is prepared on a store (main process and pool workers alike).
 */
export function prepareModelSignal(
  store: Store,
  strategy: string,
  params: unknown,
  panel: Panel,
): PredictionSource | null {
  if (strategy !== 'model-signal') return null;
  const id = (params as { modelId?: unknown } | null)?.modelId;
  if (typeof id !== 'string' || id === '')
    throw new Error('model-signal: params.modelId is required (see quantdesk models list)');
  const source = outOfSamplePredictions(store, id, panel);
  providePredictions(source);
  return source;
}

/**
 * `strategy` bound to one run's predictions: each call of its `weights` reads `source` (and keeps the top-k book on
 * it), whatever another run of the same model prepared since. Concurrent runs (the async driver yields between bars)
 * share the prediction table of a (model, data, end), never a source, a book or a panel end. Calls go through the
 * strategy object's `weights` at call time.
 */
export function bindPredictions(strategy: Strategy, source: PredictionSource): Strategy {
  if (strategy.kind !== 'cross-sectional') return strategy;
  const out: Strategy = {
    ...strategy,
    weights: (p, view) => {
      const was = bound;
      bound = source;
      try {
        return strategy.weights(p, view);
      } finally {
        bound = was;
      }
    },
  };
  sources.set(out, source);
  return out;
}

const sources = new WeakMap<Strategy, PredictionSource>();

/** The predictions a strategy from {@link bindPredictions} is bound to (undefined for any other strategy). */
export function boundPredictions(strategy: Strategy): PredictionSource | undefined {
  return sources.get(strategy);
}
