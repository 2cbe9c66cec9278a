import { Worker } from 'node:worker_threads';
import { parseFlags, UsageError } from '../args';
import { EXIT, type CliIO, type Command } from '../io';
import { DEFAULT_QUEUE } from '../../pool/bull-pool';
import { startBullWorker } from '../../pool/bull-worker';
import { JOB_TABLE } from '../../pool/job-table';
import { LOCAL_PANELS } from '../../pool/panel-source';
import { defaultWorkerEntry } from '../../pool/thread-pool';
import { CancelledError } from '../../pool/types';

const USAGE = `quantdesk worker --redis URL [--db DB] [--concurrency N] [--queue NAME] [--lock-ms MS]

Joins a cluster: consumes simulation batches from the BullMQ queue on Redis until SIGINT/SIGTERM.
  --redis URL        redis://host:port of the submitting side (\`quantdesk sweep --cluster URL\`)
  --db DB            this node's copy of the store; used when its data fingerprint matches a job's,
                     otherwise the panel is fetched once through Redis and cached
  --concurrency N    consumers on this node, one thread each (default 1)
  --queue NAME       queue name (default ${DEFAULT_QUEUE})
  --lock-ms MS       a node silent this long is presumed dead and its batch requeued once (default 30000)`;

/** Options of {@link runWorkerNode}. */
export interface WorkerNodeOptions {
  readonly url: string;
  readonly dbPath: string | null;
  readonly concurrency: number;
  readonly queue: string;
  readonly lockMs: number;
}

/**
 * Runs a cluster node until `signal` aborts: one consumer in this thread when `concurrency` is 1,
 * else that many threads (a thread that dies is replaced). Logs go to `io.err`.
 */
export async function runWorkerNode(options: WorkerNodeOptions, io: CliIO, signal: AbortSignal): Promise<void> {
  const log = (line: string) => io.err(`[worker ${process.pid}] ${line}\n`);
  const common = { url: options.url, queue: options.queue, dbPath: options.dbPath, lockMs: options.lockMs };
  if (options.concurrency === 1) {
    let handle;
    try {
      handle = await startBullWorker({ ...common, table: JOB_TABLE, local: LOCAL_PANELS.local, log, signal });
    } catch (e) {
      if (e instanceof CancelledError) return;
      throw e;
    }
    await new Promise<void>((r) =>
      signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true }),
    );
    log('stopping');
    await handle.close();
    return;
  }
  const entry = defaultWorkerEntry();
  const threads = new Set<Worker>();
  const spawn = (workerId: number) => {
    const t = new Worker(entry, { workerData: { bull: { ...common, workerId } } });
    threads.add(t);
    t.on('message', (m: { type?: string; line?: string }) => m.type === 'log' && log(String(m.line)));
    t.on('error', (e) => log(`thread ${workerId} error: ${e.message}`));
    t.on('exit', (code) => {
      threads.delete(t);
      if (!signal.aborted) {
        log(`thread ${workerId} exited (${code}); replacing it`);
        spawn(workerId);
      }
    });
  };
  for (let i = 0; i < options.concurrency; i++) spawn(i);
  await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
  await Promise.all([...threads].map((t) => t.terminate()));
}

/** `quantdesk worker`: a cluster node of the simulation pool. */
export const workerCommand: Command = {
  name: 'worker',
  summary: 'Join a simulation cluster: run sweep batches from a Redis queue',
  usage: USAGE,
  async run(args, io) {
    const { values } = parseFlags(
      args,
      {
        redis: { type: 'string' },
        db: { type: 'string' },
        concurrency: { type: 'string' },
        queue: { type: 'string' },
        'lock-ms': { type: 'string' },
      },
      ['redis'],
    );
    const url = values.redis as string;
    if (!/^rediss?:\/\//.test(url)) throw new UsageError(`--redis: expected redis://host:port, got "${url}"`);
    const concurrency = positiveInt(values.concurrency as string | undefined, 'concurrency', 1);
    const lockMs = positiveInt(values['lock-ms'] as string | undefined, 'lock-ms', 30_000);
    const ac = new AbortController();
    const stop = () => ac.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    deadlineAfterSignal(ac.signal, io, 'worker');
    try {
      await runWorkerNode(
        {
          url,
          dbPath: (values.db as string | undefined) ?? null,
          concurrency,
          queue: (values.queue as string | undefined) ?? DEFAULT_QUEUE,
          lockMs,
        },
        io,
        ac.signal,
      );
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    exitSoonAfterSignal(ac.signal, EXIT.ok);
    return EXIT.ok;
  },
};

/**
 * After a signal, everything is closed; a reconnect timer left inside a client library (one that
 * found its server gone) must not keep the process alive: exit after 1 s if it is still here.
 * The timer is unref'd, so a process that ends by itself ends at once.
 */
export function exitSoonAfterSignal(signal: AbortSignal, code: number): void {
  if (signal.aborted) setTimeout(() => process.exit(code), 1_000).unref();
}

/** The longest a process may take to close after SIGTERM/SIGINT before it exits anyway (Kubernetes' grace period is 30 s). */
export const STOP_DEADLINE_MS = 5_000;

/** Arms {@link STOP_DEADLINE_MS} at the signal: a close that hangs (a store, a socket) ends with exit 1 and says so. */
export function deadlineAfterSignal(signal: AbortSignal, io: CliIO, command: string): void {
  signal.addEventListener(
    'abort',
    () =>
      setTimeout(() => {
        io.err(`quantdesk ${command}: still closing ${STOP_DEADLINE_MS / 1000} s after the signal; exiting\n`);
        process.exit(EXIT.failure);
      }, STOP_DEADLINE_MS).unref(),
    { once: true },
  );
}

function positiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name}: expected a positive integer, got "${raw}"`);
  return n;
}
