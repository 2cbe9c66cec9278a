import { randomUUID } from 'node:crypto';
import { fail, ok } from '../model/result';
import { ColumnError, columnTable } from '../screener/columns';
import { runScreen } from '../screener/screen';
import {
  ackAlerts,
  alertFacets,
  deleteScreen,
  deleteWatchlist,
  deleteWorkspace,
  listScreens,
  listWatchlists,
  listWorkspaces,
  queryAlerts,
  saveScreen,
  saveWatchlist,
  saveWorkspace,
} from '../store/desk';
import type { Handlers } from './registry';
import type { Services } from './services';

type DeskChannels =
  | 'user-alerts:list'
  | 'user-alerts:save'
  | 'user-alerts:pause'
  | 'user-alerts:delete'
  | 'user-alerts:history'
  | 'alerts:query'
  | 'alerts:ack-all'
  | 'alerts:facets'
  | 'watchlists:list'
  | 'watchlists:save'
  | 'watchlists:delete'
  | 'watchlists:table'
  | 'screener:run'
  | 'screener:list'
  | 'screener:save'
  | 'screener:delete'
  | 'workspaces:list'
  | 'workspaces:save'
  | 'workspaces:delete'
  | 'app:open-view';

/** Runs `fn`, turning a bad column (unknown indicator, bad expression) into `invalid-input` naming it. */
async function columns<T>(fn: () => Promise<T>) {
  try {
    return ok(await fn());
  } catch (e) {
    if (e instanceof ColumnError) return fail('invalid-input', e.message, [e.message]);
    throw e;
  }
}

/**
 * Handlers of the desk (issue 16 items 3-6): user alert rules (bound to `services.userAlerts`), alerts of
 * every book with filters and ack-all, watchlists and their column tables, the point-in-time screener and
 * saved screens, and named pane workspaces. All state lives in the store (`core/store/desk.ts`).
 */
export function deskHandlers(s: Services): Pick<Handlers, DeskChannels> {
  const rules = s.userAlerts;
  // User-feature columns run on the interactive pool worker, never on this thread (a store in memory has no
  // file for workers to open: there such columns are refused).
  const columnOptions = (signal: AbortSignal) =>
    s.dbPath === ':memory:' ? { signal } : { pool: s.optimize.interactivePool(), signal };
  return {
    'user-alerts:list': () => ok(rules.list()),
    'user-alerts:save': (input) => rules.save(input),
    'user-alerts:pause': (input) => rules.pause(input.id, input.paused),
    'user-alerts:delete': (input) => ok({ deleted: rules.delete(input.id) }),
    'user-alerts:history': (input) => rules.history(input.id, input.limit),
    'alerts:query': (input) => ok(queryAlerts(s.store, input)),
    'alerts:ack-all': (input) => ok({ acknowledged: ackAlerts(s.store, input, Date.now()) }),
    'alerts:facets': () => ok(alertFacets(s.store)),
    'watchlists:list': () => ok(listWatchlists(s.store)),
    'watchlists:save': (input) => {
      if (input.id !== undefined && !listWatchlists(s.store).some((w) => w.id === input.id))
        return fail('not-found', `no watchlist "${input.id}"`);
      return ok(
        saveWatchlist(
          s.store,
          { id: input.id ?? randomUUID(), name: input.name, symbols: input.symbols, columns: input.columns },
          Date.now(),
        ),
      );
    },
    'watchlists:delete': (input) => ok({ deleted: deleteWatchlist(s.store, input.id) }),
    'watchlists:table': (input, ctx) => {
      const w = listWatchlists(s.store).find((x) => x.id === input.id);
      if (!w) return fail('not-found', `no watchlist "${input.id}"`);
      return columns(() => columnTable(s.store, w.symbols, w.columns, Date.now(), true, columnOptions(ctx.signal)));
    },
    'screener:run': (input, ctx) => columns(() => runScreen(s.store, input, Date.now(), columnOptions(ctx.signal))),
    'screener:list': () => ok(listScreens(s.store)),
    'screener:save': (input) => ok(saveScreen(s.store, randomUUID(), input.name, input.screen, Date.now())),
    'screener:delete': (input) => ok({ deleted: deleteScreen(s.store, input.id) }),
    'workspaces:list': () => ok(listWorkspaces(s.store)),
    'workspaces:save': (input) => ok(saveWorkspace(s.store, input, Date.now())),
    'workspaces:delete': (input) => ok({ deleted: deleteWorkspace(s.store, input.name) }),
    // The desktop app replaces this handler with one that opens a window (electron/main/view-windows.ts).
    'app:open-view': (input) =>
      fail('unavailable', `this host opens no windows: open #view=${input.view} in a new tab`),
  };
}
