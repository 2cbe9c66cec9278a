import { loadDefaultDataset } from '../dataset/default';
import { fail, ok } from '../model/result';
import type { ImportOptions } from '../store/import';
import { importCsvOffThread } from '../store/import-thread';
import { barsRange, fundamentalAsOf, listInstruments, revisionHistory, universeAsOf } from '../store/queries';
import type { dataMethods, dataUploadMethods } from '../contract/data';
import type { Handlers } from './registry';
import type { Services } from './services';

type DataChannels = keyof typeof dataMethods | keyof typeof dataUploadMethods;

/** Minimum time between two import progress events (the final one is always sent). */
const PROGRESS_INTERVAL_MS = 100;

/**
 * Handlers of the `data:` domain (Data view, charts): coverage, bars as typed columns (EpochMs times), CSV import
 * of a file the user picked or dropped (its text, bounded; never a host path) in one call or in chunks
 * (`data:upload-*`, through a temp file) with `data:import-progressed` events, point-in-time lookups, the
 * universe, and loading the default dataset with `data:init-progressed` events. Imports and the
 * default dataset honour the call's cancellation signal (a cancelled import stores nothing).
 */
export function dataHandlers(s: Services): Pick<Handlers, DataChannels> {
  let nextImport = 1;
  /** A new import's progress callback: `data:import-progressed` events under a fresh id, at most every {@link PROGRESS_INTERVAL_MS}. */
  const progress = (): ImportOptions['onProgress'] => {
    const importId = `import-${nextImport++}`;
    let last = 0;
    return (p) => {
      const now = Date.now();
      if (p.phase !== 'done' && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      s.emit('data:import-progressed', { importId, ...p, done: p.phase === 'done' });
    };
  };
  return {
    'data:instruments': () => ok(listInstruments(s.store)),
    'data:bars': (input) => {
      const r = barsRange(s.store, input.symbol, { from: input.from, to: input.to, adjustment: input.adjustment });
      if (!r.ok) return r;
      // The columns as stored (fresh arrays per call), NaN kept: no copy into number[] for a transport.
      return ok({ symbol: input.symbol, ...r.value });
    },
    'data:import': async (input, ctx) => {
      // Only text the page sent: the host never opens a path a page names (README "Limits").
      const source = { fileName: input.fileName, content: input.content };
      // On its own thread (a file store): a big import never holds the host's thread.
      const r = await importCsvOffThread(s.store, input.kind, source, {
        signal: ctx.signal,
        onProgress: progress(),
        workerEntry: s.importWorker,
      });
      // Stored bars are judged by the user's alert rules (issue 16).
      if (r.ok && input.kind === 'bars' && r.value.changed > 0) s.userAlerts?.onStored();
      return r;
    },
    'data:upload-begin': (input) => s.uploads.begin(input),
    'data:upload-chunk': (input) => s.uploads.chunk(input.uploadId, input.seq, Buffer.from(input.data, 'base64')),
    'data:upload-commit': async (input, ctx) => {
      const r = await s.uploads.commit(input.uploadId, s.store, {
        signal: ctx.signal,
        onProgress: progress(),
        workerEntry: s.importWorker,
      });
      if (r.ok && r.value.kind === 'bars' && r.value.changed > 0) s.userAlerts?.onStored();
      return r;
    },
    'data:upload-cancel': async (input) => ok({ cancelled: await s.uploads.cancel(input.uploadId) }),
    'data:asof': (input) => fundamentalAsOf(s.store, input.symbol, input.field, input.asOf),
    'data:revisions': (input) => revisionHistory(s.store, input.symbol, input.field),
    'data:universe': (input) => ok(universeAsOf(s.store, input.asOf, input.name)),
    'data:init-default': async (_input, ctx) => {
      const r = await loadDefaultDataset(s.store, {
        signal: ctx.signal,
        onProgress: (p) => s.emit('data:init-progressed', p),
      });
      if (!r.ok) return r.error.code === 'cancelled' ? fail('cancelled', r.error.message) : r;
      return r;
    },
  };
}
