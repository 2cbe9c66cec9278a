import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { insertRun } from '../store/run-registry';
import { labelRun, listRunItems, removeRun } from './registry';
import { connection } from '../store/internal';

let dir: string;
let store: Store;
afterEach(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function open(): Store {
  dir = mkdtempSync(join(tmpdir(), 'qd-labels-'));
  store = openStore(join(dir, 'qd.db'));
  return store;
}

function addRun(id: string, spec: object, at: number): void {
  insertRun(
    store,
    {
      id,
      kind: 'backtest',
      status: 'finished',
      spec: JSON.stringify(spec),
      engineVersion: '1',
      dataFingerprint: 'f',
      metrics: null,
      summary: null,
      createdAt: at,
      finishedAt: at,
    },
    { params: '{}', metrics: '{}', payload: 'payload' },
  );
}

describe('runs you can manage', () => {
  it('lists symbols and params, names/tags/notes a run, and deletes it with its payload and label', () => {
    open();
    addRun('r1', { strategy: 'sma-cross', symbols: ['AAA'], params: { fast: 5 } }, 1);
    addRun('r2', { strategy: 'factor-rank', universe: 'all', params: {} }, 2);
    expect(listRunItems(store).map((r) => [r.id, r.symbols, r.universe, r.params, r.name])).toEqual([
      ['r2', [], 'all', {}, ''],
      ['r1', ['AAA'], null, { fast: 5 }, ''],
    ]);
    expect(labelRun(store, 'r1', { name: ' baseline ', tags: ['a', 'a', ' b ', ''] })).toMatchObject({
      name: 'baseline',
      tags: ['a', 'b'],
      note: '',
    });
    // A later patch keeps what it does not name.
    expect(labelRun(store, 'r1', { note: 'slow 40' })).toMatchObject({
      name: 'baseline',
      tags: ['a', 'b'],
      note: 'slow 40',
    });
    expect(listRunItems(store).find((r) => r.id === 'r1')).toMatchObject({ name: 'baseline', note: 'slow 40' });
    expect(labelRun(store, 'nope', { name: 'x' })).toBeUndefined();

    expect(removeRun(store, 'r1')).toBe(true);
    expect(removeRun(store, 'r1')).toBe(false);
    const count = (sql: string) => (connection(store).prepare(sql).get('r1') as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM run_results WHERE run_id = ?')).toBe(0);
    expect(count('SELECT count(*) AS n FROM run_labels WHERE run_id = ?')).toBe(0);
    expect(listRunItems(store).map((r) => r.id)).toEqual(['r2']);
  });
});
