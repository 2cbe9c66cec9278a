import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromWorker } from './protocol';
import { MessagePool } from './process-pool';

/** Options of {@link createThreadPool}. */
export interface ThreadPoolOptions {
  /** Number of worker threads; default: available cores. */
  readonly workers?: number;
  /** The store workers open read-only; null for jobs that need no store. */
  readonly dbPath: string | null;
  /** The bundled worker entry (`out/cli/worker.js`); found next to the CLI bundle or in the repo's `out/cli` by default. */
  readonly workerEntry?: string;
  readonly maxBatch?: number;
}

/**
 * Locates the bundled worker entry: beside the running bundle (`out/cli/worker.js` next to
 * `out/cli/index.js`), else `out/cli/worker.js` in the nearest ancestor holding a package.json
 * (tests and `tsx` runs from source, after `node scripts/build.mjs cli`).
 */
export function defaultWorkerEntry(from = __dirname): string {
  const beside = join(from, 'worker.js');
  if (existsSync(beside)) return beside;
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'out', 'cli', 'worker.js');
    if (dirname(dir) === dir) return beside;
  }
}

/** A pool of worker_threads running `core/pool/thread-worker.ts` (the CLI, `quantdesk serve`, tests). */
export function createThreadPool(options: ThreadPoolOptions): MessagePool {
  const entry = options.workerEntry ?? defaultWorkerEntry();
  if (!existsSync(entry)) throw new Error(`pool worker entry ${entry} is missing; run \`node scripts/build.mjs cli\``);
  const size = options.workers ?? Math.max(1, availableParallelism());
  return new MessagePool(
    (id, events) => {
      const worker = new Worker(entry, { name: `quantdesk-sim-${id}` });
      let lastError = '';
      worker.on('message', (m: FromWorker) => events.message(m));
      worker.on('error', (e) => void (lastError = e.message));
      worker.on('exit', (code) => events.exit(lastError || `thread exited with code ${code}`));
      return {
        post: (m) => worker.postMessage(m),
        kill: () => void worker.terminate(),
        // Idle workers must not keep the process alive (a CLI exits when its work is done).
        keepAlive: (on) => (on ? worker.ref() : worker.unref()),
      };
    },
    { size, dbPath: options.dbPath, maxBatch: options.maxBatch },
  );
}
