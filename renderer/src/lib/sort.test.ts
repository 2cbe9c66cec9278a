import { describe, expect, it } from 'vitest';
import { nextSort, sortRows } from './sort';

describe('table sorting', () => {
  const rows = [
    { s: 'b', v: 2 },
    { s: 'a', v: Number.NaN },
    { s: 'c', v: 10 },
    { s: 'd', v: 2 },
  ];
  it('sorts numbers numerically both ways with missing values last and ties stable', () => {
    expect(sortRows(rows, (r) => r.v, 'asc').map((r) => r.s)).toEqual(['b', 'd', 'c', 'a']);
    expect(sortRows(rows, (r) => r.v, 'desc').map((r) => r.s)).toEqual(['c', 'b', 'd', 'a']);
  });
  it('sorts strings', () => {
    expect(sortRows(rows, (r) => r.s, 'asc').map((r) => r.s)).toEqual(['a', 'b', 'c', 'd']);
  });
  it('cycles header clicks: a new column starts descending, the same column flips', () => {
    const s1 = nextSort(null, 'sharpe');
    expect(s1).toEqual({ key: 'sharpe', dir: 'desc' });
    expect(nextSort(s1, 'sharpe')).toEqual({ key: 'sharpe', dir: 'asc' });
    expect(nextSort(s1, 'cagr')).toEqual({ key: 'cagr', dir: 'desc' });
  });
});
