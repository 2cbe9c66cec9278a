import { describe, expect, it } from 'vitest';
import { connection } from './internal';
import { deleteRun, getRunPayloadRaw, insertRun, type RunRow } from './run-registry';
import { openStore } from './sqlite-bar-store';

const row = (id: string): RunRow => ({
  id,
  kind: 'backtest',
  status: 'finished',
  spec: '{}',
  engineVersion: 'e',
  dataFingerprint: 'fp',
  metrics: '{}',
  summary: null,
  createdAt: 1,
  finishedAt: 2,
});

describe('run registry payloads', () => {
  it('stores a payload in run_payloads, reads it back, and deletes it with its run', () => {
    const store = openStore(':memory:');
    const blob = Buffer.from([1, 2, 3, 0, 255]);
    insertRun(store, row('bt-a'), { params: '{}', metrics: '{}', payload: blob });
    insertRun(store, row('bt-t'), { params: '{}', metrics: '{}', payload: 'text payload' });
    insertRun(store, row('bt-none'));
    const db = connection(store);
    // Out of the WITHOUT ROWID table's key B-tree: its row keeps the params and metrics, not the payload.
    expect(db.prepare("SELECT payload, params FROM run_results WHERE run_id = 'bt-a'").get()).toEqual({
      payload: null,
      params: '{}',
    });
    expect(getRunPayloadRaw(store, 'bt-a')).toEqual(blob);
    expect(getRunPayloadRaw(store, 'bt-t')).toBe('text payload');
    expect(getRunPayloadRaw(store, 'bt-none')).toBeUndefined();
    expect(getRunPayloadRaw(store, 'bt-a', 1)).toBeUndefined();
    expect(deleteRun(store, 'bt-a')).toBe(true);
    expect(getRunPayloadRaw(store, 'bt-a')).toBeUndefined();
    expect(db.prepare("SELECT count(*) AS n FROM run_payloads WHERE run_id = 'bt-a'").get()).toEqual({ n: 0 });
    store.close();
  });

  it('still reads and deletes a payload stored in run_results (runs saved before run_payloads)', () => {
    const store = openStore(':memory:');
    insertRun(store, row('bt-old'));
    const db = connection(store);
    const blob = Buffer.from('QDRP-old-blob');
    db.prepare(
      "INSERT INTO run_results (run_id, idx, params, metrics, payload) VALUES ('bt-old', 0, '{}', '{}', ?)",
    ).run(blob);
    expect(getRunPayloadRaw(store, 'bt-old')).toEqual(blob);
    expect(deleteRun(store, 'bt-old')).toBe(true);
    expect(db.prepare('SELECT count(*) AS n FROM run_results').get()).toEqual({ n: 0 });
    store.close();
  });
});
