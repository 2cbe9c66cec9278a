import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Result } from '../model/result';
import type { CsvSource } from './csv';
import { importCsv, type ImportKind, type ImportOptions, type ImportProgress, type ImportReport } from './import';
import type { Store } from './sqlite-bar-store';

/** What the host hands an import thread (`core/store/import-worker.ts`). */
export interface ImportWorkerData {
  readonly dbPath: string;
  readonly kind: ImportKind;
  readonly source: CsvSource;
  readonly maxErrors?: number;
}

/** Messages an import thread posts. */
export type FromImportWorker =
  | { readonly type: 'progress'; readonly progress: ImportProgress }
  | { readonly type: 'result'; readonly result: Result<ImportReport> }
  | { readonly type: 'error'; readonly message: string; readonly name: string };

/** Options of {@link importCsvOffThread}: `importCsv`'s, plus the bundled entry to run. */
export interface OffThreadImportOptions extends ImportOptions {
  /** The bundled import thread entry; default {@link defaultImportWorkerEntry}. */
  readonly workerEntry?: string;
}

/**
 * Locates the bundled import thread: `import-worker.js` beside the running bundle (`out/cli/` for the
 * CLI and `quantdesk serve`, `out/main/` for Electron), else `out/cli/import-worker.js` in the nearest
 * ancestor holding a package.json (tests and `tsx` runs from source, after `node scripts/build.mjs cli`).
 */
export function defaultImportWorkerEntry(from = __dirname): string {
  const beside = join(from, 'import-worker.js');
  if (existsSync(beside)) return beside;
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'out', 'cli', 'import-worker.js');
    if (dirname(dir) === dir) return beside;
  }
}

/** True when an import into `store` can run on its own thread: a writable store in a file a second connection can open. */
export function canImportOffThread(store: Store): boolean {
  return !store.readonly && store.path !== ':memory:' && store.path !== '' && !store.path.startsWith('file:');
}

/**
 * `importCsv` run on a dedicated worker thread with its own connection to the store's file, so a big
 * import never holds the host's thread (README "Limits"): the same validation, the same single
 * transaction (WAL: the host keeps reading meanwhile, and sees the data once it commits), progress
 * through `onProgress`, and `signal` cancels it (nothing stored). A store in memory has no file a
 * thread could open, and a missing bundle (a source run before `node scripts/build.mjs cli`) has no
 * thread to start: both import on the calling thread, as before.
 */
export async function importCsvOffThread(
  store: Store,
  kind: ImportKind,
  src: CsvSource,
  options: OffThreadImportOptions = {},
): Promise<Result<ImportReport>> {
  const { workerEntry, ...importOptions } = options;
  const entry = workerEntry ?? defaultImportWorkerEntry();
  if (!canImportOffThread(store) || !existsSync(entry)) return importCsv(store, kind, src, importOptions);
  const data: ImportWorkerData = { dbPath: store.path, kind, source: src, maxErrors: options.maxErrors };
  const worker = new Worker(entry, { name: 'quantdesk-import', workerData: data });
  const cancel = (): void => worker.postMessage({ type: 'cancel' });
  if (options.signal?.aborted) cancel();
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    let heard = false;
    const answer = await new Promise<Result<ImportReport> | 'no-thread'>((resolve, reject) => {
      let settled = false;
      worker.on('message', (m: FromImportWorker) => {
        heard = true;
        if (m.type === 'progress') options.onProgress?.(m.progress);
        else if (m.type === 'result') {
          settled = true;
          resolve(m.result);
        } else {
          settled = true;
          reject(Object.assign(new Error(m.message), { name: m.name }));
        }
      });
      // A thread that could not start (its entry fails to load, e.g. from a packaged archive) posted
      // nothing and opened no transaction: the import then runs on this thread, as on a memory store.
      worker.on('error', (e) => {
        settled = true;
        if (heard) reject(e);
        else resolve('no-thread');
      });
      worker.on('exit', (code) => {
        if (settled) return;
        if (heard) reject(new Error(`import thread exited with code ${code} before answering`));
        else resolve('no-thread');
      });
    });
    return answer === 'no-thread' ? await importCsv(store, kind, src, importOptions) : answer;
  } finally {
    options.signal?.removeEventListener('abort', cancel);
    void worker.terminate();
  }
}
