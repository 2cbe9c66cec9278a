import { ok } from '../model/result';
import type { Handlers } from './registry';
import type { Services } from './services';
import { connection } from '../store/internal';

const VERSION = '0.1.0';

/** Handlers of the `app:` domain. */
export function appHandlers(s: Services): Pick<Handlers, 'app:info' | 'app:dataset-status'> {
  return {
    'app:info': () => {
      const count = (sql: string) => (connection(s.store).prepare(sql).get() as { n: number }).n;
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
