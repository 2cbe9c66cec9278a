import { ok } from '../model/result';
import { listInstruments } from '../store/queries';
import type { Handlers } from './registry';
import type { Services } from './services';

const VERSION = '0.1.0';

/** Handlers of the `app:` domain. */
export function appHandlers(s: Services): Pick<Handlers, 'app:info' | 'app:dataset-status'> {
  return {
    'app:info': () => {
      // The counts from the instruments' coverage (cached per data fingerprint, and read by the Chart view's
      // first call anyway) instead of a count(*) over every bar on every page load.
      const coverage = listInstruments(s.store);
      let bars = 0;
      for (const r of coverage) bars += r.bars;
      return ok({
        version: VERSION,
        host: s.host,
        dbPath: s.dbPath,
        schemaVersion: s.store.schemaVersion,
        instruments: coverage.length,
        bars,
      });
    },
    'app:dataset-status': () => ok(s.app.dataset),
  };
}
