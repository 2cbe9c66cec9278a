import { randomUUID } from 'node:crypto';
import { ENGINE_VERSION } from '../backtest/spec';
import { getRunPayloadRaw, getRunRow, insertRun } from '../store/run-registry';
import type { Store } from '../store/sqlite-bar-store';
import type { MetricsRecord } from '../backtest/types';
import type { SweepOutput } from './sweep';
import { decodeSweepPayload, encodeSweepPayload } from './sweep-payload';
import type { SweepSpec } from './sweep-spec';

/** A new sweep id, sortable by creation time (`sw-YYYYMMDDhhmmss-xxxxxxxx`). */
export function newSweepId(now = Date.now()): string {
  return `sw-${new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
}

/**
 * Records a finished sweep in the run registry (`kind` "sweep"): the sweep file, engine version,
 * data fingerprint, the best metrics, a summary, and the output (top results, failures, surface) as the
 * versioned columns blob of `sweep-payload.ts`.
 */
export function saveSweep(store: Store, id: string, sweep: SweepSpec, out: SweepOutput, createdAt: number): void {
  insertRun(
    store,
    {
      id,
      kind: 'sweep',
      status: 'finished',
      spec: JSON.stringify(sweep),
      engineVersion: ENGINE_VERSION,
      dataFingerprint: out.fingerprint,
      metrics: out.best ? JSON.stringify(out.best.metrics) : null,
      summary: JSON.stringify({
        strategy: String(sweep.base.strategy ?? ''),
        objective: out.objective,
        runs: out.runs,
        best: out.best?.params ?? null,
      }),
      createdAt,
      finishedAt: createdAt + out.elapsedMs,
    },
    {
      params: JSON.stringify(out.best?.params ?? {}),
      metrics: JSON.stringify(out.best?.metrics ?? {}),
      payload: encodeSweepPayload(out),
    },
  );
}

/**
 * A stored sweep's output as its JSON read back (NaN as null), or undefined when `id` is not a sweep in the
 * registry. Either stored form: gzipped JSON text (sweeps saved before the columns blob) or the blob.
 * Throws `SweepPayloadError` naming what is wrong for a corrupt payload.
 */
export function loadSweep(store: Store, id: string): SweepOutput<MetricsRecord> | undefined {
  const row = getRunRow(store, id);
  if (!row || row.kind !== 'sweep') return undefined;
  const raw = getRunPayloadRaw(store, id);
  return raw ? decodeSweepPayload(raw).output : undefined;
}
