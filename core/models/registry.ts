import type { Store } from '../store/sqlite-bar-store';
import type { ModelMetrics } from './metrics';
import { getModel, recordModelEvent } from '../store/models';

export { championId, getModel, insertModel, listModels, modelEvents, recordModelEvent } from '../store/models';

/** Version of the feature, label, training and explanation code: part of every model's lineage. */
export const MODEL_CODE_VERSION = 'models-1.0.0';

/** One walk-forward window as stored and printed (dates YYYY-MM-DD). */
export interface WindowRecord {
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly metrics: ModelMetrics | null;
}

/** Where a model came from: enough to reproduce it. */
export interface Lineage {
  readonly dataFingerprint: string;
  readonly featureSetHash: string;
  readonly features: readonly string[];
  readonly label: unknown;
  readonly hyperparameters: unknown;
  readonly walkForward: unknown;
  readonly codeVersion: string;
  /** For imported models: the manifest's source description and file hash. */
  readonly source?: string;
}

/** A registry entry without its artifact. */
export interface ModelRecord {
  readonly id: string;
  readonly kind: string;
  readonly name: string | null;
  readonly spec: unknown;
  readonly lineage: Lineage;
  readonly metrics: ModelMetrics | null;
  readonly windows: readonly WindowRecord[];
  readonly importance: readonly { feature: string; importance: number }[] | null;
  readonly createdAt: number;
}

/** A registry entry as `models:list` shows it: what identifies it and its overall out-of-sample metrics. */
export interface ModelSummary {
  readonly id: string;
  readonly kind: string;
  readonly name: string | null;
  readonly createdAt: number;
  readonly dataFingerprint: string;
  readonly featureSetHash: string;
  readonly features: readonly string[];
  readonly metrics: ModelMetrics | null;
}

/** `models:get`: a model with its spec, lineage, windows and importance (the record without its artifact). */
export interface ModelDetail extends ModelSummary {
  readonly spec: unknown;
  readonly lineage: Lineage;
  readonly windows: readonly WindowRecord[];
  readonly importance: ModelRecord['importance'];
}

/** The summary of a record (`models:list`). */
export function modelSummary(r: ModelRecord): ModelSummary {
  const { dataFingerprint, featureSetHash, features } = r.lineage;
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    createdAt: r.createdAt,
    dataFingerprint,
    featureSetHash,
    features,
    metrics: r.metrics,
  };
}

/** The detail of a record (`models:get`). */
export function modelDetail(r: ModelRecord): ModelDetail {
  return { ...modelSummary(r), spec: r.spec, lineage: r.lineage, windows: r.windows, importance: r.importance };
}

/** One recorded action on a model version. */
export interface ModelEvent {
  readonly seq: number;
  readonly modelId: string;
  readonly ts: number;
  readonly action: string;
  readonly note: string | null;
}

/**
 * Promotes a version to champion: an explicit, recorded action (append-only); the champion is the version of
 * the latest `promote` event. Throws for an unknown id.
 */
export function promoteModel(store: Store, modelId: string, note: string | null, ts = Date.now()): ModelEvent {
  if (!getModel(store, modelId)) throw new Error(`no model "${modelId}" in the registry (see quantdesk models list)`);
  const seq = recordModelEvent(store, modelId, 'promote', note, ts);
  return { seq, modelId, ts, action: 'promote', note };
}
