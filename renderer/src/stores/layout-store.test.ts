import { beforeEach, describe, expect, it } from 'vitest';
import type { PaneLayout } from '../../../core/model/desk';
import {
  closePane,
  firstLeaf,
  flushLayout,
  hashView,
  initLayout,
  leaves,
  paneAt,
  replaceAt,
  resizeSplit,
  splitPane,
  useLayoutStore,
} from './layout-store';
import { showView, useNavStore } from './nav-store';
import { installFakeApi } from './test-api';

const L: PaneLayout = {
  split: 'row',
  ratio: 0.5,
  a: { split: 'column', ratio: 0.3, a: { view: 'watchlist' }, b: { view: 'alerts' } },
  b: { view: 'chart' },
};

describe('pane layout', () => {
  it('addresses, replaces and lists panes by path', () => {
    expect(paneAt(L, 'ab')).toEqual({ view: 'alerts' });
    expect(paneAt(L, 'ba')).toBeNull();
    expect(leaves(L)).toEqual([
      { path: 'aa', view: 'watchlist' },
      { path: 'ab', view: 'alerts' },
      { path: 'b', view: 'chart' },
    ]);
    expect(firstLeaf(L)).toBe('aa');
    expect(leaves(replaceAt(L, 'b', () => ({ view: 'screener' })))[2]).toEqual({ path: 'b', view: 'screener' });
    expect(hashView('#view=watchlist')).toBe('watchlist');
    expect(hashView('#view=nope')).toBeNull();
    expect(hashView('')).toBeNull();
  });

  describe('the store', () => {
    let saved: unknown[];
    beforeEach(() => {
      saved = [];
      installFakeApi({
        'workspaces:list': () => ({ ok: true, value: [{ name: 'current', layout: L, windows: [], updatedAt: 1 }] }),
        'workspaces:save': (input) => {
          saved.push(input);
          return { ok: true, value: { ...(input as object), windows: [], updatedAt: 2 } };
        },
      });
      useLayoutStore.setState({ layout: { view: 'chart' }, focus: '', workspaces: [], isStandalone: false });
    });

    it('restores the stored layout, follows the nav in the focused pane, splits, resizes, closes and saves', async () => {
      await initLayout('');
      expect(useLayoutStore.getState().layout).toEqual(L);
      expect(useNavStore.getState().view).toBe('watchlist');
      // The nav bar changes the focused pane's view.
      showView('screener');
      expect(paneAt(useLayoutStore.getState().layout, 'aa')).toEqual({ view: 'screener' });
      splitPane('b', 'column', 'live');
      expect(useLayoutStore.getState().focus).toBe('bb');
      expect(paneAt(useLayoutStore.getState().layout, 'b')).toEqual({
        split: 'column',
        ratio: 0.5,
        a: { view: 'chart' },
        b: { view: 'live' },
      });
      resizeSplit('', 0.95);
      expect((useLayoutStore.getState().layout as { ratio: number }).ratio).toBe(0.9);
      closePane('ba');
      expect(paneAt(useLayoutStore.getState().layout, 'b')).toEqual({ view: 'live' });
      await flushLayout();
      expect(saved.at(-1)).toEqual({ name: 'current', layout: useLayoutStore.getState().layout });
    });

    it('a #view= tab shows one view and never overwrites the saved layout', async () => {
      await initLayout('#view=alerts');
      expect(useLayoutStore.getState().layout).toEqual({ view: 'alerts' });
      splitPane('', 'row');
      await flushLayout();
      expect(saved).toEqual([]);
    });
  });
});
