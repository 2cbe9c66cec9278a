// Entry of a pool worker thread (bundled to out/cli/worker.js): plumbing around core functions.
// Plain mode answers the MessagePool protocol; with workerData.bull it is one cluster consumer
// (`quantdesk worker --concurrency N` starts N of them).
import { parentPort, workerData } from 'node:worker_threads';
import { startBullWorker, type BullWorkerOptions } from './bull-worker';
import { JOB_TABLE } from './job-table';
import { LOCAL_PANELS } from './panel-source';
import type { ToWorker } from './protocol';
import { createWorkerHost } from './worker-host';
import { lowerThreadPriority } from './priority';

if (!parentPort) throw new Error('thread-worker must run as a worker thread');
const port = parentPort;
const bull = (workerData as { bull?: Omit<BullWorkerOptions, 'table' | 'local' | 'log'> } | null)?.bull;
if (bull) {
  void startBullWorker({
    ...bull,
    table: JOB_TABLE,
    local: LOCAL_PANELS.local,
    log: (line) => port.postMessage({ type: 'log', line }),
  });
} else {
  // The host's thread answers every client: a simulation thread yields the CPU to it first.
  lowerThreadPriority();
  const host = createWorkerHost(JOB_TABLE, (m) => port.postMessage(m), LOCAL_PANELS);
  port.on('message', (m: ToWorker) => host(m));
}
