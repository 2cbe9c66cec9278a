import type { Store } from './sqlite-bar-store';
import { connection } from './internal';

/** One row of the `runs` table, JSON columns still as text. */
export interface RunRow {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly spec: string;
  readonly engineVersion: string;
  readonly dataFingerprint: string;
  readonly metrics: string | null;
  readonly summary: string | null;
  readonly createdAt: number;
  readonly finishedAt: number | null;
}

const COLUMNS = `id, kind, status, spec, engine_version AS engineVersion, data_fingerprint AS dataFingerprint,
  metrics, summary, created_at AS createdAt, finished_at AS finishedAt`;

/**
 * Inserts a run and (when given) its single result payload in one transaction. The payload goes to
 * `run_payloads` (a rowid table: a run's payload is never read to compare keys), its run_results row keeps
 * the params and metrics.
 */
export function insertRun(
  store: Store,
  row: RunRow,
  payload?: { params: string; metrics: string; payload: string | Uint8Array },
): void {
  const db = connection(store);
  db.transaction(() => {
    db.prepare(
      `INSERT INTO runs (id, kind, status, spec, engine_version, data_fingerprint, metrics, summary, created_at, finished_at)
       VALUES (@id, @kind, @status, @spec, @engineVersion, @dataFingerprint, @metrics, @summary, @createdAt, @finishedAt)`,
    ).run(row);
    if (payload) {
      db.prepare('INSERT INTO run_results (run_id, idx, params, metrics, payload) VALUES (?, 0, ?, ?, NULL)').run(
        row.id,
        payload.params,
        payload.metrics,
      );
      db.prepare('INSERT INTO run_payloads (run_id, idx, payload) VALUES (?, 0, ?)').run(row.id, payload.payload);
    }
  })();
}

/** Runs, newest first; `kind` filters (e.g. `backtest`). */
export function listRunRows(store: Store, opts: { kind?: string; limit?: number } = {}): RunRow[] {
  const limit = Math.max(1, Math.min(10_000, opts.limit ?? 100));
  if (opts.kind !== undefined) {
    return connection(store)
      .prepare(`SELECT ${COLUMNS} FROM runs WHERE kind = ? ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(opts.kind, limit) as RunRow[];
  }
  return connection(store)
    .prepare(`SELECT ${COLUMNS} FROM runs ORDER BY created_at DESC, id DESC LIMIT ?`)
    .all(limit) as RunRow[];
}

/** One run by id, or undefined. */
export function getRunRow(store: Store, id: string): RunRow | undefined {
  return connection(store).prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
}

/**
 * The stored payload of result `idx` as stored: text (older formats) or a BLOB (`core/backtest/run-payload.ts`).
 * From `run_payloads`, or from run_results for runs stored before that table.
 */
export function getRunPayloadRaw(store: Store, id: string, idx = 0): string | Buffer | undefined {
  const db = connection(store);
  const row = db.prepare('SELECT payload FROM run_payloads WHERE run_id = ? AND idx = ?').get(id, idx) as
    { payload: string | Buffer } | undefined;
  if (row) return row.payload;
  const old = db.prepare('SELECT payload FROM run_results WHERE run_id = ? AND idx = ?').get(id, idx) as
    { payload: string | Buffer | null } | undefined;
  return old?.payload ?? undefined;
}

/** A user's label of a run (`run_labels`): name, tags (JSON array text) and note. */
export interface RunLabelRow {
  readonly runId: string;
  readonly name: string;
  readonly tags: string;
  readonly note: string;
}

/** Labels of the given runs, by run id (runs without one are absent). */
export function getRunLabels(store: Store, ids: readonly string[]): Map<string, RunLabelRow> {
  const out = new Map<string, RunLabelRow>();
  const stmt = connection(store).prepare('SELECT run_id AS runId, name, tags, note FROM run_labels WHERE run_id = ?');
  for (const id of ids) {
    const row = stmt.get(id) as RunLabelRow | undefined;
    if (row) out.set(id, row);
  }
  return out;
}

/** Writes a run's label (one row, replaced whole). Returns false for an unknown run. */
export function setRunLabel(store: Store, label: RunLabelRow, now = Date.now()): boolean {
  const db = connection(store);
  return db.transaction(() => {
    if (!db.prepare('SELECT 1 FROM runs WHERE id = ?').get(label.runId)) return false;
    db.prepare(
      `INSERT INTO run_labels (run_id, name, tags, note, updated_at) VALUES (@runId, @name, @tags, @note, @now)
       ON CONFLICT(run_id) DO UPDATE SET name = excluded.name, tags = excluded.tags, note = excluded.note, updated_at = excluded.updated_at`,
    ).run({ ...label, now });
    return true;
  })();
}

/** Deletes a run with its stored results (payloads) and label, in one transaction. Returns false for an unknown run. */
export function deleteRun(store: Store, id: string): boolean {
  const db = connection(store);
  return db.transaction(() => {
    db.prepare('DELETE FROM run_payloads WHERE run_id = ?').run(id);
    db.prepare('DELETE FROM run_results WHERE run_id = ?').run(id);
    db.prepare('DELETE FROM run_labels WHERE run_id = ?').run(id);
    return db.prepare('DELETE FROM runs WHERE id = ?').run(id).changes > 0;
  })();
}
