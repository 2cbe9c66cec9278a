import { describe, expect, it } from 'vitest';
import { topkDropout } from './model-signal';

const scores = (o: Record<string, number>) => new Map(Object.entries(o));

describe("Qlib's top-k dropout", () => {
  it('fills an empty book with the k best', () => {
    expect(topkDropout([], scores({ a: 1, b: 5, c: 3, d: 4 }), 2, 1).sort()).toEqual(['b', 'd']);
  });

  it('replaces at most nDrop held names per rebalance, and only those in the worst nDrop', () => {
    // Held a, b, c; new leaders x, y, z. With nDrop 1 only the single worst of held ∪ candidates goes.
    const s = scores({ a: 1, b: 2, c: 3, x: 10, y: 9, z: 8 });
    const next = topkDropout(['a', 'b', 'c'], s, 3, 1);
    expect(next.sort()).toEqual(['b', 'c', 'x']);
    expect(topkDropout(['a', 'b', 'c'], s, 3, 3).sort()).toEqual(['x', 'y', 'z']);
    // nDrop 0 never trades a full book.
    expect(topkDropout(['a', 'b', 'c'], s, 3, 0).sort()).toEqual(['a', 'b', 'c']);
  });

  it('keeps a held name that still ranks well, and drops names that lost their score', () => {
    const s = scores({ a: 9, b: 1, x: 5 });
    expect(topkDropout(['a', 'gone'], s, 2, 1).sort()).toEqual(['a', 'x']);
  });
});
