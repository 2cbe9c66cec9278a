// Entry of a worker_threads pool worker (bundled to out/cli/worker.js): plumbing around createWorkerHost.
import { parentPort } from 'node:worker_threads';
import { JOB_TABLE } from './job-table';
import { LOCAL_PANELS } from './panel-source';
import type { ToWorker } from './protocol';
import { createWorkerHost } from './worker-host';

if (!parentPort) throw new Error('thread-worker must run as a worker thread');
const port = parentPort;
const host = createWorkerHost(JOB_TABLE, (m) => port.postMessage(m), LOCAL_PANELS);
port.on('message', (m: ToWorker) => host(m));
