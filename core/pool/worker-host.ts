import type { Panel } from '../data/panel-types';
import { fail, ok } from '../model/result';
import { openStore, type Store } from '../store/sqlite-bar-store';
import { panelKey, type FromWorker, type JobOutcome, type PanelRef, type PoolJob, type ToWorker } from './protocol';

/** What a job runner can use on its worker: the read-only store, cached panels and a per-worker memo. */
export interface WorkerContext {
  readonly workerId: number;
  /** The local store, opened read-only on first use; null when the worker has none (a cluster node without `--db`). */
  store(): Store | null;
  /** The panel of `req`, loaded once per `panelKey` and kept (the two most recent) for later jobs. */
  panel(req: PanelRef): Promise<Panel>;
  /** Per-worker memo for runners (precomputed indicator tables and the like), keyed by the runner's choice. */
  readonly memo: Map<string, unknown>;
}

/** Runs one job's `data` on a worker; may be async (panel loads). A throw becomes a failed outcome. */
export type JobRunner = (data: any, ctx: WorkerContext, job: PoolJob) => unknown;

/** The job kinds a worker understands. */
export type JobTable = Readonly<Record<string, JobRunner>>;

/**
 * Where panels come from: `local` loads from the worker's store and returns null when the store's
 * fingerprint differs from the request's; `remote` (cluster nodes) fetches a published panel.
 */
export interface PanelSource {
  local(store: Store, req: PanelRef): Panel | null;
  remote?(req: PanelRef): Promise<Panel>;
}

/** Options of {@link createWorkerContext}. */
export interface WorkerContextOptions {
  readonly workerId: number;
  readonly dbPath: string | null;
  readonly panels: PanelSource;
  /** How many panels to keep in memory (least recently used goes first); default 2. */
  readonly maxPanels?: number;
}

const PANEL_CACHE_DEFAULT = 2;

/** Builds the context runners see on one worker (thread, utility process or cluster node). */
export function createWorkerContext(options: WorkerContextOptions): WorkerContext & { close(): void } {
  let store: Store | null | undefined;
  const panels = new Map<string, Promise<Panel>>();
  const maxPanels = options.maxPanels ?? PANEL_CACHE_DEFAULT;
  const ctx = {
    workerId: options.workerId,
    memo: new Map<string, unknown>(),
    store(): Store | null {
      if (store === undefined) store = options.dbPath === null ? null : openStore(options.dbPath, { readonly: true });
      return store;
    },
    panel(req: PanelRef): Promise<Panel> {
      const key = panelKey(req);
      const hit = panels.get(key);
      if (hit) {
        panels.delete(key);
        panels.set(key, hit);
        return hit;
      }
      const loading = load(req);
      panels.set(key, loading);
      // A failed load must not stay cached: the next job retries (e.g. after the panel is published).
      loading.catch(() => panels.delete(key));
      while (panels.size > maxPanels) panels.delete(panels.keys().next().value as string);
      return loading;
    },
    close(): void {
      panels.clear();
      ctx.memo.clear();
      store?.close();
      store = undefined;
    },
  };
  async function load(req: PanelRef): Promise<Panel> {
    const s = ctx.store();
    const local = s ? options.panels.local(s, req) : null;
    if (local) return local;
    if (options.panels.remote) return options.panels.remote(req);
    throw new Error(
      s
        ? `the local store's data (${s.path}) does not match fingerprint ${req.fingerprint}`
        : `no local store and no remote panel source for fingerprint ${req.fingerprint}`,
    );
  }
  return ctx;
}

/**
 * Runs jobs in order on `ctx` and returns one outcome per job. A throw inside a runner fails that
 * job only; an unknown kind is `invalid-input`. `isCancelled` is polled between jobs.
 */
export async function runJobs(
  table: JobTable,
  jobs: readonly PoolJob[],
  ctx: WorkerContext,
  isCancelled?: () => boolean,
): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  for (const job of jobs) {
    if (isCancelled?.()) {
      outcomes.push(fail('cancelled', 'cancelled'));
      continue;
    }
    const runner = Object.prototype.hasOwnProperty.call(table, job.kind) ? table[job.kind] : undefined;
    if (!runner) {
      outcomes.push(fail('invalid-input', `unknown job kind "${job.kind}"`));
      continue;
    }
    try {
      let value = runner(job.data, ctx, job);
      if (value instanceof Promise) value = await value;
      outcomes.push(ok(value));
    } catch (e) {
      outcomes.push(fail('internal', e instanceof Error ? e.message : String(e)));
    }
  }
  return outcomes;
}

/**
 * The message loop of a pool worker (thread or utility process): handles `init` and `batch`
 * messages one at a time, in arrival order, and answers through `post`.
 */
export function createWorkerHost(
  table: JobTable,
  post: (m: FromWorker) => void,
  panels: PanelSource,
): (msg: ToWorker) => void {
  let ctx: (WorkerContext & { close(): void }) | null = null;
  let chain: Promise<void> = Promise.resolve();
  async function handle(msg: ToWorker): Promise<void> {
    if (msg.type === 'init') {
      try {
        ctx = createWorkerContext({ workerId: msg.workerId, dbPath: msg.dbPath, panels });
        ctx.store();
        post({ type: 'ready', workerId: msg.workerId });
      } catch (e) {
        post({
          type: 'fatal',
          error: { code: 'unavailable', message: `worker ${msg.workerId}: ${(e as Error).message}` },
        });
      }
      return;
    }
    if (!ctx) {
      post({ type: 'fatal', error: { code: 'internal', message: 'batch received before init' } });
      return;
    }
    const outcomes = await runJobs(table, msg.jobs, ctx);
    post({ type: 'results', batchId: msg.batchId, outcomes });
  }
  return (msg) => {
    chain = chain.then(() => handle(msg));
  };
}
