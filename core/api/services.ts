import type { DatasetStatus } from '../contract';
import { BacktestService } from '../backtest/service';
import { liveEmit } from './live-handlers';
import { LiveService } from '../live/service';
import { OptimizeService } from '../optimize/service';
import { createThreadPool } from '../pool/thread-pool';
import type { Pool } from '../pool/types';
import type { Store } from '../store/sqlite-bar-store';
import type { Emit } from './registry';

/**
 * What the handlers are bound to: the open store (the single writer), where it lives, which host
 * runs them, and how to push events. Domains that own a lifecycle (the simulation pool, the live
 * session) add their service object here and create it in `createServices`.
 */
export interface Services {
  readonly store: Store;
  readonly dbPath: string;
  readonly host: 'electron' | 'serve';
  readonly emit: Emit;
  /** Host-level state the `app:` handlers report (the default dataset's load status). */
  readonly app: AppState;
  /** The simulation pool and the sweeps started through the API (`sweep:*`, `walkforward:run`, `montecarlo:run`). */
  readonly optimize: OptimizeService;
  /** The live/paper trading session and its webhook outbox (`live:*`, `positions:*`, `alerts:*`, `risk:*`, `killswitch:*`). */
  readonly live: LiveService;
  /** Background backtests (`backtest:start` / `backtest:cancel`). */
  readonly backtest: BacktestService;
}

/** Mutable host state behind the `app:` methods; written by `ensureDefaultDataset`. */
export interface AppState {
  dataset: DatasetStatus;
}

/** What a host provides to {@link createServices}. */
export interface ServiceOptions {
  readonly store: Store;
  readonly dbPath: string;
  readonly host: 'electron' | 'serve';
  readonly emit: Emit;
  /** The simulation pool backend (Electron passes its utility-process pool); default worker threads on `dbPath`. */
  /** Makes a simulation pool with `workers` workers (default: one per core). */
  readonly createPool?: (workers?: number) => Pool;
}

/**
 * Builds the services a host binds its handlers to. Both hosts (Electron main, `quantdesk serve`)
 * call this, so a domain that adds a service object creates it here once, and releases it in
 * {@link disposeServices}.
 */
export function createServices(options: ServiceOptions): Services {
  const optimize = new OptimizeService(options.store, options.emit, options.createPool ?? ((workers) => createThreadPool({ dbPath: options.dbPath, workers })));
  return {
    store: options.store,
    dbPath: options.dbPath,
    host: options.host,
    emit: options.emit,
    app: { dataset: { state: 'idle', fraction: null, message: '' } },
    optimize,
    live: new LiveService(options.store, liveEmit(options.emit)),
    // User strategies' backtests run on the simulation pool, never on the host's thread (a store in
    // memory has no file for workers to open: there they stay in the host, time-limited).
    backtest: new BacktestService(options.store, options.emit, options.dbPath === ':memory:' ? undefined : () => optimize.pool()),
  };
}

/**
 * Releases what {@link createServices} created (pools, live sessions), in reverse order. The store
 * is the host's: it closes it after this resolves.
 */
export async function disposeServices(services: Services): Promise<void> {
  await services.optimize.dispose();
  await services.live.dispose();
  await services.backtest.dispose();
}
