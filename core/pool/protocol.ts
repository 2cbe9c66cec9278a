import type { AppError, Result } from '../model/result';
import type { PanelRequest } from '../data/panel';

/**
 * One unit of work for the simulation pool: plain, serialisable data (it crosses worker_threads,
 * Electron utility processes and Redis as JSON). `kind` selects the runner on the worker side
 * (see `JobTable`); `panel`, when present, names the data the job needs so a worker loads it once
 * per fingerprint and reuses it for every later job.
 */
export interface PoolJob<D = unknown> {
  readonly kind: string;
  readonly data: D;
  readonly panel?: PanelRef;
}

/**
 * The market data a job reads: the store's data fingerprint (see `dataFingerprint`) and the query
 * the panel is loaded with. Two requests with the same `key` denote the same panel.
 */
export interface PanelRef {
  /** Fingerprint of the store content the panel comes from. */
  readonly fingerprint: string;
  /** Options for `loadPanel` (symbols, range, adjustment), JSON-serialisable. */
  readonly query: PanelRequest;
}

/** What a job yields: its value, or an error as a value (a job that throws becomes `internal`). */
export type JobOutcome<R = unknown> = Result<R>;

/** Main → worker messages. */
export type ToWorker =
  /** First message after spawn: where the store is (null: no local store) and the worker's number. */
  | { readonly type: 'init'; readonly dbPath: string | null; readonly workerId: number }
  /** Run these jobs in order and answer with one `results` message. */
  | { readonly type: 'batch'; readonly batchId: number; readonly jobs: readonly PoolJob[] };

/** Worker → main messages. */
export type FromWorker =
  /** The worker opened its store and waits for batches. */
  | { readonly type: 'ready'; readonly workerId: number }
  /** Outcomes of a batch, in the batch's job order. */
  | { readonly type: 'results'; readonly batchId: number; readonly outcomes: readonly JobOutcome[] }
  /** The worker cannot work at all (e.g. its store does not open); the run fails with this error. */
  | { readonly type: 'fatal'; readonly error: AppError };

/** The stable cache key of a panel request (fingerprint + canonical JSON of the query). */
export function panelKey(req: PanelRef): string {
  return `${req.fingerprint}:${canonicalJson(req.query)}`;
}

/** JSON with object keys sorted, so equal values give equal strings whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}
