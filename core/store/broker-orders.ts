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

/**
 * The order gateway's prepared statements over `broker_orders`, `broker_events` and `broker_fills`
 * (see core/live/brokers/gateway.ts for how each is used; the gateway wraps them in the journal's transactions).
 */
export function gatewayStatements(store: Store) {
  const db = connection(store);
  const p = (sql: string) => db.prepare(sql);
  return {
    insert:
      p(`INSERT OR IGNORE INTO broker_orders (client_order_id, session, broker, source_order_id, broker_order_id, ts, symbol, side, type, qty,
      limit_price, stop_price, status, filled_qty, avg_price, reason, last_seq, updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, 'intent', 0, NULL, NULL, NULL, ?)`),
    get: p(`SELECT * FROM broker_orders WHERE client_order_id = ?`),
    byBrokerId: p(`SELECT * FROM broker_orders WHERE session = ? AND broker_order_id = ?`),
    list: p(`SELECT * FROM broker_orders WHERE session = ? ORDER BY ts, rowid`),
    update: p(
      `UPDATE broker_orders SET broker_order_id = coalesce(?, broker_order_id), status = ?, reason = coalesce(?, reason), last_seq = coalesce(?, last_seq), updated_at = ? WHERE client_order_id = ?`,
    ),
    event: p(`INSERT OR IGNORE INTO broker_events (event_id, session, ts) VALUES (?, ?, ?)`),
    fill: p(
      `INSERT OR IGNORE INTO broker_fills (exec_id, client_order_id, session, ts, symbol, side, qty, price) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    filledStmt:
      p(`UPDATE broker_orders SET filled_qty = (SELECT coalesce(sum(qty), 0) FROM broker_fills WHERE client_order_id = @cid),
      avg_price = (SELECT sum(qty * price) / nullif(sum(qty), 0) FROM broker_fills WHERE client_order_id = @cid) WHERE client_order_id = @cid`),
    positions: p(
      `SELECT symbol, sum(CASE side WHEN 'buy' THEN qty ELSE -qty END) qty FROM broker_fills WHERE session = ? GROUP BY symbol`,
    ),
  };
}

/** The broker mirror's prepared statements: session orders journaled after a rowid, and routed orders cancelled in the journal but working at the broker. */
export function mirrorStatements(store: Store) {
  const db = connection(store);
  return {
    fresh: db.prepare(
      `SELECT rowid, id, ts, symbol, side, type, qty, limit_price, stop_price, status FROM orders WHERE session = ? AND rowid > ? ORDER BY rowid LIMIT 500`,
    ),
    cancelled: db.prepare(`SELECT b.client_order_id cid FROM broker_orders b JOIN orders o ON o.id = b.source_order_id
      WHERE b.session = ? AND o.status = 'cancelled' AND b.status IN ('intent', 'pending', 'new', 'partially-filled')`),
  };
}

/** The rowid of the last order journaled for `session` (0 when none): where a broker mirror attached now starts. */
export function lastOrderRowid(store: Store, session: string): number {
  return (
    (connection(store).prepare(`SELECT max(rowid) FROM orders WHERE session = ?`).pluck().get(session) as
      number | null) ?? 0
  );
}
