import { randomUUID } from 'node:crypto';
import {
  deleteRun,
  getRunLabels,
  getRunPayloadRaw,
  getRunRow,
  insertRun,
  listRunRows,
  setRunLabel,
  type RunRow,
} from '../store/run-registry';
import type { Store } from '../store/sqlite-bar-store';
import { toOutput, type BacktestColumns, type BacktestOutput } from './json';
import { decodeRunPayload, encodeRunPayload } from './run-payload';
import { ENGINE_VERSION, type BacktestSpec } from './spec';
import type { DecisionAudit, Metrics } from './types';

/** A run as listed by `quantdesk runs list` / `runs:list`. */
export interface RunSummary {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly strategy: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly engineVersion: string;
  readonly dataFingerprint: string;
  readonly metrics: Metrics | null;
}

/** A stored run with its spec (defaults filled), full result and audit (`runs show`, `runs:get`). */
export interface RunDetail extends RunSummary {
  readonly spec: BacktestSpec;
  readonly result: BacktestOutput | null;
  readonly audit: readonly DecisionAudit[];
}

/** A stored run with its result as columns (`runs:get`, the app). */
export interface RunDetailColumns extends RunSummary {
  readonly spec: BacktestSpec;
  readonly result: BacktestColumns | null;
  readonly audit: readonly DecisionAudit[];
}

/** A new run id: sortable by creation time, unique. */
export function newRunId(now = Date.now()): string {
  return `bt-${new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
}

/**
 * Stores a finished backtest: spec, engine version, data fingerprint, metrics and the full result as a
 * typed-array payload (`run-payload.ts`), in one transaction: a run is either wholly there or absent.
 */
export function saveBacktestRun(
  store: Store,
  run: {
    result: BacktestColumns;
    fingerprint: string;
    audit: readonly DecisionAudit[];
    createdAt: number;
    finishedAt: number;
  },
): void {
  const output = run.result;
  const payload = encodeRunPayload(output, run.audit);
  insertRun(
    store,
    {
      id: output.runId,
      kind: 'backtest',
      status: 'finished',
      spec: JSON.stringify(output.spec),
      engineVersion: ENGINE_VERSION,
      dataFingerprint: run.fingerprint,
      metrics: JSON.stringify(output.metrics),
      summary: JSON.stringify({ strategy: output.spec.strategy, trades: output.trades.length }),
      createdAt: run.createdAt,
      finishedAt: run.finishedAt,
    },
    { params: JSON.stringify(output.spec.params), metrics: JSON.stringify(output.metrics), payload },
  );
}

/** Parses a JSON column written by any domain (sweeps store their own shapes); null when it is not JSON. */
function parseJson<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

function summary(row: RunRow): RunSummary {
  const spec = parseJson<{ strategy?: unknown }>(row.spec);
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    strategy: typeof spec?.strategy === 'string' ? spec.strategy : '',
    createdAt: new Date(row.createdAt).toISOString(),
    finishedAt: row.finishedAt === null ? null : new Date(row.finishedAt).toISOString(),
    engineVersion: row.engineVersion,
    dataFingerprint: row.dataFingerprint,
    metrics: parseJson<Metrics>(row.metrics),
  };
}

/** Stored runs, newest first. */
export function listRuns(store: Store, opts: { kind?: string; limit?: number } = {}): RunSummary[] {
  return listRunRows(store, opts).map(summary);
}

/** One stored run with its result as columns (either stored format), or undefined for an unknown id. */
export function getRunColumns(store: Store, id: string): RunDetailColumns | undefined {
  const row = getRunRow(store, id);
  if (!row) return undefined;
  const raw = row.kind === 'backtest' ? getRunPayloadRaw(store, id) : undefined;
  const payload = raw !== undefined ? decodeRunPayload(raw) : null;
  return {
    ...summary(row),
    spec: (parseJson<BacktestSpec>(row.spec) ?? {}) as BacktestSpec,
    result: payload?.result ?? null,
    audit: payload?.audit ?? [],
  };
}

/** One stored run with its full result as printed (`runs show`), or undefined for an unknown id. */
export function getRun(store: Store, id: string): RunDetail | undefined {
  const run = getRunColumns(store, id);
  if (!run) return undefined;
  return { ...run, result: run.result ? toOutput(run.result, run.result.runId) : null };
}

/** A run as the app's history lists it: the summary, the user's label, and the spec's symbols and params. */
export interface RunListItem extends RunSummary {
  readonly name: string;
  readonly tags: readonly string[];
  readonly note: string;
  /** The spec's symbols (empty for a universe run) and universe name. */
  readonly symbols: readonly string[];
  readonly universe: string | null;
  readonly params: Readonly<Record<string, unknown>>;
}

function listItem(row: RunRow, label: { name: string; tags: string; note: string } | undefined): RunListItem {
  const spec = parseJson<{ symbols?: unknown; universe?: unknown; params?: unknown }>(row.spec);
  const tags = parseJson<unknown>(label?.tags ?? '[]');
  return {
    ...summary(row),
    name: label?.name ?? '',
    tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
    note: label?.note ?? '',
    symbols: Array.isArray(spec?.symbols) ? spec.symbols.filter((x): x is string => typeof x === 'string') : [],
    universe: typeof spec?.universe === 'string' ? spec.universe : null,
    params:
      spec?.params && typeof spec.params === 'object' && !Array.isArray(spec.params)
        ? (spec.params as Record<string, unknown>)
        : {},
  };
}

/** Stored runs with labels, symbols and params, newest first (`runs:list`). */
export function listRunItems(store: Store, opts: { kind?: string; limit?: number } = {}): RunListItem[] {
  const rows = listRunRows(store, opts);
  const labels = getRunLabels(
    store,
    rows.map((r) => r.id),
  );
  return rows.map((r) => listItem(r, labels.get(r.id)));
}

/** Names, tags and annotates a run (each given field replaces the stored one). Undefined for an unknown run. */
export function labelRun(
  store: Store,
  id: string,
  patch: { name?: string; tags?: readonly string[]; note?: string },
): RunListItem | undefined {
  const row = getRunRow(store, id);
  if (!row) return undefined;
  const cur = getRunLabels(store, [id]).get(id);
  const tags = patch.tags ? [...new Set(patch.tags.map((t) => t.trim()).filter(Boolean))] : undefined;
  const next = {
    runId: id,
    name: patch.name !== undefined ? patch.name.trim() : (cur?.name ?? ''),
    tags: tags ? JSON.stringify(tags) : (cur?.tags ?? '[]'),
    note: patch.note !== undefined ? patch.note : (cur?.note ?? ''),
  };
  if (!setRunLabel(store, next)) return undefined;
  return listItem(row, next);
}

/** Deletes a run, its stored payload and its label. False for an unknown run. */
export function removeRun(store: Store, id: string): boolean {
  return deleteRun(store, id);
}
