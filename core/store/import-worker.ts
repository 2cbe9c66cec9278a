// Entry of a CSV import thread (bundled to out/cli/import-worker.js and out/main/import-worker.js):
// opens its own connection to the host's store file and runs the same `importCsv` (validation, then one
// atomic transaction), posting progress and the result; a 'cancel' message aborts it (nothing stored).
import { parentPort, workerData } from 'node:worker_threads';
import type { CsvSource } from './csv';
import { importCsv, type ImportKind } from './import';
import type { FromImportWorker, ImportWorkerData } from './import-thread';
import { openStore } from './sqlite-bar-store';
import { lowerThreadPriority } from '../pool/priority';

if (!parentPort) throw new Error('import-worker must run as a worker thread');
const port = parentPort;
const data = workerData as ImportWorkerData;
// The host's thread answers every client: the import thread yields the CPU to it first.
lowerThreadPriority();
const abort = new AbortController();
port.on('message', (m: { type: string }) => {
  if (m.type === 'cancel') abort.abort();
});
const post = (m: FromImportWorker): void => port.postMessage(m);

void (async () => {
  let store;
  try {
    store = openStore(data.dbPath);
    const result = await importCsv(store, data.kind as ImportKind, data.source as CsvSource, {
      signal: abort.signal,
      maxErrors: data.maxErrors,
      onProgress: (p) => post({ type: 'progress', progress: p }),
    });
    // Closed before answering: the host may end this thread as soon as the result arrives.
    store.close();
    post({ type: 'result', result });
  } catch (e) {
    store?.close();
    post({ type: 'error', message: (e as Error).message, name: (e as Error).name });
  } finally {
    port.close();
  }
})();
