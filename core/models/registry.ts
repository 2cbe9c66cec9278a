import type { Store } from '../store/sqlite-bar-store';
import type { ModelMetrics } from './metrics';
import { connection } from '../store/internal';

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

interface Row {
  id: string;
  kind: string;
  name: string | null;
  spec: string;
  lineage: string;
  metrics: string | null;
  windows: string;
  importance: string | null;
  created_at: number;
}

function toRecord(r: Row): ModelRecord {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    spec: JSON.parse(r.spec),
    lineage: JSON.parse(r.lineage),
    metrics: r.metrics === null ? null : JSON.parse(r.metrics),
    windows: JSON.parse(r.windows),
    importance: r.importance === null ? null : JSON.parse(r.importance),
    createdAt: r.created_at,
  };
}

/**
 * Stores a model version in one transaction. Ids are content hashes (spec, data, code), so storing the same
 * training again is a no-op that returns false.
 */
export function insertModel(store: Store, rec: ModelRecord, artifact: Buffer): boolean {
  const r = connection(store)
    .prepare(
      `INSERT OR IGNORE INTO models (id, kind, name, spec, lineage, metrics, windows, importance, artifact, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(rec.id, rec.kind, rec.name, JSON.stringify(rec.spec), JSON.stringify(rec.lineage), rec.metrics === null ? null : JSON.stringify(rec.metrics), JSON.stringify(rec.windows), rec.importance === null ? null : JSON.stringify(rec.importance), artifact, rec.createdAt);
  return r.changes === 1;
}

/** Models, newest first. */
export function listModels(store: Store, limit = 100): ModelRecord[] {
  const rows = connection(store).prepare('SELECT id, kind, name, spec, lineage, metrics, windows, importance, created_at FROM models ORDER BY created_at DESC, id DESC LIMIT ?').all(Math.max(1, Math.min(10_000, limit))) as Row[];
  return rows.map(toRecord);
}

/** One model with its artifact, or null. */
export function getModel(store: Store, id: string): { record: ModelRecord; artifact: Buffer } | null {
  const row = connection(store).prepare('SELECT id, kind, name, spec, lineage, metrics, windows, importance, created_at, artifact FROM models WHERE id = ?').get(id) as (Row & { artifact: Buffer }) | undefined;
  return row ? { record: toRecord(row), artifact: row.artifact } : null;
}

/** Appends an action on a model version (e.g. `promote`), returning its sequence number. */
export function recordModelEvent(store: Store, modelId: string, action: string, note: string | null, ts = Date.now()): number {
  return Number(connection(store).prepare('INSERT INTO model_events (model_id, ts, action, note) VALUES (?, ?, ?, ?)').run(modelId, ts, action, note).lastInsertRowid);
}

/** One recorded action on a model version. */
export interface ModelEvent {
  readonly seq: number;
  readonly modelId: string;
  readonly ts: number;
  readonly action: string;
  readonly note: string | null;
}

/** Every recorded action, oldest first (optionally for one model). */
export function modelEvents(store: Store, modelId?: string): ModelEvent[] {
  const sql = `SELECT seq, model_id AS modelId, ts, action, note FROM model_events ${modelId ? 'WHERE model_id = ?' : ''} ORDER BY seq`;
  return (modelId ? connection(store).prepare(sql).all(modelId) : connection(store).prepare(sql).all()) as ModelEvent[];
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

/** The current champion (latest promotion), or null. */
export function championId(store: Store): string | null {
  const row = connection(store).prepare("SELECT model_id AS id FROM model_events WHERE action = 'promote' ORDER BY seq DESC LIMIT 1").get() as { id: string } | undefined;
  return row?.id ?? null;
}
