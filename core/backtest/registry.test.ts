import { describe, expect, it } from 'vitest';
import { insertRun } from '../store/run-registry';
import { openStore } from '../store/sqlite-bar-store';
import { toColumns, toOutput } from './json';
import { getRun, listRuns, newRunId, saveBacktestRun } from './registry';
import { rerunStored } from './run';
import { parseSpec } from './spec';
import { BacktestInputError, type BacktestResult } from './types';

describe('run registry', () => {
  it('round-trips a backtest through gzip and lists other domains\u2019 runs without choking on them', () => {
    const store = openStore(':memory:');
    const parsed = parseSpec({ strategy: 'sma-cross', symbols: ['A'] });
    if (!parsed.ok) throw new Error('spec');
    const result: BacktestResult = {
      spec: parsed.spec,
      metrics: {
        finalEquity: 1,
        totalReturn: 0,
        cagr: null,
        volatility: null,
        sharpe: null,
        sortino: null,
        calmar: null,
        maxDrawdown: 0,
        maxDrawdownDuration: 0,
        var95: null,
        cvar95: null,
        winRate: null,
        profitFactor: null,
        trades: 0,
        exposure: 0,
        turnover: 0,
        alpha: null,
        beta: null,
        informationRatio: null,
      },
      trades: [],
      openPositions: [],
      equity: { time: Float64Array.from([Date.UTC(2020, 0, 1)]), value: Float64Array.from([1]) },
      fingerprint: 'fp',
      audit: [{ date: 5, latestKnownAt: 4, factsRead: 2 }],
    };
    const id = newRunId(Date.UTC(2020, 0, 1, 12));
    expect(id).toMatch(/^bt-20200101120000-[0-9a-f]{8}$/);
    const output = toOutput(result, id);
    saveBacktestRun(store, {
      result: toColumns(result, id),
      fingerprint: 'fp',
      audit: result.audit,
      createdAt: 1000,
      finishedAt: 2000,
    });
    insertRun(store, {
      id: 'sweep-1',
      kind: 'sweep',
      status: 'running',
      spec: 'not json',
      engineVersion: 'x',
      dataFingerprint: 'fp2',
      metrics: null,
      summary: null,
      createdAt: 3000,
      finishedAt: null,
    });
    expect(listRuns(store).map((r) => [r.id, r.kind, r.strategy])).toEqual([
      ['sweep-1', 'sweep', ''],
      [id, 'backtest', 'sma-cross'],
    ]);
    expect(listRuns(store, { kind: 'backtest' }).map((r) => r.id)).toEqual([id]);
    const got = getRun(store, id);
    expect(got?.result).toEqual(output);
    expect(got?.audit).toEqual(result.audit);
    expect(got).toMatchObject({
      dataFingerprint: 'fp',
      createdAt: new Date(1000).toISOString(),
      finishedAt: new Date(2000).toISOString(),
    });
    expect(getRun(store, 'sweep-1')?.result).toBeNull();
    expect(() => rerunStored(store, 'sweep-1')).toThrow(BacktestInputError);
    expect(rerunStored(store, 'nope')).toBeUndefined();
    store.close();
  });
});
