import { ok } from '../model/result';
import type { Handlers } from './registry';
import type { Services } from './services';
import { countBars, countInstruments } from '../store/stats';

const VERSION = '0.1.0';

/** Handlers of the `app:` domain. */
export function appHandlers(s: Services): Pick<Handlers, 'app:info' | 'app:dataset-status'> {
  return {
    'app:info': () => {
      return ok({
        version: VERSION,
        host: s.host,
        dbPath: s.dbPath,
        schemaVersion: s.store.schemaVersion,
        instruments: countInstruments(s.store),
        bars: countBars(s.store),
      });
    },
    'app:dataset-status': () => ok(s.app.dataset),
  };
}
