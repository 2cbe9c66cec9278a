import { connection } from './internal';
import type { Store } from './sqlite-bar-store';

/** One order routed to a broker, as journaled from the broker's stream (prices null when not set). */
export interface BrokerOrderRow {
  readonly cid: string;
  readonly bid: string | null;
  readonly ts: number;
  readonly symbol: string;
  readonly side: string;
  readonly type: string;
  readonly qty: number;
  readonly lp: number | null;
  readonly sp: number | null;
  readonly status: string;
  readonly fq: number;
  readonly reason: string | null;
}

/** Every order routed for `session`, newest first. */
export function brokerOrdersOf(store: Store, session: string): BrokerOrderRow[] {
  return connection(store)
    .prepare(
      `SELECT client_order_id cid, broker_order_id bid, ts, symbol, side, type, qty, limit_price lp, stop_price sp, status, filled_qty fq, reason
        FROM broker_orders WHERE session = ? ORDER BY ts DESC, rowid DESC`,
    )
    .all(session) as BrokerOrderRow[];
}
