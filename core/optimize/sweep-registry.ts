import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ENGINE_VERSION } from '../backtest/spec';
import { getRunPayload, getRunRow, insertRun } from '../store/run-registry';
import type { Store } from '../store/sqlite-bar-store';
import type { SweepOutput } from './sweep';
import type { SweepSpec } from './sweep-spec';

/** A new sweep id, sortable by creation time (`sw-YYYYMMDDhhmmss-xxxxxxxx`). */
export function newSweepId(now = Date.now()): string {
  return `sw-${new Date(now).toISOString().replace(/[-:T]/g, '').slice(0, 14)}-${randomUUID().slice(0, 8)}`;
}

/**
 * Records a finished sweep in the run registry (`kind` "sweep"): the sweep file, engine version,
 * data fingerprint, the best metrics, a summary, and the gzipped output (top results and failures).
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
      payload: gzipSync(Buffer.from(JSON.stringify(out))).toString('base64'),
    },
  );
}

/** A stored sweep's output, or undefined when `id` is not a sweep in the registry. */
export function loadSweep(store: Store, id: string): SweepOutput | undefined {
  const row = getRunRow(store, id);
  if (!row || row.kind !== 'sweep') return undefined;
  const raw = getRunPayload(store, id);
  return raw ? (JSON.parse(gunzipSync(Buffer.from(raw, 'base64')).toString('utf8')) as SweepOutput) : undefined;
}
