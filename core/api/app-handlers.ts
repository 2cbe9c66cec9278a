import { ok } from '../model/result';
import type { appMethods } from '../contract/app';
import { dataFingerprint } from '../store/fingerprint';
import type { Store } from '../store/sqlite-bar-store';
import type { Handlers } from './registry';
import type { Services } from './services';
import { countBars, countInstruments } from '../store/stats';

/** What the host is and what it holds. */
export interface AppInfo {
  readonly version: string;
  readonly host: 'electron' | 'serve';
  readonly dbPath: string;
  readonly schemaVersion: number;
  readonly instruments: number;
  readonly bars: number;
}

const VERSION = '0.1.0';

/** The counts per store and data fingerprint: a count(*) over every bar ran on every page load (~180 ms at load). */
const counts = new WeakMap<Store, { fp: string; instruments: number; bars: number }>();

/** Handlers of the `app:` domain. */
export function appHandlers(s: Services): Pick<Handlers, keyof typeof appMethods> {
  return {
    'app:info': () => {
      const fp = dataFingerprint(s.store);
      let c = counts.get(s.store);
      if (!c || c.fp !== fp)
        counts.set(s.store, (c = { fp, instruments: countInstruments(s.store), bars: countBars(s.store) }));
      return ok({
        version: VERSION,
        host: s.host,
        dbPath: s.dbPath,
        schemaVersion: s.store.schemaVersion,
        instruments: c.instruments,
        bars: c.bars,
      });
    },
    'app:dataset-status': () => ok(s.app.dataset),
  };
}
