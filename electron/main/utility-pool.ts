import { utilityProcess } from 'electron';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { MessagePool, type WorkerHandle } from '../../core/pool/process-pool';
import type { FromWorker, ToWorker } from '../../core/pool/protocol';

/** Options of {@link createUtilityPool}. */
export interface UtilityPoolOptions {
  /** The store each utility process opens read-only. */
  readonly dbPath: string;
  /** Number of utility processes; default: available cores (the main process is idle while a sweep runs). */
  readonly workers?: number;
  /** The bundled worker entry; default `out/workers/sim.js` beside `out/main/`. */
  readonly entry?: string;
}

/** Where the bundled utility-process entry lives relative to the bundled main process. */
export function defaultSimWorkerEntry(mainDir = __dirname): string {
  return join(mainDir, '..', 'workers', 'sim.js');
}

/**
 * The app's simulation pool: `MessagePool`'s scheduling (batching, crash retry, progress, prompt
 * cancel) over Electron utility processes, each running `electron/workers/sim.worker.ts` with its
 * own read-only store connection, so bars never cross the main process. A process that goes away
 * (crash, OOM, kill) fails over as `MessagePool` describes: its batch is retried once, job by job.
 * Call after the app's `ready` event (a `utilityProcess.fork` rule); pass as `createPool` to `createServices`.
 */
export function createUtilityPool(options: UtilityPoolOptions): MessagePool {
  const entry = options.entry ?? defaultSimWorkerEntry();
  const size = options.workers ?? Math.max(1, availableParallelism());
  return new MessagePool(
    (id, events): WorkerHandle => {
      const child = utilityProcess.fork(entry, [], { serviceName: `QuantDesk simulation ${id}`, stdio: 'inherit' });
      // Messages posted before the process has spawned are queued here, then flushed in order.
      let queue: ToWorker[] | null = [];
      child.on('spawn', () => {
        for (const m of queue ?? []) child.postMessage(m);
        queue = null;
      });
      child.on('message', (m: FromWorker) => events.message(m));
      let fatal = '';
      child.on('error', (type: string, location: string) => void (fatal = `${type} at ${location}`));
      child.on('exit', (code: number) => events.exit(fatal || `utility process exited with code ${code}`));
      return {
        post: (m) => (queue ? queue.push(m) : child.postMessage(m)),
        kill: () => void child.kill(),
      };
    },
    { size, dbPath: options.dbPath },
  );
}
