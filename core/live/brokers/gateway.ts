import { AlertCenter } from '../alerts';
import { Journal } from '../../store/journal';
import type { Store } from '../../store/sqlite-bar-store';
import { gatewayStatements } from '../../store/broker-orders';
import type { KillSwitchState } from '../broker';
import type { Alert, Side } from '../types';
import { sleep } from './http';
import type { Broker, BrokerOrder, BrokerOrderStatus, BrokerPosition, OrderUpdate } from './types';
import { BrokerError } from './types';

/** An order the gateway journals and sends. `clientOrderId` is the idempotency key (<= 48 chars, [A-Za-z0-9-_:.]). */
export interface OrderIntent {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type: 'market' | 'limit' | 'stop';
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  /** The session order (paper model) it mirrors, when it comes from a strategy. */
  readonly sourceOrderId?: string;
  /**
   * Asks to be sent even with the kill switch tripped because it only closes: honoured for a market order that
   * reduces the position the journal expects at the broker without reversing it (a flatten), refused otherwise.
   */
  readonly reduceOnly?: boolean;
}

/** Journal status of a broker order: `intent` = journaled, not yet acknowledged by the broker. */
export type JournalStatus = 'intent' | BrokerOrderStatus;

/** A broker order as journaled. */
export interface JournaledOrder {
  readonly clientOrderId: string;
  readonly brokerOrderId: string | null;
  readonly sourceOrderId: string | null;
  readonly time: number;
  readonly symbol: string;
  readonly side: Side;
  readonly type: string;
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly status: JournalStatus;
  readonly filledQty: number;
  readonly avgPrice: number | null;
  readonly reason: string | null;
}

/** One line of a reconciliation: what the journal expects beside what the broker reports. */
export interface ReconcileLine {
  readonly kind: 'position' | 'order';
  readonly key: string;
  readonly journal: string;
  readonly broker: string;
}

/** Result of {@link OrderGateway.reconcile}. */
export interface ReconcileReport {
  readonly at: number;
  readonly ok: boolean;
  readonly mismatches: readonly ReconcileLine[];
  /** Journal positions beside the broker's, every symbol either side knows. */
  readonly positions: readonly { symbol: string; journal: number; broker: number }[];
  /** Orders whose final state was taken from the broker (updates missed while down). */
  readonly resynced: number;
}

/** Options of {@link OrderGateway}. */
export interface GatewayOptions {
  readonly store: Store;
  readonly session: string;
  readonly broker: Broker;
  /** Where alerts go (the live session's centre); a new one on the same journal when omitted. */
  readonly alerts?: AlertCenter;
  /** Called after each commit that changed what is shown (orders, fills, alerts, reconciliation). */
  readonly onChange?: (what: 'orders' | 'fills' | 'reconcile' | 'killswitch') => void;
  readonly now?: () => number;
  /** Attempts to send one order through 429/5xx/timeouts (looking it up before each resend). Default 4. */
  readonly attempts?: number;
  readonly backoffMs?: number;
}

const OPEN: ReadonlySet<string> = new Set(['intent', 'pending', 'new', 'partially-filled']);
const FINAL: ReadonlySet<string> = new Set(['filled', 'cancelled', 'rejected', 'expired', 'replaced']);
const EPS = 1e-9;

/**
 * The order path to a broker: every order is journaled as an intent before it is sent, with a client
 * order id that makes a resend safe (after a timeout or a 5xx the order is looked up by that id before
 * anything is sent again, and never sent twice); every stream update is journaled (fills keyed by
 * execution id, updates by event id, so duplicates and stale out-of-order updates change nothing)
 * before `onChange` lets anyone show it. {@link reconcile} compares the journal with the broker at
 * connect, after a reconnect and periodically: a difference raises a critical alert with both sides and
 * is kept for the UI; the journal is never overwritten with the broker's numbers. The kill switch
 * cancels every working order at the broker and refuses new ones.
 */
export class OrderGateway {
  readonly session: string;
  readonly broker: Broker;
  readonly journal: Journal;
  readonly alerts: AlertCenter;
  readonly #o: GatewayOptions;
  readonly #now: () => number;
  readonly #s;
  #timer: NodeJS.Timeout | null = null;
  #reconciling: Promise<ReconcileReport> | null = null;
  #lastReconcile: ReconcileReport | null = null;
  #streamDown = false;
  #sending = 0;
  readonly #parked = new Map<string, OrderUpdate[]>();
  readonly #raised: Alert[] = [];

  constructor(o: GatewayOptions) {
    this.#o = o;
    this.session = o.session;
    this.broker = o.broker;
    this.#now = o.now ?? Date.now;
    this.journal = new Journal(o.store);
    this.alerts =
      o.alerts ??
      new AlertCenter({
        session: o.session,
        journal: this.journal,
        cooldownMs: 0,
        onRaised: (a) => this.#raised.push(a),
      });
    this.#s = gatewayStatements(o.store);
  }

  #filled(cid: string): void {
    this.#s.filledStmt.run({ cid });
  }

  /** Alerts raised by this gateway's own centre since the last call (when it was not given one). */
  takeAlerts(): Alert[] {
    return this.#raised.splice(0);
  }

  /** The kill switch as journaled for this session. */
  get killSwitch(): KillSwitchState {
    return (
      this.journal.getState<KillSwitchState>(this.session, 'killswitch') ?? { tripped: false, reason: null, at: null }
    );
  }

  /** The last reconciliation, or null before the first. */
  get lastReconcile(): ReconcileReport | null {
    return this.#lastReconcile ?? this.journal.getState<ReconcileReport>(this.session, 'broker-reconcile') ?? null;
  }

  #alert(
    kind: string,
    severity: 'info' | 'warning' | 'critical',
    message: string,
    symbol: string | null = null,
    payload?: unknown,
  ): void {
    this.alerts.raise({
      kind,
      severity,
      message,
      symbol,
      time: this.#now(),
      key: `${kind}:${symbol ?? ''}:${message}`,
      payload,
    });
  }

  #tx<T>(fn: () => T, what: 'orders' | 'fills' | 'reconcile' | 'killswitch'): T {
    const r = this.journal.transaction(fn);
    this.#o.onChange?.(what);
    return r;
  }

  /** Every journaled broker order of the session, oldest first. */
  orders(): JournaledOrder[] {
    return (this.#s.list.all(this.session) as Row[]).map(fromRow);
  }

  /** The journaled order with `clientOrderId`, or null. */
  order(clientOrderId: string): JournaledOrder | null {
    const r = this.#s.get.get(clientOrderId) as Row | undefined;
    return r ? fromRow(r) : null;
  }

  /** Signed positions the journal expects at the broker: the baseline taken at first connect plus every journaled fill. */
  expectedPositions(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [s, q] of Object.entries(
      this.journal.getState<Record<string, number>>(this.session, 'broker-baseline') ?? {},
    ))
      out.set(s, q);
    for (const r of this.#s.positions.all(this.session) as { symbol: string; qty: number }[])
      out.set(r.symbol, (out.get(r.symbol) ?? 0) + r.qty);
    for (const [s, q] of out) if (Math.abs(q) < EPS) out.delete(s);
    return out;
  }

  // A reduce-only market order that closes part or all of the expected position, never reversing it.
  #closes(intent: OrderIntent): boolean {
    if (!intent.reduceOnly || intent.type !== 'market') return false;
    const pos = this.expectedPositions().get(intent.symbol) ?? 0;
    const signed = intent.side === 'buy' ? intent.qty : -intent.qty;
    return pos !== 0 && Math.sign(signed) === -Math.sign(pos) && intent.qty <= Math.abs(pos) + EPS;
  }

  /**
   * Journals the order as an intent, then sends it. Returns the journaled order: `rejected` (with the
   * reason, and an alert) when the kill switch is tripped or the broker refused it. An order already
   * journaled under the same client id is returned as it is; one still an intent is looked up at the broker
   * first and sent only if the broker does not have it (and the kill switch allows).
   */
  async submit(intent: OrderIntent): Promise<JournaledOrder> {
    const now = this.#now();
    const existing = this.order(intent.clientOrderId);
    if (existing && existing.status !== 'intent') return existing;
    if (!existing) {
      this.#tx(() => {
        this.#s.insert.run(
          intent.clientOrderId,
          this.session,
          this.broker.name,
          intent.sourceOrderId ?? null,
          now,
          intent.symbol,
          intent.side,
          intent.type,
          intent.qty,
          intent.limitPrice ?? null,
          intent.stopPrice ?? null,
          now,
        );
        const k = this.killSwitch;
        if (k.tripped && !this.#closes(intent)) {
          this.#s.update.run(null, 'rejected', `kill switch tripped: ${k.reason}`, null, now, intent.clientOrderId);
          this.#alert(
            'broker-order-rejected',
            'warning',
            `${intent.side} ${intent.qty} ${intent.symbol} refused: kill switch tripped`,
            intent.symbol,
          );
        }
      }, 'orders');
      if (this.killSwitch.tripped && !this.#closes(intent)) return this.order(intent.clientOrderId)!;
    } else {
      // Journaled before a crash or a failed send: the broker may have it.
      const found = await this.#lookup(intent.clientOrderId);
      if (found) return this.#adopt(found);
      const k = this.killSwitch;
      if (k.tripped && !this.#closes(intent)) {
        this.#tx(
          () =>
            this.#s.update.run(
              null,
              'rejected',
              `kill switch tripped: ${k.reason}`,
              null,
              this.#now(),
              intent.clientOrderId,
            ),
          'orders',
        );
        return this.order(intent.clientOrderId)!;
      }
    }
    return this.#send(intent);
  }

  async #lookup(clientOrderId: string): Promise<BrokerOrder | null> {
    const attempts = this.#o.attempts ?? 4;
    for (let i = 0; ; i++) {
      try {
        const found = await this.broker.orderByClientId(clientOrderId);
        const o = found ? null : this.order(clientOrderId);
        if (found || !o || !this.broker.matchIntent) return found;
        const claimed = new Set(
          this.orders()
            .map((x) => x.brokerOrderId)
            .filter((x): x is string => x !== null && x !== o.brokerOrderId),
        );
        const req = {
          clientOrderId,
          symbol: o.symbol,
          side: o.side,
          qty: o.qty,
          type: o.type as 'market' | 'limit' | 'stop',
          limitPrice: o.limitPrice ?? undefined,
        };
        return await this.broker.matchIntent(clientOrderId, req, o.time, claimed, o.brokerOrderId);
      } catch (e) {
        if (!(e instanceof BrokerError && e.retryable) || i + 1 >= attempts) throw e;
        await sleep((this.#o.backoffMs ?? 200) * 2 ** i);
      }
    }
  }

  async #send(intent: OrderIntent): Promise<JournaledOrder> {
    this.#sending++;
    try {
      return await this.#sendOnce(intent);
    } finally {
      this.#sending--;
    }
  }

  async #sendOnce(intent: OrderIntent): Promise<JournaledOrder> {
    const attempts = this.#o.attempts ?? 4;
    const faults: string[] = [];
    // Sent despite faults on the way (429, 5xx, timeouts): said in a warning, so no fault goes unseen.
    const done = (o: BrokerOrder): JournaledOrder => {
      const j = this.#adopt(o);
      if (faults.length > 0) {
        this.#tx(
          () =>
            this.#alert(
              'broker-retry',
              'warning',
              `${intent.side} ${intent.qty} ${intent.symbol} (${intent.clientOrderId}) reached ${this.broker.name} once, after: ${faults.join('; ')}`,
              intent.symbol,
            ),
          'orders',
        );
      }
      return j;
    };
    for (let i = 0; ; i++) {
      try {
        const o = await this.broker.submit({
          clientOrderId: intent.clientOrderId,
          symbol: intent.symbol,
          side: intent.side,
          qty: intent.qty,
          type: intent.type,
          limitPrice: intent.limitPrice,
          stopPrice: intent.stopPrice,
        });
        return done(o);
      } catch (e) {
        if (!(e instanceof BrokerError)) throw e;
        if (e.code === '422' && /client_order_id/.test(e.message)) {
          // The broker already has this id: an earlier attempt got through.
          const found = await this.#lookup(intent.clientOrderId);
          if (found) return done(found);
        }
        faults.push(e.message);
        if (e.maybeSent) {
          const found = await this.#lookup(intent.clientOrderId).catch(() => null);
          if (found) return done(found);
        }
        if (!e.retryable || i + 1 >= attempts) {
          // Only a request that may have reached the broker leaves the order unknown; anything else was refused.
          const unsure = e.maybeSent;
          this.#tx(() => {
            if (!unsure) this.#s.update.run(null, 'rejected', e.message, null, this.#now(), intent.clientOrderId);
            this.#alert(
              unsure ? 'broker-order-unknown' : 'broker-order-rejected',
              unsure ? 'critical' : 'warning',
              unsure
                ? `${intent.side} ${intent.qty} ${intent.symbol} (${intent.clientOrderId}) not confirmed after ${i + 1} attempts: ${e.message}; reconciliation will look it up, it is not resent`
                : `${intent.side} ${intent.qty} ${intent.symbol} refused after ${i + 1} attempt(s): ${e.message}`,
              intent.symbol,
            );
          }, 'orders');
          return this.order(intent.clientOrderId)!;
        }
        await sleep((this.#o.backoffMs ?? 200) * 2 ** i);
      }
    }
  }

  #adopt(o: BrokerOrder): JournaledOrder {
    this.#tx(() => {
      const row = this.#s.get.get(o.clientOrderId) as Row | undefined;
      if (!row) return;
      // The stream may have moved the order on before the HTTP answer came: never step it back.
      const status =
        FINAL.has(row.status) || (row.last_seq !== null && row.status !== 'intent') ? row.status : o.status;
      this.#s.update.run(o.id, status, o.reason ?? null, null, this.#now(), o.clientOrderId);
      if (o.status === 'rejected' && row.status !== 'rejected')
        this.#alert(
          'broker-order-rejected',
          'warning',
          `${o.side} ${o.qty} ${o.symbol} rejected by ${this.broker.name}${o.reason ? `: ${o.reason}` : ''}`,
          o.symbol,
        );
    }, 'orders');
    this.#unpark(o.id);
    return this.order(o.clientOrderId)!;
  }

  /**
   * One update from the broker's stream: journaled, then shown. A duplicate (same event id) or an execution
   * already journaled changes nothing; an update older than the order's last one (by `seq`) does not move
   * its status back (its execution, if new, still counts). Updates of orders we did not send raise a warning.
   */
  onUpdate(u: OrderUpdate): void {
    let row = u.order.clientOrderId ? (this.#s.get.get(u.order.clientOrderId) as Row | undefined) : undefined;
    if (row && row.session !== this.session) row = undefined;
    row ??= this.#s.byBrokerId.get(this.session, u.order.id) as Row | undefined;
    if (!row && this.#sending > 0) {
      // A broker without client ids (KIS) can notify before the order's HTTP answer names its number: hold it until then.
      const list = this.#parked.get(u.order.id) ?? [];
      list.push(u);
      this.#parked.set(u.order.id, list);
      setTimeout(() => this.#unpark(u.order.id, true), 5_000).unref();
      return;
    }
    this.#tx(
      () => {
        if (this.#s.event.run(u.eventId, this.session, u.time).changes === 0) return;
        if (!row) {
          this.#alert(
            'broker-foreign-order',
            'warning',
            `${this.broker.name} reports ${u.event} of an order QuantDesk did not send: ${u.order.side} ${u.order.qty} ${u.order.symbol} (${u.order.id})`,
            u.order.symbol,
          );
          return;
        }
        const cid = row.client_order_id;
        if (u.execId !== undefined && u.fillQty! > 0) {
          if (
            this.#s.fill.run(u.execId, cid, this.session, u.time, row.symbol, row.side, u.fillQty!, u.fillPrice!)
              .changes > 0
          )
            this.#filled(cid);
        }
        const stale = u.seq !== undefined && row.last_seq !== null && u.seq < row.last_seq;
        if (stale || FINAL.has(row.status)) return;
        // The journaled executions decide when an order is complete, whatever count the update carried.
        const filledQty = (this.#s.get.get(cid) as Row).filled_qty;
        const status =
          filledQty >= row.qty - EPS
            ? 'filled'
            : filledQty > EPS && u.order.status === 'new'
              ? 'partially-filled'
              : u.order.status;
        this.#s.update.run(u.order.id, status, u.order.reason ?? null, u.seq ?? null, this.#now(), cid);
        if (u.event === 'rejected')
          this.#alert(
            'broker-order-rejected',
            'warning',
            `${row.side} ${row.qty} ${row.symbol} rejected by ${this.broker.name}${u.order.reason ? `: ${u.order.reason}` : ''}`,
            row.symbol,
          );
      },
      u.execId ? 'fills' : 'orders',
    );
  }

  // An update that cannot be journaled must not take the stream down: it is alerted, and the next
  // reconciliation takes the order's state from the broker.
  #safeUpdate(u: OrderUpdate): void {
    try {
      this.onUpdate(u);
    } catch (e) {
      try {
        this.#tx(
          () =>
            this.#alert(
              'broker-update-failed',
              'critical',
              `could not journal ${u.event} of ${u.order.clientOrderId}: ${(e as Error).message}; reconciling`,
            ),
          'orders',
        );
      } catch {
        // The journal itself is gone (closing): nothing more to do here.
      }
      this.#background();
    }
  }

  #unpark(brokerId: string, expired = false): void {
    const list = this.#parked.get(brokerId);
    if (!list) return;
    if (expired && this.#sending > 0 && !this.#s.byBrokerId.get(this.session, brokerId)) {
      setTimeout(() => this.#unpark(brokerId, true), 1_000).unref();
      return;
    }
    this.#parked.delete(brokerId);
    for (const u of list) this.#safeUpdate(u);
  }

  /** Stream state: a drop raises a warning; the reopen resyncs from the broker. */
  onStreamState(s: 'open' | 'down', detail?: string): void {
    if (s === 'down') {
      if (this.#streamDown) return;
      this.#streamDown = true;
      this.#tx(
        () =>
          this.#alert(
            'broker-stream',
            'warning',
            `${this.broker.name} order stream dropped${detail ? ` (${detail})` : ''}; reconnecting`,
          ),
        'orders',
      );
      return;
    }
    if (!this.#streamDown) return;
    this.#streamDown = false;
    this.#tx(() => this.#alert('broker-stream', 'info', `${this.broker.name} order stream back; resyncing`), 'orders');
    this.#background();
  }

  // A reconciliation in the background (periodic, after a reconnect): a failure is a warning, and the next pass retries.
  #background(): void {
    this.reconcile().catch((e: unknown) => {
      try {
        this.#tx(
          () =>
            this.#alert(
              'broker-reconcile-failed',
              'warning',
              `could not reconcile with ${this.broker.name}: ${(e as Error).message}; retrying at the next pass`,
            ),
          'reconcile',
        );
      } catch {
        // The journal is closed (shutting down).
      }
    });
  }

  /** Connects: subscribes to the stream (updates go through {@link onUpdate}), then reconciles. */
  async connect(reconcileEveryMs = 0): Promise<ReconcileReport> {
    await this.broker.subscribe({ update: (u) => this.#safeUpdate(u), state: (s, d) => this.onStreamState(s, d) });
    const r = await this.reconcile();
    if (reconcileEveryMs > 0) this.#timer = setInterval(() => this.#background(), reconcileEveryMs).unref();
    return r;
  }

  /** Stops the periodic reconciliation and closes the broker connection. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#reconciling?.catch(() => undefined);
    await this.broker.close();
  }

  /** Compares the journal with the broker (see the class comment); at most one runs at a time. */
  reconcile(): Promise<ReconcileReport> {
    this.#reconciling ??= this.#reconcile().finally(() => (this.#reconciling = null));
    return this.#reconciling;
  }

  async #reconcile(): Promise<ReconcileReport> {
    // Orders first: a fill missed while the stream was down is taken from the broker's report of our own order.
    let resynced = 0;
    // A broker without client ids (KIS after a restart) names its orders by number only: map those back through the journal.
    const brokerOpen = (await this.broker.openOrders()).map((b) => (b.clientOrderId ? b : this.#named(b)));
    const openIds = new Set(brokerOpen.map((o) => o.clientOrderId));
    for (const o of this.orders()) {
      if (!OPEN.has(o.status) || openIds.has(o.clientOrderId)) continue;
      const found = await this.#lookup(o.clientOrderId);
      this.#tx(() => {
        if (!found) {
          if (o.status === 'intent') {
            this.#s.update.run(
              null,
              'rejected',
              'never reached the broker (the process stopped before sending); not sent automatically',
              null,
              this.#now(),
              o.clientOrderId,
            );
            this.#alert(
              'broker-order-unsent',
              'warning',
              `${o.side} ${o.qty} ${o.symbol} (${o.clientOrderId}) never reached ${this.broker.name}; it was not sent after the restart`,
              o.symbol,
            );
          }
          return;
        }
        resynced++;
        this.#resyncOrder(o, found);
      }, 'orders');
    }
    for (const b of brokerOpen) {
      const o = this.order(b.clientOrderId);
      if (o && b.filledQty > o.filledQty + EPS) this.#tx(() => this.#resyncOrder(o, b), 'fills');
      else if (o && o.status === 'intent') this.#adopt(b);
    }
    const positions = await this.broker.positions();
    return this.#tx(() => this.#compare(positions, brokerOpen, resynced), 'reconcile');
  }

  #named(b: BrokerOrder): BrokerOrder {
    const row = this.#s.byBrokerId.get(this.session, b.id) as Row | undefined;
    return row ? { ...b, clientOrderId: row.client_order_id } : b;
  }

  // The broker reports more filled than the journal holds: executions missed while disconnected. They are
  // journaled as one resync fill at the broker's average price for the missing quantity (marked `resync:`).
  #resyncOrder(o: JournaledOrder, b: BrokerOrder): void {
    const missing = b.filledQty - o.filledQty;
    if (missing > EPS) {
      const px =
        o.avgPrice !== null && o.filledQty > 0 && b.avgFillPrice === b.avgFillPrice
          ? (b.avgFillPrice * b.filledQty - o.avgPrice * o.filledQty) / missing
          : b.avgFillPrice;
      this.#s.fill.run(
        `resync:${o.clientOrderId}:${b.filledQty}`,
        o.clientOrderId,
        this.session,
        this.#now(),
        o.symbol,
        o.side,
        missing,
        px,
      );
      this.#filled(o.clientOrderId);
    }
    this.#s.update.run(b.id, b.status, b.reason ?? null, null, this.#now(), o.clientOrderId);
  }

  #compare(
    positions: readonly BrokerPosition[],
    brokerOpen: readonly BrokerOrder[],
    resynced: number,
  ): ReconcileReport {
    const at = this.#now();
    const first = this.journal.getState(this.session, 'broker-baseline') === undefined;
    if (first) {
      // The first connect of a session: what the account already holds is the starting point, journaled and said.
      const base: Record<string, number> = {};
      for (const p of positions) base[p.symbol] = p.qty;
      this.journal.setState(this.session, 'broker-baseline', base);
      if (positions.length > 0)
        this.#alert(
          'broker-baseline',
          'info',
          `${this.broker.name} account holds ${positions.map((p) => `${p.symbol} ${p.qty}`).join(', ')} at the session's start`,
        );
    }
    const expected = this.expectedPositions();
    const actual = new Map(positions.map((p) => [p.symbol, p.qty]));
    const mismatches: ReconcileLine[] = [];
    const rows: { symbol: string; journal: number; broker: number }[] = [];
    for (const s of new Set([...expected.keys(), ...actual.keys()])) {
      const j = expected.get(s) ?? 0;
      const b = actual.get(s) ?? 0;
      rows.push({ symbol: s, journal: j, broker: b });
      if (Math.abs(j - b) > EPS) mismatches.push({ kind: 'position', key: s, journal: String(j), broker: String(b) });
    }
    const mine = new Map(
      this.orders()
        .filter((o) => OPEN.has(o.status))
        .map((o) => [o.clientOrderId, o]),
    );
    for (const b of brokerOpen) {
      const o = mine.get(b.clientOrderId);
      if (!o)
        mismatches.push({
          kind: 'order',
          key: b.clientOrderId || b.id,
          journal: 'none',
          broker: `${b.side} ${b.qty} ${b.symbol} ${b.status}`,
        });
      else if (Math.abs(o.filledQty - b.filledQty) > EPS)
        mismatches.push({
          kind: 'order',
          key: b.clientOrderId,
          journal: `filled ${o.filledQty}`,
          broker: `filled ${b.filledQty}`,
        });
    }
    const report: ReconcileReport = {
      at,
      ok: mismatches.length === 0,
      mismatches,
      positions: rows.sort((a, b) => (a.symbol < b.symbol ? -1 : 1)),
      resynced,
    };
    // The same disagreement found again (every 30 s) is not alerted again; a new or changed one is.
    const before = this.journal.getState<ReconcileReport>(this.session, 'broker-reconcile');
    const same = before !== undefined && JSON.stringify(before.mismatches) === JSON.stringify(mismatches);
    this.journal.setState(this.session, 'broker-reconcile', report);
    this.#lastReconcile = report;
    if (!report.ok && !same) {
      const text = mismatches.map((m) => `${m.kind} ${m.key}: journal ${m.journal} | broker ${m.broker}`).join('; ');
      this.#alert(
        'reconcile-mismatch',
        'critical',
        `journal and ${this.broker.name} disagree: ${text}`,
        mismatches[0].kind === 'position' ? mismatches[0].key : null,
        report,
      );
    }
    return report;
  }

  /** Trips the kill switch: journaled, then every working order is cancelled at the broker; new orders are refused. */
  async trip(reason: string): Promise<number> {
    const k: KillSwitchState = { tripped: true, reason, at: this.#now() };
    this.#tx(() => {
      this.journal.setState(this.session, 'killswitch', k);
      this.#alert(
        'kill-switch',
        'critical',
        `kill switch tripped: ${reason}; cancelling working orders at ${this.broker.name}`,
      );
    }, 'killswitch');
    return this.cancelAll();
  }

  /** Re-arms the kill switch (explicit). */
  rearm(): void {
    this.#tx(() => {
      this.journal.setState(this.session, 'killswitch', { tripped: false, reason: null, at: this.#now() });
      this.#alert('kill-switch', 'info', 'kill switch re-armed');
    }, 'killswitch');
  }

  /** Asks the broker to cancel every working order (ours and any other on the account); returns how many. */
  async cancelAll(): Promise<number> {
    const open = await this.broker.openOrders();
    let n = 0;
    for (const o of open) {
      try {
        await this.broker.cancel(o);
        n++;
      } catch (e) {
        this.#tx(
          () =>
            this.#alert(
              'broker-cancel-failed',
              'critical',
              `cancel of ${o.side} ${o.qty} ${o.symbol} (${o.id}) failed: ${(e as Error).message}`,
              o.symbol,
            ),
          'orders',
        );
      }
    }
    return n;
  }

  /** Cancels one journaled order at the broker (the final state is journaled when the broker confirms it). */
  async cancel(clientOrderId: string): Promise<boolean> {
    const o = this.order(clientOrderId);
    if (!o || !OPEN.has(o.status)) return false;
    const b = o.brokerOrderId ? null : await this.#lookup(clientOrderId);
    const id = o.brokerOrderId ?? b?.id;
    if (!id) return false;
    await this.broker.cancel({
      id,
      clientOrderId,
      symbol: o.symbol,
      side: o.side,
      type: 'market',
      qty: o.qty,
      limitPrice: null,
      stopPrice: null,
      status: 'new',
      filledQty: o.filledQty,
      avgFillPrice: Number.NaN,
      time: o.time,
    });
    return true;
  }
}

interface Row {
  client_order_id: string;
  session: string;
  broker: string;
  source_order_id: string | null;
  broker_order_id: string | null;
  ts: number;
  symbol: string;
  side: Side;
  type: string;
  qty: number;
  limit_price: number | null;
  stop_price: number | null;
  status: JournalStatus;
  filled_qty: number;
  avg_price: number | null;
  reason: string | null;
  last_seq: number | null;
  updated_at: number;
}

function fromRow(r: Row): JournaledOrder {
  return {
    clientOrderId: r.client_order_id,
    brokerOrderId: r.broker_order_id,
    sourceOrderId: r.source_order_id,
    time: r.ts,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    qty: r.qty,
    limitPrice: r.limit_price,
    stopPrice: r.stop_price,
    status: r.status,
    filledQty: r.filled_qty,
    avgPrice: r.avg_price,
    reason: r.reason,
  };
}
