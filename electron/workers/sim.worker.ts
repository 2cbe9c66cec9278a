// Entry of an Electron utility process of the simulation pool (bundled to out/workers/sim.js):
// plumbing around core's worker host, like core/pool/thread-worker.ts for worker_threads.
import { JOB_TABLE } from '../../core/pool/job-table';
import { LOCAL_PANELS } from '../../core/pool/panel-source';
import type { FromWorker, ToWorker } from '../../core/pool/protocol';
import { createWorkerHost } from '../../core/pool/worker-host';
import { lowerThreadPriority } from '../../core/pool/priority';

/** The part of Electron's `process.parentPort` this entry uses. */
interface ParentPort {
  on(event: 'message', listener: (e: { data: ToWorker }) => void): void;
  postMessage(message: FromWorker): void;
}

const port = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!port) throw new Error('sim.worker must run in an Electron utility process');
// The main process answers the window: a simulation process yields the CPU to it first.
lowerThreadPriority(undefined, false);
const host = createWorkerHost(JOB_TABLE, (m) => port.postMessage(m), LOCAL_PANELS);
port.on('message', (e) => host(e.data));
