import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { cancelChannel, DEFAULT_QUEUE, panelRedisKey, type BullBatch, type BullBatchResult } from './bull-pool';
import { decodePanel } from './panel-codec';
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
}

/** A running cluster worker. */
export interface BullWorkerHandle {
  close(): Promise<void>;
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
  const cancelled = new Set<string>();
  await sub.subscribe(cancelChannel(queue));
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
  const worker = new Worker<BullBatch, BullBatchResult>(
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
  worker.on('error', (e) => log(`worker error: ${e.message}`));
  await worker.waitUntilReady();
  log(`worker ${options.workerId ?? 0} listening on ${queue} (pid ${process.pid})`);
  return {
    async close() {
      await worker.close();
      sub.disconnect();
      redis.disconnect();
      ctx.close();
    },
  };
}
