import type { ModelEvent, ModelRecord } from '../models/registry';
import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

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
    .run(
      rec.id,
      rec.kind,
      rec.name,
      JSON.stringify(rec.spec),
      JSON.stringify(rec.lineage),
      rec.metrics === null ? null : JSON.stringify(rec.metrics),
      JSON.stringify(rec.windows),
      rec.importance === null ? null : JSON.stringify(rec.importance),
      artifact,
      rec.createdAt,
    );
  return r.changes === 1;
}

/** Models, newest first. */
export function listModels(store: Store, limit = 100): ModelRecord[] {
  const rows = connection(store)
    .prepare(
      'SELECT id, kind, name, spec, lineage, metrics, windows, importance, created_at FROM models ORDER BY created_at DESC, id DESC LIMIT ?',
    )
    .all(Math.max(1, Math.min(10_000, limit))) as Row[];
  return rows.map(toRecord);
}

/** One model with its artifact, or null. */
export function getModel(store: Store, id: string): { record: ModelRecord; artifact: Buffer } | null {
  const row = connection(store)
    .prepare(
      'SELECT id, kind, name, spec, lineage, metrics, windows, importance, created_at, artifact FROM models WHERE id = ?',
    )
    .get(id) as (Row & { artifact: Buffer }) | undefined;
  return row ? { record: toRecord(row), artifact: row.artifact } : null;
}

/** Appends an action on a model version (e.g. `promote`), returning its sequence number. */
export function recordModelEvent(
  store: Store,
  modelId: string,
  action: string,
  note: string | null,
  ts = Date.now(),
): number {
  return Number(
    connection(store)
      .prepare('INSERT INTO model_events (model_id, ts, action, note) VALUES (?, ?, ?, ?)')
      .run(modelId, ts, action, note).lastInsertRowid,
  );
}

/** Every recorded action, oldest first (optionally for one model). */
export function modelEvents(store: Store, modelId?: string): ModelEvent[] {
  const sql = `SELECT seq, model_id AS modelId, ts, action, note FROM model_events ${modelId ? 'WHERE model_id = ?' : ''} ORDER BY seq`;
  return (modelId ? connection(store).prepare(sql).all(modelId) : connection(store).prepare(sql).all()) as ModelEvent[];
}

/** The current champion (latest promotion), or null. */
export function championId(store: Store): string | null {
  const row = connection(store)
    .prepare("SELECT model_id AS id FROM model_events WHERE action = 'promote' ORDER BY seq DESC LIMIT 1")
    .get() as { id: string } | undefined;
  return row?.id ?? null;
}
