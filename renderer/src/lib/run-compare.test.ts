import { describe, expect, it } from 'vitest';
import type { RunSummaryView } from '../../../core/contract';
import { filterRuns, normaliseTo100, paramsText, rankMarks } from './run-compare';

describe('comparing runs', () => {
  it('marks higher return/Sharpe as best but higher volatility, drawdown size and DD duration as worst', () => {
    expect(rankMarks('sharpe', [0.5, 1.2, -0.1, null])).toEqual(['', 'best', 'worst', '']);
    expect(rankMarks('volatility', [0.1, 0.3, 0.2])).toEqual(['best', 'worst', '']);
    // Drawdowns by size, whatever the sign they are stored with.
    expect(rankMarks('maxDrawdown', [-0.25, -0.1, 0.3])).toEqual(['', 'best', 'worst']);
    expect(rankMarks('maxDrawdownDuration', [100, 400])).toEqual(['best', 'worst']);
    expect(rankMarks('var95', [-0.02, -0.01])).toEqual(['worst', 'best']);
    // Facts, not scores: no colours.
    expect(rankMarks('beta', [0.5, 1.5])).toEqual(['', '']);
    expect(rankMarks('trades', [5, 50])).toEqual(['', '']);
    expect(rankMarks('sharpe', [1, 1])).toEqual(['', '']);
  });

  it('rebases equity to 100 at its first value', () => {
    expect([...normaliseTo100(Float64Array.from([NaN, 50_000, 75_000, 25_000]))].slice(1)).toEqual([100, 150, 50]);
  });

  it('searches names, tags, notes, symbols and params; column filters match exactly', () => {
    const run = (id: string, over: Partial<RunSummaryView>): RunSummaryView =>
      ({
        id,
        kind: 'backtest',
        status: 'finished',
        strategy: 'sma-cross',
        createdAt: '',
        finishedAt: null,
        engineVersion: '',
        dataFingerprint: '',
        metrics: null,
        ...over,
      }) as RunSummaryView;
    const runs = [
      run('r1', { name: 'Baseline', tags: ['prod'], symbols: ['ABAG'], params: { fast: 10, slow: 40 } }),
      run('r2', { note: 'tight stops', tags: ['prod-candidate'], symbols: ['ABAGX'], params: { fast: 5 } }),
      run('r3', { strategy: 'factor-rank', universe: 'all', params: { rank: [{ factor: 'pbr' }] } }),
    ];
    const ids = (q: string) => filterRuns(runs, q).map((r) => r.id);
    expect(ids('')).toEqual(['r1', 'r2', 'r3']);
    expect(ids('baseline')).toEqual(['r1']);
    expect(ids('tag:prod')).toEqual(['r1']);
    expect(ids('prod')).toEqual(['r1', 'r2']);
    expect(ids('symbol:abag')).toEqual(['r1']);
    expect(ids('slow=40')).toEqual(['r1']);
    expect(ids('stops fast=5')).toEqual(['r2']);
    expect(ids('pbr')).toEqual(['r3']);
    expect(ids('strategy:factor-rank')).toEqual(['r3']);
    expect(paramsText({ fast: 10, rank: [{ factor: 'pbr' }] })).toBe('fast=10 rank=[{"factor":"pbr"}]');
  });
});
