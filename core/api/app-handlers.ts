import { ok } from '../model/result';
import type { appMethods } from '../contract/app';
import type { Handlers } from './registry';
import type { Services } from './services';

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

/** Handlers of the `app:` domain. */
export function appHandlers(s: Services): Pick<Handlers, keyof typeof appMethods> {
  return {
    'app:info': () => {
      const count = (sql: string) => (s.store.db.prepare(sql).get() as { n: number }).n;
      return ok({
        version: VERSION,
        host: s.host,
        dbPath: s.dbPath,
        schemaVersion: s.store.schemaVersion,
        instruments: count('SELECT count(*) n FROM instruments'),
        bars: count('SELECT count(*) n FROM bars'),
      });
    },
    'app:dataset-status': () => ok(s.app.dataset),
  };
}
