import { availableParallelism } from 'node:os';
import { loadPanel, type PanelRequest } from '../../data/panel';
import { createBullPool } from '../../pool/bull-pool';
import { createThreadPool } from '../../pool/thread-pool';
import { SweepInputError } from '../../optimize/sweep';
import { CancelledError, type Pool, type PoolProgress } from '../../pool/types';
import type { Store } from '../../store/sqlite-bar-store';
import { UsageError } from '../args';
import { EXIT, type CliIO } from '../io';

/** Flags shared by `sweep` and `walkforward`. */
export const POOL_FLAGS = {
  workers: { type: 'string' },
  cluster: { type: 'string' },
  queue: { type: 'string' },
} as const;

/**
 * The pool a command runs on: `--cluster URL` (BullMQ; the local store's panels are published in
 * Redis for nodes without a matching copy) or `--workers N` threads (default and most: every core).
 */
export async function poolFromFlags(
  values: { workers?: string; cluster?: string; queue?: string },
  store: Store,
): Promise<Pool> {
  if (values.cluster !== undefined) {
    if (!/^rediss?:\/\//.test(values.cluster))
      throw new UsageError(`--cluster: expected redis://host:port, got "${values.cluster}"`);
    const probe = createBullPool({ url: values.cluster, queue: values.queue });
    const nodes = await probe.workers().finally(() => probe.close());
    return createBullPool({
      url: values.cluster,
      queue: values.queue,
      size: Math.max(1, nodes),
      loadPanel: (ref) => loadPanel(store, ref.query as unknown as PanelRequest),
    });
  }
  const cores = Math.max(1, availableParallelism());
  const workers = values.workers === undefined ? cores : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1)
    throw new UsageError(`--workers: expected a positive integer, got "${values.workers}"`);
  // More threads than cores only adds memory (each worker holds its own panel) and contention.
  if (workers > cores) throw new UsageError(`--workers: at most ${cores} on this machine (its cores), got ${workers}`);
  return createThreadPool({ workers, dbPath: store.path });
}

/**
 * A progress line on stderr, redrawn in place on a terminal and not printed otherwise (unless the
 * environment sets `QUANTDESK_PROGRESS=1`, which prints one line per update, for scripts and tests).
 */
export function progressPrinter(io: CliIO, label: string): (p: PoolProgress) => void {
  const forced = process.env.QUANTDESK_PROGRESS === '1';
  if (!io.isTTY && !forced) return () => undefined;
  const cr = io.isTTY ? '\r' : '';
  const nl = io.isTTY ? '' : '\n';
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 100 && p.completed < p.total) return;
    last = now;
    const pct = ((100 * p.completed) / p.total).toFixed(1);
    const eta = Number.isFinite(p.etaMs) ? `${(p.etaMs / 1000).toFixed(1)} s` : '?';
    io.err(
      `${cr}${label}: ${p.completed}/${p.total} (${pct}%)  ${p.ratePerSec.toFixed(1)}/s  ETA ${eta}  failed ${p.failed}   ${nl}`,
    );
    if (io.isTTY && p.completed === p.total) io.err('\n');
  };
}

/** An AbortSignal fired by the first SIGINT; `dispose` removes the handler. */
export function sigintSignal(): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onInt = () => ac.abort();
  process.once('SIGINT', onInt);
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onInt) };
}

/** Formats a metric for text output. */
export function fmt(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits);
}

/**
 * The exit code for an error a sweep-based command expects (cancelled: 1, a bad sweep file: 2, each
 * error as `FILE: field: reason`), after printing it; rethrows anything else (a bug).
 */
export function sweepErrorExit(e: unknown, io: CliIO, command: string, specPath: string): number {
  if (e instanceof CancelledError) {
    io.err(`\nquantdesk ${command}: cancelled\n`);
    return EXIT.failure;
  }
  if (e instanceof SweepInputError) {
    io.err(`quantdesk ${command}: ${specPath}: ${e.errors.join(`\n${specPath}: `)}\n`);
    return EXIT.badInput;
  }
  throw e;
}
