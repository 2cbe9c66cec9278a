import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { cancelChannel, DEFAULT_QUEUE, panelRedisKey, type BullBatch, type BullBatchResult } from './bull-pool';
import { decodePanel } from './panel-codec';
import { CancelledError } from './types';
import type { JobOutcome } from './protocol';
import { createWorkerContext, runJobs, type JobTable, type PanelSource } from './worker-host';

/** Options of {@link startBullWorker}. */
export interface BullWorkerOptions {
  readonly url: string;
  readonly queue?: string;
  /** This node's copy of the store, used when its fingerprint matches a job's; null: always fetch panels from Redis. */
  readonly dbPath: string | null;
  readonly table: JobTable;
  /** Panels from the local store (returns null on a fingerprint mismatch). */
  readonly local: PanelSource['local'];
  /** BullMQ lock duration: a node silent this long is presumed dead and its batch is requeued (default 30 s). */
  readonly lockMs?: number;
  /** Number printed in logs and given to runners as `workerId`. */
  readonly workerId?: number;
  readonly log?: (line: string) => void;
  /** Aborting while connecting gives up (rejects with `CancelledError`) instead of waiting for Redis. */
  readonly signal?: AbortSignal;
}

/** How long `close` lets the current batch finish before it stops without it (the batch's lock then lapses and it is requeued). */
export const SHUTDOWN_GRACE_MS = 2_000;

/** A running cluster worker. */
export interface BullWorkerHandle {
  /** Finishes the current batch (up to `graceMs`, default {@link SHUTDOWN_GRACE_MS}) and disconnects; never waits on a Redis that is gone. */
  close(graceMs?: number): Promise<void>;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

/** Resolves with `p`, or rejects with `CancelledError` as soon as `signal` aborts. */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new CancelledError('stopped while connecting to Redis'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError('stopped while connecting to Redis'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

/**
 * Consumes batches from the queue one at a time (CPU-bound work gains nothing from async
 * concurrency; `quantdesk worker --concurrency N` runs N of these in threads). Yields to the event
 * loop between jobs so BullMQ can renew its lock and a cancel message can land. Panels come from
 * the local store when its fingerprint matches, else from Redis once, then from the cache.
 */
export async function startBullWorker(options: BullWorkerOptions): Promise<BullWorkerHandle> {
  const queue = options.queue ?? DEFAULT_QUEUE;
  const log = options.log ?? (() => undefined);
  const redis = new Redis(options.url, { maxRetriesPerRequest: 2 });
  const sub = new Redis(options.url, { maxRetriesPerRequest: 2 });
  // One line per outage, not one per reconnect attempt (ioredis retries every few hundred ms).
  let down = false;
  const onError = (e: Error) => {
    if (!down) log(`redis: ${e.message}; retrying`);
    down = true;
  };
  redis.on('error', onError);
  sub.on('error', onError);
  redis.on('ready', () => (down = false));
  const cancelled = new Set<string>();
  let worker: Worker<BullBatch, BullBatchResult> | undefined;
  const giveUp = async () => {
    sub.disconnect();
    redis.disconnect();
    await Promise.race([worker?.close(true), delay(500)]);
  };
  try {
    await unlessAborted(sub.subscribe(cancelChannel(queue)), options.signal);
  } catch (e) {
    await giveUp();
    throw e;
  }
  sub.on('message', (_channel: string, runKey: string) => {
    cancelled.add(runKey);
    if (cancelled.size > 1000) cancelled.delete(cancelled.values().next().value as string);
  });
  const ctx = createWorkerContext({
    workerId: options.workerId ?? 0,
    dbPath: options.dbPath,
    panels: {
      local: options.local,
      async remote(req) {
        const key = panelRedisKey(queue, req);
        const buf = await redis.getBuffer(key);
        if (!buf) throw new Error(`panel ${req.fingerprint} is not in the local store nor published in Redis (${key})`);
        const panel = decodePanel(buf);
        log(`fetched panel ${req.fingerprint} from Redis (${(buf.length / 1e6).toFixed(1)} MB)`);
        return panel;
      },
    },
  });
  ctx.store();
  const lockMs = options.lockMs ?? 30_000;
  worker = new Worker<BullBatch, BullBatchResult>(
    queue,
    async (job: Job<BullBatch>) => {
      const { runKey, jobs } = job.data;
      const outcomes: JobOutcome[] = [];
      for (const j of jobs) {
        if (cancelled.has(runKey)) throw new Error('cancelled');
        outcomes.push(...(await runJobs(options.table, [j], ctx)));
        await new Promise<void>((r) => setImmediate(r));
      }
      return { outcomes };
    },
    {
      connection: { url: options.url, maxRetriesPerRequest: null },
      concurrency: 1,
      lockDuration: lockMs,
      stalledInterval: lockMs,
      maxStalledCount: 1,
    },
  );
  worker.on('error', (e) => onError(e));
  try {
    await unlessAborted(worker.waitUntilReady(), options.signal);
  } catch (e) {
    await giveUp();
    ctx.close();
    throw e;
  }
  log(`worker ${options.workerId ?? 0} listening on ${queue} (pid ${process.pid})`);
  const running = worker;
  return {
    async close(graceMs = SHUTDOWN_GRACE_MS) {
      // A graceful close waits for the current batch, and on Redis; neither may hold a SIGTERM for long.
      const graceful = running.close().then(() => true);
      if (!(await Promise.race([graceful, delay(graceMs).then(() => false)]))) {
        log(
          `not closed after ${graceMs} ms (Redis gone, or a batch still running: its lock lapses and it is requeued); stopping now`,
        );
        await Promise.race([running.close(true), delay(500)]);
      }
      sub.disconnect();
      redis.disconnect();
      ctx.close();
    },
  };
}
