import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { userFeatureByHash } from '../features/user';
import { DeskColumn, ScreenDef } from '../model/desk';
import { buildWorkerEntry } from '../pool/test-support';
import { createThreadPool } from '../pool/thread-pool';
import { CancelledError, type Pool } from '../pool/types';
import { setStrategyTimeoutMs, sourceHash, strategyTimeoutMs } from '../sdk/sandbox';
import { addUserFeature } from '../store/feature-sources';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { loadFixture } from '../store/test-helpers';
import { ColumnError, columnTable, columnTableInThreadForTests } from './columns';
import { runScreen } from './screen';

const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
const featureFile = join(__dirname, '..', 'features', 'testdata', 'range-mean.ts');
const rangeMean = readFileSync(featureFile, 'utf8');
const rangeMeanHash = sourceHash(rangeMean);
const col = (c: object) => DeskColumn.parse(c);
const userCol = (period: number) => col({ kind: 'indicator', name: 'range-mean', params: { period } });

async function fixture(path: string): Promise<Store> {
  const s = openStore(path);
  await loadFixture(s);
  addUserFeature(s, { name: 'range-mean', file: featureFile, source: rangeMean, hash: rangeMeanHash });
  return s;
}

describe('desk columns over user features, on the simulation pool', () => {
  let dir: string;
  let store: Store;
  let pool: Pool;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qd-user-cols-'));
    store = await fixture(join(dir, 'desk.db'));
    pool = createThreadPool({ workers: 1, dbPath: store.path, workerEntry: await buildWorkerEntry() });
  }, 60_000);
  afterAll(async () => {
    await pool?.close();
    store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cols = [
    userCol(2),
    col({ kind: 'last' }),
    col({ kind: 'expr', expr: '(($high - $low) / $close + Ref(($high - $low) / $close, 1)) / 2' }),
    col({ kind: 'fundamental', field: 'eps' }),
    userCol(3),
    col({ kind: 'indicator', name: 'news_count', params: { days: 7 } }),
  ];

  it('computes user features on a worker, equal value for value to the in-thread path, never loading them here', async () => {
    const symbols = ['AAA', 'BBB', 'NOPE', 'ZZZ'];
    const dates = ['2020-01-03', '2020-01-06', '2020-05-20', '2020-07-01'];
    const onPool = [];
    for (const date of dates) onPool.push(await columnTable(store, symbols, cols, d(date), false, { pool }));
    // The host thread never loaded the user feature: it ran only on the worker.
    expect(() => userFeatureByHash(rangeMeanHash)).toThrow(/not loaded in this process/);
    for (let i = 0; i < dates.length; i++) {
      const inThread = await columnTableInThreadForTests(store, symbols, cols, d(dates[i]));
      expect(onPool[i]).toEqual(inThread);
    }
    const t = onPool[0];
    expect(t.values[0][0]).not.toBeNull();
    expect(t.values[0][0]!).toBeCloseTo(t.values[0][2]!, 12);
    expect(t.values[2]).toEqual(cols.map(() => null));
    // A screen ranked by a user feature: the same rows as in thread.
    const screen = ScreenDef.parse({ asOf: d('2020-05-20'), columns: cols, rank: { column: 0, order: 'desc' } });
    const ranked = await runScreen(store, screen, 0, { pool });
    expect(ranked.symbols.length).toBeGreaterThan(1);
    const ref = await columnTableInThreadForTests(store, ranked.symbols, cols, d('2020-05-20'));
    expect(ranked.values).toEqual(ref.values);
    const vals = ranked.values.map((r) => r[0]).filter((v) => v !== null);
    expect(vals).toEqual([...vals].sort((a, b) => b! - a!));
  }, 60_000);

  it("names the column when the worker refuses a user feature's parameters", async () => {
    const bad = [col({ kind: 'last' }), col({ kind: 'indicator', name: 'range-mean', params: { period: 0 } })];
    const e = await columnTable(store, ['AAA'], bad, d('2020-01-03'), false, { pool }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ColumnError);
    expect((e as ColumnError).column).toBe(1);
    expect((e as ColumnError).message).toMatch(/^columns\.1: Too small/);
    // The same message as the in-thread path gives.
    const ref = await columnTableInThreadForTests(store, ['AAA'], bad, d('2020-01-03')).catch((x: unknown) => x);
    expect((e as Error).message).toBe((ref as Error).message);
  }, 30_000);

  it('applies the time limit on the worker and stops when cancelled', async () => {
    const slow = [
      "import { defineFeature, z } from 'quantdesk/sdk';",
      "export default defineFeature({ name: 'spin', description: 'never ends', params: z.object({}).strict(),",
      '  window: () => 1, batch(bars) { for (;;) {} } });',
    ].join('\n');
    const ws = openStore(store.path);
    addUserFeature(ws, { name: 'spin', file: 'spin.ts', source: slow, hash: sourceHash(slow) });
    ws.close();
    const spin = [col({ kind: 'indicator', name: 'spin', params: {} })];
    const before = strategyTimeoutMs();
    setStrategyTimeoutMs(300);
    try {
      const e = await columnTable(store, ['AAA'], spin, d('2020-01-03'), false, { pool }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ColumnError);
      expect((e as ColumnError).message).toMatch(/^columns\.0: spin.ts: the strategy was stopped after 0.3 s/);
    } finally {
      setStrategyTimeoutMs(before);
    }
    const abort = new AbortController();
    abort.abort();
    await expect(
      columnTable(store, ['AAA'], [userCol(2)], d('2020-01-03'), false, { pool, signal: abort.signal }),
    ).rejects.toBeInstanceOf(CancelledError);
  }, 60_000);
});

describe('desk columns over user features, without a pool', () => {
  let store: Store | null = null;
  afterEach(() => {
    store?.close();
    store = null;
  });

  it('refuses a user-feature column (naming it) but still computes built-ins and names unknown features', async () => {
    store = await fixture(':memory:');
    const e = await columnTable(store, ['AAA'], [col({ kind: 'last' }), userCol(2)], d('2020-01-03')).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ColumnError);
    expect((e as Error).message).toMatch(/^columns\.1: user feature "range-mean" runs only on the simulation pool/);
    const t = await columnTable(store, ['AAA'], [col({ kind: 'last' })], d('2020-01-03'));
    expect(t.values[0][0]).toBe(11);
    const u = await columnTable(store, ['AAA'], [col({ kind: 'indicator', name: 'nope', params: {} })], d('2020-01-03'))
      .then(() => null)
      .catch((x: unknown) => x);
    expect((u as Error).message).toBe('columns.0: unknown feature "nope" (see quantdesk features list)');
  });

  it('the in-thread reference (tests only) reads a stored user feature and news_count by name', async () => {
    store = await fixture(':memory:');
    const cols = [
      userCol(2),
      col({ kind: 'expr', expr: '(($high - $low) / $close + Ref(($high - $low) / $close, 1)) / 2' }),
      col({ kind: 'indicator', name: 'news_count', params: { days: 7 } }),
    ];
    const t = await columnTableInThreadForTests(store, ['AAA'], cols, d('2020-01-03'));
    expect(t.values[0][0]).not.toBeNull();
    expect(t.values[0][0]!).toBeCloseTo(t.values[0][1]!, 12);
    expect(t.values[0][2]).toBe(0);
  });
});
