import { availableParallelism } from 'node:os';
import type { Events } from '../contract';
import type { DatasetStatus } from './first-run';
import { UserAlertService } from '../alerts-user/service';
import { BacktestService } from '../backtest/service';
import { liveEmit } from './live-handlers';
import { LiveService } from '../live/service';
import type { LiveTicked } from '../live/session';
import { TickHistory } from '../live/tick-history';
import { DeskService } from '../live/books/desk';
import { BrokerService } from '../live/brokers/service';
import { OptimizeService } from '../optimize/service';
import { createThreadPool } from '../pool/thread-pool';
import type { Pool } from '../pool/types';
import type { Store } from '../store/sqlite-bar-store';
import { Uploads } from '../store/uploads';
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
  /** The live session's `live:ticked` batches as they went out, folded (`live:history`: equity and latest prices). */
  readonly liveHistory: TickHistory;
  /** The monitoring desk: books side by side, desk limits, the ticket (`desk:*`, issue 16). */
  readonly desk: DeskService;
  /** Background backtests (`backtest:start` / `backtest:cancel`). */
  readonly backtest: BacktestService;
  /** Broker accounts behind the live session (`broker:*`). */
  readonly broker: BrokerService;
  /** Where broker and data-connector keys come from (and, in the desktop app, are stored encrypted). */
  readonly credentials: BrokerCredentials;
  /** Files the page uploads in chunks to a temp file before importing them (`data:upload-*`). */
  readonly uploads: Uploads;
  /** The bundled CSV import thread (`importCsvOffThread`); default: found beside the running bundle. */
  readonly importWorker?: string;
  /** The user's alert rules, judged on live bars and on each import (`user-alerts:*`, issue 16). */
  readonly userAlerts: UserAlertService;
}

/**
 * The host's secrets (broker keys and data connectors' keys, by variable name): the environment for
 * the CLI and `quantdesk serve`; in the app the environment first, then Electron's safeStorage store.
 * Connector fetches through the host (`platform:job-run`, the app's scheduler) read their keys here.
 */
export interface BrokerCredentials {
  /** Variables as the brokers and connectors read them (`APCA_API_KEY_ID`, `KIS_APP_KEY`, `ALPHAVANTAGE_API_KEY`, ...). */
  get(): NodeJS.ProcessEnv;
  /** Stores keys; absent where the host cannot store them safely (then they come from the environment). */
  readonly set?: (values: Record<string, string>) => void;
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
  /** Broker keys (default: the process environment, read-only). */
  readonly credentials?: BrokerCredentials;
  /** Workers of the host's shared pool, and the most a call may ask for; default the machine's cores. */
  readonly poolSize?: number;
  /** Idle time after which the pools stop their workers (ms); default 60 s. */
  readonly poolIdleMs?: number;
  /** The bundled CSV import thread; default: found beside the running bundle (tests pass their own build). */
  readonly importWorker?: string;
}

/**
 * Builds the services a host binds its handlers to. Both hosts (Electron main, `quantdesk serve`)
 * call this, so a domain that adds a service object creates it here once, and releases it in
 * {@link disposeServices}.
 */
export function createServices(options: ServiceOptions): Services {
  const credentials = options.credentials ?? { get: () => process.env };
  const optimize = new OptimizeService(
    options.store,
    options.emit,
    options.createPool ?? ((workers) => createThreadPool({ dbPath: options.dbPath, workers })),
    {
      size: options.poolSize ?? Math.max(1, availableParallelism()),
      idleMs: options.poolIdleMs,
    },
  );
  // With a broker connected, the session's pushed account and positions are the broker's (as `live:status`
  // and `positions:list` answer); the paper model's otherwise.
  const broker: BrokerService = new BrokerService({
    store: options.store,
    credentials: () => credentials.get(),
    onStatus: (st) => options.emit('broker:status-changed', st),
    onAlert: (a) => options.emit('alert:raised', { ...a }),
    onView: () => options.emit('positions:changed', broker.sessionPositions() ?? live.positions()),
  });
  const liveHistory = new TickHistory();
  const sessionEmit: Emit = (channel, payload) => {
    if (channel === 'positions:changed' && broker.view())
      return options.emit('positions:changed', broker.sessionPositions() ?? []);
    if (channel === 'live:ticked') {
      const account = broker.view() ? broker.sessionAccount() : null;
      const ticked = account ? { ...(payload as LiveTicked), account } : (payload as LiveTicked);
      liveHistory.record(ticked);
      return options.emit('live:ticked', ticked);
    }
    options.emit(channel, payload);
  };
  const live = new LiveService(options.store, liveEmit(sessionEmit));
  live.onStart = (session) => liveHistory.reset(session);
  // Each replayed day's equity, not only the 100 ms samples; with a broker connected, its account is the curve.
  live.onStepEquity = (time, equity) => {
    if (!broker.view()) liveHistory.point(time, equity);
  };
  const userAlerts = new UserAlertService(options.store, {
    alert: (a) => options.emit('alert:raised', { ...a }),
    fired: (f) => options.emit('user-alert:fired', f),
  });
  live.onBar = (book, bar, realtime) => userAlerts.onLiveBar(book, bar, realtime);
  const desk = new DeskService(options.store, (o) => options.emit('desk:changed', o), {
    credentials: () => credentials.get(),
  });
  desk.onBar = (book, bar, realtime) => userAlerts.onLiveBar(book, bar, realtime);
  return {
    credentials,
    broker,
    store: options.store,
    dbPath: options.dbPath,
    host: options.host,
    emit: options.emit,
    app: { dataset: { state: 'idle', fraction: null, message: '' } },
    optimize,
    live,
    liveHistory,
    desk,
    // User strategies' backtests run on the simulation pool, never on the host's thread (a store in
    // memory has no file for workers to open: there they stay in the host, time-limited).
    backtest: new BacktestService(
      options.store,
      options.emit,
      options.dbPath === ':memory:' ? undefined : () => optimize.pool(),
    ),
    uploads: new Uploads(),
    importWorker: options.importWorker,
    userAlerts,
  };
}

/**
 * Releases what {@link createServices} created (pools, live sessions), in reverse order. The store
 * is the host's: it closes it after this resolves.
 */
export async function disposeServices(services: Services): Promise<void> {
  await services.optimize.dispose();
  await services.broker.dispose();
  await services.live.dispose();
  await services.desk.dispose();
  await services.backtest.dispose();
  await services.uploads.dispose();
}
