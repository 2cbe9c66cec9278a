import type { Store } from '../../store/sqlite-bar-store';
import type { Alert } from '../types';
import { OrderGateway, type ReconcileReport } from './gateway';
import { BrokerMirror } from './mirror';
import { createBroker } from './registry';
import { BrokerError, type BrokerAccount } from './types';

/** What `live run --broker NAME` asks for. */
export interface RouteRequest {
  readonly store: Store;
  readonly session: string;
  readonly broker: string;
  readonly env: NodeJS.ProcessEnv;
  readonly baseUrl?: string;
  /** The real-money endpoint (`--live`); default paper. */
  readonly live?: boolean;
  readonly account?: string;
  /** The per-session arming step (`--arm-live`): without it, a broker that trades real money is refused. */
  readonly armLive?: boolean;
  /** Alerts the gateway raised (after they are journaled). */
  readonly onAlert?: (a: Alert) => void;
  /** Each reconciliation's report, after it is journaled (the UI refreshes its side-by-side view). */
  readonly onReconcile?: (r: ReconcileReport) => void;
  /** Any journaled change (orders, fills, reconcile, kill switch), after it is journaled. */
  readonly onChange?: (what: 'orders' | 'fills' | 'reconcile' | 'killswitch') => void;
  readonly reconcileEveryMs?: number;
  readonly pollMs?: number;
}

/** A running route: the session's journaled orders go to the broker until {@link stop}. */
export interface BrokerRoute {
  readonly gateway: OrderGateway;
  readonly account: BrokerAccount;
  readonly firstReconcile: ReconcileReport;
  stop(): Promise<void>;
}

/**
 * Connects a live session to a real broker: checks the arming step, reads the account, subscribes to the
 * order stream, reconciles the journal with the broker (resyncing what a crash left unknown, without
 * resending anything), then routes every order the session journals. Throws a {@link BrokerError} when the
 * broker trades real money and the session was not armed.
 */
export async function startBrokerRoute(r: RouteRequest): Promise<BrokerRoute> {
  const broker = createBroker(r.broker, {
    env: r.env,
    baseUrl: r.baseUrl,
    mode: r.live ? 'live' : 'paper',
    account: r.account,
  });
  if (broker.mode === 'live' && !r.armLive) {
    await broker.close();
    throw new BrokerError(
      r.broker,
      'not-armed',
      'this session would send REAL orders: add --arm-live to arm it (per session), or drop --live for the paper endpoint',
      false,
    );
  }
  const gateway = new OrderGateway({
    store: r.store,
    session: r.session,
    broker,
    onChange: (what) => {
      for (const a of gateway.takeAlerts()) r.onAlert?.(a);
      const rec = what === 'reconcile' ? gateway.lastReconcile : null;
      if (rec) r.onReconcile?.(rec);
      r.onChange?.(what);
    },
  });
  let account: BrokerAccount;
  let first: ReconcileReport;
  try {
    account = await broker.account();
    first = await gateway.connect(r.reconcileEveryMs ?? 30_000);
  } catch (e) {
    await gateway.close().catch(() => undefined);
    throw e;
  }
  const mirror = new BrokerMirror(r.store, gateway);
  await mirror.poll();
  mirror.start(r.pollMs ?? 200);
  let stopping: Promise<void> | null = null;
  return {
    gateway,
    account,
    firstReconcile: first,
    stop: () =>
      (stopping ??= (async () => {
        await mirror.stop();
        // Whatever the session journaled last is still routed before the connection closes.
        await mirror.poll().catch(() => undefined);
        await gateway.close();
      })()),
  };
}
