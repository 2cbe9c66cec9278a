import { Queue, QueueEvents } from 'bullmq';
import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Panel } from '../data/panel-types';
import { fail } from '../model/result';
import { encodePanel } from './panel-codec';
import { panelKey, type JobOutcome, type PanelRef, type PoolJob } from './protocol';
import { batchSizeFor, CancelledError, progressOf, type Pool, type RunOptions } from './types';

/** The queue every `quantdesk worker` consumes unless told otherwise. */
export const DEFAULT_QUEUE = 'quantdesk-sim';

/** Data of one BullMQ job: a batch of pool jobs of one run. */
export interface BullBatch {
  readonly runKey: string;
  readonly batchId: number;
  readonly jobs: readonly PoolJob[];
}

/** Return value of one BullMQ job. */
export interface BullBatchResult {
  readonly outcomes: readonly JobOutcome[];
}

/** The Redis key under which a panel's binary columns are published (named by fingerprint and query). */
export function panelRedisKey(queue: string, req: PanelRef): string {
  return `${queue}:panel:${createHash('sha256').update(panelKey(req)).digest('hex').slice(0, 32)}`;
}

/** The pub/sub channel on which a submitter announces a cancelled run (the message is its run key). */
export function cancelChannel(queue: string): string {
  return `${queue}:cancel`;
}

/** Options of {@link createBullPool}. */
export interface BullPoolOptions {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  readonly queue?: string;
  /** Loads a panel the jobs need, to publish it for nodes without a matching store; null: nothing to publish. */
  readonly loadPanel?: (req: PanelRef) => Panel | null;
  /** Jobs per BullMQ job (default: up to 64, about 16 per worker slot). */
  readonly maxBatch?: number;
  /** Seconds a published panel stays in Redis (default one day). */
  readonly panelTtlSec?: number;
}

/**
 * The cluster backend: batches go to a BullMQ queue on Redis, consumed by `quantdesk worker`
 * processes on any machine. Outcomes come back through the queue's event stream and are recorded
 * once per job (a batch finished twice, after a stall, counts once). A node that dies mid-batch
 * loses its lock: BullMQ moves the batch back to the queue once (`maxStalledCount: 1` on the
 * workers), and a second loss fails its jobs with BullMQ's reason. Cancelling removes the run's
 * waiting batches and tells busy workers to stop at their next job.
 */
export class BullPool implements Pool {
  readonly size: number;
  readonly #opts: BullPoolOptions;
  readonly #queueName: string;
  #queue: Queue | null = null;
  #events: QueueEvents | null = null;
  #redis: Redis | null = null;

  constructor(options: BullPoolOptions & { readonly size?: number }) {
    this.#opts = options;
    this.#queueName = options.queue ?? DEFAULT_QUEUE;
    this.size = options.size ?? 1;
  }

  /** How many `quantdesk worker` connections the queue has now. */
  async workers(): Promise<number> {
    return (await this.#open().queue.getWorkers()).length;
  }

  #open(): { queue: Queue; events: QueueEvents; redis: Redis } {
    const connection = { url: this.#opts.url, maxRetriesPerRequest: null };
    this.#queue ??= new Queue(this.#queueName, { connection });
    this.#events ??= new QueueEvents(this.#queueName, { connection });
    this.#redis ??= new Redis(this.#opts.url, { maxRetriesPerRequest: 2 });
    return { queue: this.#queue, events: this.#events, redis: this.#redis };
  }

  async run<R = unknown>(jobs: readonly PoolJob[], options: RunOptions = {}): Promise<JobOutcome<R>[]> {
    if (options.signal?.aborted) throw new CancelledError();
    if (jobs.length === 0) return [];
    const { queue, events, redis } = this.#open();
    await events.waitUntilReady();
    await this.#publishPanels(jobs, redis);
    const runKey = randomUUID();
    const size = batchSizeFor(jobs.length, this.size, this.#opts.maxBatch);
    const batches: number[][] = [];
    for (let i = 0; i < jobs.length; i += size)
      batches.push(Array.from({ length: Math.min(size, jobs.length - i) }, (_, k) => i + k));
    const outcomes: (JobOutcome | undefined)[] = new Array(jobs.length);
    const doneBatches = new Set<number>();
    let completed = 0;
    let failed = 0;
    const startedAt = Date.now();
    const prefix = `${runKey}-b`;

    return new Promise<JobOutcome<R>[]>((resolve, reject) => {
      const settle = (batchId: number, fill: (index: number, k: number) => JobOutcome) => {
        if (doneBatches.has(batchId) || !batches[batchId]) return;
        doneBatches.add(batchId);
        batches[batchId].forEach((index, k) => {
          outcomes[index] = fill(index, k);
          completed++;
          if (!outcomes[index]!.ok) failed++;
        });
        options.onProgress?.(progressOf(completed, failed, jobs.length, startedAt));
        if (completed === jobs.length) finish(null);
      };
      const onCompleted = ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
        if (!jobId.startsWith(prefix)) return;
        const value = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : returnvalue) as BullBatchResult;
        settle(
          Number(jobId.slice(prefix.length)),
          (_i, k) => value.outcomes[k] ?? fail('internal', 'worker returned no outcome'),
        );
      };
      const onFailed = ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
        if (!jobId.startsWith(prefix)) return;
        settle(Number(jobId.slice(prefix.length)), () => fail('internal', `cluster job failed: ${failedReason}`));
      };
      const onAbort = () => {
        void redis.publish(cancelChannel(this.#queueName), runKey).catch(() => undefined);
        for (let b = 0; b < batches.length; b++)
          if (!doneBatches.has(b)) void queue.remove(`${prefix}${b}`).catch(() => undefined);
        finish(new CancelledError());
      };
      let finished = false;
      const finish = (error: Error | null) => {
        if (finished) return;
        finished = true;
        events.off('completed', onCompleted);
        events.off('failed', onFailed);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve(outcomes as JobOutcome<R>[]);
      };
      events.on('completed', onCompleted);
      events.on('failed', onFailed);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      queue
        .addBulk(
          batches.map((indices, batchId) => ({
            name: 'batch',
            data: { runKey, batchId, jobs: indices.map((i) => jobs[i]) } satisfies BullBatch,
            opts: { jobId: `${prefix}${batchId}`, removeOnComplete: true, removeOnFail: true, attempts: 1 },
          })),
        )
        .catch((e: Error) => finish(new Error(`cannot enqueue on ${this.#opts.url}: ${e.message}`)));
    });
  }

  async #publishPanels(jobs: readonly PoolJob[], redis: Redis): Promise<void> {
    const loader = this.#opts.loadPanel;
    if (!loader) return;
    const seen = new Set<string>();
    for (const job of jobs) {
      if (!job.panel) continue;
      const key = panelRedisKey(this.#queueName, job.panel);
      if (seen.has(key)) continue;
      seen.add(key);
      if (await redis.exists(key)) continue;
      const panel = loader(job.panel);
      if (panel) await redis.set(key, encodePanel(panel), 'EX', this.#opts.panelTtlSec ?? 86_400);
    }
  }

  async close(): Promise<void> {
    await this.#events?.close();
    await this.#queue?.close();
    this.#redis?.disconnect();
    this.#events = null;
    this.#queue = null;
    this.#redis = null;
  }
}

/** Creates the cluster pool; `size` is the number of job slots you expect (it only shapes batching). */
export function createBullPool(options: BullPoolOptions & { readonly size?: number }): BullPool {
  return new BullPool(options);
}
