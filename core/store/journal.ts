import type { Alert, FiredSignal, Fill, Order, OrderStatus, Severity, Side } from '../live/types';
import { connection } from './internal';
import { Store, type Db } from './sqlite-bar-store';

/** A position snapshot as journaled (no mark price: that is live state). */
export interface PositionRow {
  readonly symbol: string;
  readonly qty: number;
  readonly avgCost: number;
  readonly realized: number;
}

/** One webhook delivery waiting in the outbox. `target` and `body` are JSON text. */
export interface OutboxRow {
  readonly seq: number;
  readonly alertId: string;
  readonly target: string;
  readonly body: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly deliveredAt: number | null;
  readonly lastError: string | null;
}

/**
 * The live and paper-trading journal: orders, order events, fills, position snapshots, alerts and
 * the webhook outbox, in the store's SQLite file (WAL, synchronous NORMAL: a committed transaction
 * survives `kill -9`). Callers write here first and emit only after the enclosing transaction commits.
 * All statements are prepared once; `transaction(fn)` batches many writes into one commit.
 */
export class Journal {
  readonly #db: Db;
  readonly #s;

  /** Journals into `store` (a raw connection is accepted for store-internal callers and tests). */
  constructor(store: Store | Db) {
    const db = store instanceof Store ? connection(store) : store;
    this.#db = db;
    const p = (sql: string) => db.prepare(sql);
    this.#s = {
      insertOrder:
        p(`INSERT INTO orders (id, ts, session, symbol, side, type, qty, limit_price, stop_price, parent_id, status, payload)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateOrder: p(`UPDATE orders SET status = ?, payload = ? WHERE id = ?`),
      orderEvent: p(`INSERT INTO order_events (order_id, ts, status, payload) VALUES (?, ?, ?, ?)`),
      insertFill: p(
        `INSERT INTO fills (ts, session, order_id, symbol, side, qty, price, commission) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      upsertPosition:
        p(`INSERT INTO positions (session, symbol, qty, avg_cost, realized, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (session, symbol) DO UPDATE SET qty = excluded.qty, avg_cost = excluded.avg_cost,
        realized = excluded.realized, updated_at = excluded.updated_at`),
      insertAlert: p(
        `INSERT INTO alerts (id, ts, session, kind, severity, symbol, message, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      ackAlert: p(`UPDATE alerts SET acknowledged_at = ? WHERE id = ? AND acknowledged_at IS NULL`),
      insertOutbox: p(`INSERT INTO outbox (alert_id, target, body, attempts, next_attempt_at) VALUES (?, ?, ?, 0, ?)`),
      dueOutbox:
        p(`SELECT seq, alert_id alertId, target, body, attempts, next_attempt_at nextAttemptAt, delivered_at deliveredAt,
        last_error lastError FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?`),
      pendingOutbox:
        p(`SELECT seq, alert_id alertId, target, body, attempts, next_attempt_at nextAttemptAt, delivered_at deliveredAt,
        last_error lastError FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL ORDER BY seq`),
      nextOutboxAt: p(`SELECT min(next_attempt_at) t FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL`),
      dead: p(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, dead_at = ? WHERE seq = ?`),
      deadOutbox:
        p(`SELECT seq, alert_id alertId, target, body, attempts, next_attempt_at nextAttemptAt, delivered_at deliveredAt,
        last_error lastError, dead_at deadAt FROM outbox WHERE dead_at IS NOT NULL AND delivered_at IS NULL ORDER BY seq DESC LIMIT ?`),
      outboxCounts:
        p(`SELECT count(*) FILTER (WHERE dead_at IS NULL) pending, count(*) FILTER (WHERE dead_at IS NOT NULL) dead
        FROM outbox WHERE delivered_at IS NULL`),
      requeueDead: p(
        `UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = ? WHERE dead_at IS NOT NULL AND delivered_at IS NULL`,
      ),
      requeueDeadOf: p(
        `UPDATE outbox SET dead_at = NULL, attempts = 0, next_attempt_at = ? WHERE alert_id = ? AND dead_at IS NOT NULL AND delivered_at IS NULL`,
      ),
      delivered: p(`UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE seq = ?`),
      failed: p(`UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?`),
      orders:
        p(`SELECT id, ts, session, symbol, side, type, qty, limit_price, stop_price, parent_id, status, payload FROM orders
        WHERE session = ? ORDER BY ts, rowid`),
      fills: p(
        `SELECT ts, session, order_id, symbol, side, qty, price, commission FROM fills WHERE session = ? ORDER BY seq`,
      ),
      positions: p(`SELECT symbol, qty, avg_cost avgCost, realized FROM positions WHERE session = ? ORDER BY symbol`),
      alerts: p(
        `SELECT id, ts, kind, severity, symbol, message, acknowledged_at FROM alerts WHERE session = ? ORDER BY seq DESC LIMIT ?`,
      ),
      alertsSignal: p(
        `SELECT id, ts, kind, severity, symbol, message, acknowledged_at FROM alerts WHERE session = ? AND kind = 'signal' ORDER BY seq DESC LIMIT ?`,
      ),
      alertsOther: p(
        `SELECT id, ts, kind, severity, symbol, message, acknowledged_at FROM alerts WHERE session = ? AND kind <> 'signal' ORDER BY seq DESC LIMIT ?`,
      ),
      signals: p(`SELECT id, payload FROM alerts WHERE session = ? AND kind = 'signal' ORDER BY seq DESC LIMIT ?`),
      unackedOther: p(
        `SELECT count(*) FROM (SELECT acknowledged_at FROM alerts WHERE session = ? AND kind <> 'signal' ORDER BY seq DESC LIMIT ?) WHERE acknowledged_at IS NULL`,
      ).pluck(),
      signalsOf: p(
        `SELECT id, payload FROM alerts WHERE session = ? AND kind = 'signal' AND symbol = ? ORDER BY seq DESC LIMIT ?`,
      ),
      getState: p(`SELECT value FROM live_state WHERE session = ? AND key = ?`),
      setState: p(`INSERT INTO live_state (session, key, value) VALUES (?, ?, ?)
        ON CONFLICT (session, key) DO UPDATE SET value = excluded.value`),
    };
  }
  /** False once the connection is closed: background loops (the outbox) stop instead of failing. */
  get isOpen(): boolean {
    return this.#db.open;
  }

  /** Runs `fn` in one transaction (nested calls join the outer one) and returns its result after the commit. */
  transaction<T>(fn: () => T): T {
    if (this.#db.inTransaction) return fn();
    return this.#db.transaction(fn)();
  }

  /** Journals a new order (status as given, usually `new` or `rejected`). */
  insertOrder(o: Order): void {
    this.#s.insertOrder.run(
      o.id,
      o.time,
      o.session,
      o.symbol,
      o.side,
      o.type,
      o.qty,
      o.limitPrice,
      o.stopPrice,
      o.parentId,
      o.status,
      JSON.stringify({ filledQty: o.filledQty, reason: o.reason ?? null }),
    );
    this.#s.orderEvent.run(
      o.id,
      o.time,
      o.status,
      o.reason === undefined ? null : JSON.stringify({ reason: o.reason }),
    );
  }

  /** Journals an order's status change (and keeps its filled quantity and reason in the order row). */
  updateOrder(o: Order, time: number): void {
    this.#s.updateOrder.run(o.status, JSON.stringify({ filledQty: o.filledQty, reason: o.reason ?? null }), o.id);
    this.#s.orderEvent.run(o.id, time, o.status, JSON.stringify({ filledQty: o.filledQty, reason: o.reason ?? null }));
  }

  /** Journals one execution. */
  insertFill(f: Fill): void {
    this.#s.insertFill.run(f.time, f.session, f.orderId, f.symbol, f.side, f.qty, f.price, f.commission);
  }

  /** Journals a position's new state after a fill. */
  upsertPosition(session: string, p: PositionRow, time: number): void {
    this.#s.upsertPosition.run(session, p.symbol, p.qty, p.avgCost, p.realized, time);
  }

  /** Journals an alert and, in the same transaction, one outbox row per webhook target (`[target, body]` JSON pairs). */
  insertAlert(
    session: string,
    a: Alert,
    deliveries: readonly (readonly [string, string])[],
    payload: unknown = null,
  ): void {
    this.transaction(() => {
      this.#s.insertAlert.run(
        a.id,
        a.time,
        session,
        a.kind,
        a.severity,
        a.symbol,
        a.message,
        payload === null ? null : JSON.stringify(payload),
      );
      for (const [target, body] of deliveries) this.#s.insertOutbox.run(a.id, target, body, a.time);
    });
  }

  /** Marks an alert acknowledged; returns false if it was unknown or already acknowledged. */
  ackAlert(id: string, time: number): boolean {
    return this.#s.ackAlert.run(time, id).changes > 0;
  }

  /** Outbox rows due at `now`, oldest first. */
  dueOutbox(now: number, limit = 50): OutboxRow[] {
    return this.#s.dueOutbox.all(now, limit) as OutboxRow[];
  }

  /** Every undelivered outbox row. */
  pendingOutbox(): OutboxRow[] {
    return this.#s.pendingOutbox.all() as OutboxRow[];
  }

  /** The earliest `next_attempt_at` among undelivered rows, or null when the outbox is empty. */
  nextOutboxAt(): number | null {
    return (this.#s.nextOutboxAt.get() as { t: number | null }).t;
  }

  /** Records a successful delivery. */
  markDelivered(seq: number, time: number): void {
    this.#s.delivered.run(time, seq);
  }

  /** Records a failed attempt and when to try again. */
  markFailed(seq: number, nextAttemptAt: number, error: string): void {
    this.#s.failed.run(nextAttemptAt, error.slice(0, 500), seq);
  }

  /** Records a failed last attempt: the row becomes a dead letter (kept, never retried on its own). */
  markDead(seq: number, time: number, error: string): void {
    this.#s.dead.run(error.slice(0, 500), time, seq);
  }

  /** The latest `limit` dead letters, newest first. */
  deadOutbox(limit = 100): (OutboxRow & { readonly deadAt: number })[] {
    return this.#s.deadOutbox.all(limit) as (OutboxRow & { readonly deadAt: number })[];
  }

  /** Undelivered rows still being retried (`pending`) and dead letters (`dead`). */
  outboxCounts(): { pending: number; dead: number } {
    return this.#s.outboxCounts.get() as { pending: number; dead: number };
  }

  /** Puts every dead letter (or those of alert `alertId`) back in the queue, due at `now` with a fresh attempt budget; returns how many. */
  requeueDead(now: number, alertId?: string): number {
    return (alertId === undefined ? this.#s.requeueDead.run(now) : this.#s.requeueDeadOf.run(now, alertId)).changes;
  }

  /** Every order of a session, oldest first. */
  loadOrders(session: string): Order[] {
    const rows = this.#s.orders.all(session) as {
      id: string;
      ts: number;
      session: string;
      symbol: string;
      side: Side;
      type: Order['type'];
      qty: number;
      limit_price: number | null;
      stop_price: number | null;
      parent_id: string | null;
      status: OrderStatus;
      payload: string | null;
    }[];
    return rows.map((r) => {
      const extra = r.payload ? (JSON.parse(r.payload) as { filledQty?: number; reason?: string | null }) : {};
      const o: Order = {
        id: r.id,
        session: r.session,
        time: r.ts,
        symbol: r.symbol,
        side: r.side,
        type: r.type,
        qty: r.qty,
        limitPrice: r.limit_price,
        stopPrice: r.stop_price,
        parentId: r.parent_id,
        status: r.status,
        filledQty: extra.filledQty ?? 0,
      };
      if (extra.reason) o.reason = extra.reason;
      return o;
    });
  }

  /** Every fill of a session in journal order. */
  loadFills(session: string): Fill[] {
    const rows = this.#s.fills.all(session) as {
      ts: number;
      session: string;
      order_id: string;
      symbol: string;
      side: Side;
      qty: number;
      price: number;
      commission: number;
    }[];
    return rows.map((r) => ({
      time: r.ts,
      session: r.session,
      orderId: r.order_id,
      symbol: r.symbol,
      side: r.side,
      qty: r.qty,
      price: r.price,
      commission: r.commission,
    }));
  }

  /** The journaled position snapshots of a session, by symbol. */
  loadPositions(session: string): PositionRow[] {
    return this.#s.positions.all(session) as PositionRow[];
  }

  /**
   * The latest `limit` alerts of a session, newest first: all of them, only strategy signals (`signal`),
   * or only the rest (`other`: anomalies, risk, kill switch, feed), so signals cannot crowd the rest out of a page.
   */
  /** How many of the latest `limit` non-signal alerts of a session are not acknowledged (what `loadAlerts(…, 'other')` would show open). */
  countUnackedOther(session: string, limit = 500): number {
    return this.#s.unackedOther.get(session, limit) as number;
  }

  loadAlerts(session: string, limit = 500, category: 'all' | 'signal' | 'other' = 'all'): Alert[] {
    const stmt =
      category === 'all' ? this.#s.alerts : category === 'signal' ? this.#s.alertsSignal : this.#s.alertsOther;
    const rows = stmt.all(session, limit) as {
      id: string;
      ts: number;
      kind: string;
      severity: Severity;
      symbol: string | null;
      message: string;
      acknowledged_at: number | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      time: r.ts,
      kind: r.kind,
      severity: r.severity,
      symbol: r.symbol,
      message: r.message,
      acknowledgedAt: r.acknowledged_at,
    }));
  }

  /**
   * The latest `limit` strategy signals of a session (alerts of kind `signal`, whose payload is the
   * signal), newest first; only `symbol`'s when given. Each carries the id of its alert.
   */
  loadSignals(session: string, limit = 500, symbol?: string): FiredSignal[] {
    const rows = (
      symbol === undefined ? this.#s.signals.all(session, limit) : this.#s.signalsOf.all(session, symbol, limit)
    ) as { id: string; payload: string | null }[];
    const out: FiredSignal[] = [];
    for (const r of rows)
      if (r.payload !== null) out.push({ ...(JSON.parse(r.payload) as Omit<FiredSignal, 'alertId'>), alertId: r.id });
    return out;
  }

  /** Reads a per-session JSON value (kill-switch state, risk limits), or undefined. */
  getState<T>(session: string, key: string): T | undefined {
    const row = this.#s.getState.get(session, key) as { value: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  /**
   * Every session with journaled state: its `startedAt` (wall ms of its last start), `lastTime` (the
   * last stepped event), the start request kept for resuming (`start`) and its kill switch, as JSON
   * text (null when never written); most recently started first (sessions journaled before starts were
   * recorded: the one with the latest alert first).
   */
  listSessions(): {
    session: string;
    startedAt: string | null;
    lastTime: string | null;
    start: string | null;
    killswitch: string | null;
  }[] {
    return this.#db
      .prepare(
        `SELECT session, max(CASE WHEN key = 'startedAt' THEN value END) startedAt, max(CASE WHEN key = 'lastTime' THEN value END) lastTime,
           max(CASE WHEN key = 'start' THEN value END) start, max(CASE WHEN key = 'killswitch' THEN value END) killswitch
         FROM live_state GROUP BY session
         ORDER BY CAST(startedAt AS INTEGER) DESC NULLS LAST, (SELECT max(seq) FROM alerts a WHERE a.session = live_state.session) DESC NULLS LAST, session`,
      )
      .all() as {
      session: string;
      startedAt: string | null;
      lastTime: string | null;
      start: string | null;
      killswitch: string | null;
    }[];
  }

  /** Writes a per-session JSON value. */
  setState(session: string, key: string, value: unknown): void {
    this.#s.setState.run(session, key, JSON.stringify(value));
  }
}
