import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskColumn } from '../model/desk';
import { sourceHash } from '../sdk/sandbox';
import { addUserFeature } from '../store/feature-sources';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { loadFixture } from '../store/test-helpers';
import { columnTable } from './columns';

const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
let store: Store | null = null;
afterEach(() => {
  store?.close();
  store = null;
});

describe('desk columns over user and news features', () => {
  it('reads a stored user feature and news_count by name, as the screener and watchlists do', async () => {
    store = openStore(':memory:');
    await loadFixture(store);
    const file = join(__dirname, '..', 'features', 'testdata', 'range-mean.ts');
    const source = readFileSync(file, 'utf8');
    addUserFeature(store, { name: 'range-mean', file, source, hash: sourceHash(source) });
    const cols = [
      DeskColumn.parse({ kind: 'indicator', name: 'range-mean', params: { period: 2 } }),
      DeskColumn.parse({ kind: 'expr', expr: '(($high - $low) / $close + Ref(($high - $low) / $close, 1)) / 2' }),
      DeskColumn.parse({ kind: 'indicator', name: 'news_count', params: { days: 7 } }),
    ];
    const t = columnTable(store, ['AAA'], cols, d('2020-01-03'));
    expect(t.values[0][0]).not.toBeNull();
    expect(t.values[0][0]!).toBeCloseTo(t.values[0][1]!, 12);
    expect(t.values[0][2]).toBe(0);
  });
});
