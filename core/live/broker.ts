import { entryFillPrice, ORDER_LIMIT, ORDER_MARKET, ORDER_STOP } from '../execution/fill-rules';
import { DAY_MS } from '../model/time';
import { sliceSchedule } from './algo';
import type { CostModel } from './costs';
import { simpleCosts } from './costs';
import {
  applyFill,
  applyPositionAction,
  emptyPosition,
  fillsAndActions,
  type PositionAction,
  type PositionState,
} from './positions';
import { RiskChecker, type Breach } from './risk';
import type { Fill, LiveBar, Order, Side } from './types';

/** An order request. Quantities are positive units; `side` says the direction. */
export interface OrderRequest {
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type?: 'market' | 'limit' | 'stop' | 'twap' | 'vwap';
  /** Limit price (limit) or trigger price (stop). */
  readonly price?: number;
  /** TWAP/VWAP: the schedule's length in ms from submission, and the number of child slices. */
  readonly durationMs?: number;
  readonly slices?: number;
  /** VWAP: relative volume per slice (e.g. the historical intraday volume curve); default a U-shaped curve. */
  readonly profile?: readonly number[];
  /**
   * Closes (part of) the position only: refused if it would open or flip one. Accepted while the kill switch is
   * tripped and exempt from the order limits, because closing is what a halted desk needs to do (see `flattenAll`).
   */
  readonly reduceOnly?: boolean;
}

/** The kill switch: while tripped, new orders are refused; re-arming is explicit. */
export interface KillSwitchState {
  readonly tripped: boolean;
  readonly reason: string | null;
  readonly at: number | null;
}

/** What the broker reports; the session journals each before emitting anything. */
export interface BrokerHooks {
  order?(o: Order, time: number, isNew: boolean): void;
  fill?(f: Fill, p: PositionState): void;
  breach?(b: Breach, time: number): void;
  killSwitch?(k: KillSwitchState): void;
  /** A split or dividend moved a held position or cash. */
  action?(a: PositionAction, p: PositionState): void;
}

/** Options of {@link PaperBroker}. */
export interface BrokerOptions {
  readonly session: string;
  readonly cash: number;
  readonly costs?: CostModel;
  readonly risk?: RiskChecker;
  readonly hooks?: BrokerHooks;
}

/** Account figures in account currency. */
export interface Account {
  readonly cash: number;
  readonly equity: number;
  readonly grossExposure: number;
  readonly dayStartEquity: number;
  readonly realized: number;
  readonly unrealized: number;
}

interface AlgoSchedule {
  readonly parent: Order;
  readonly times: Float64Array;
  readonly qtys: Float64Array;
  next: number;
}

/**
 * A paper broker: market, limit and stop orders filled against ticks or bars with the cost model's
 * slippage and commission; TWAP/VWAP parents sliced into market children on a schedule; positions
 * with average cost; cash, equity and gross exposure updated incrementally on every mark; risk checks
 * before each order and on every mark; the kill switch.
 *
 * Fill rules (the backtest's `entryFillPrice`): a market order fills at the next price seen (the next
 * tick, or the next bar's open). A buy limit fills at the open if the open is at or below the limit, else
 * at the limit if the low reaches it. A buy stop fills at the open if the open is at or above
 * the stop, else at the stop if the high reaches it. Sells mirror. Every fill is slipped by the cost model. A tick is a bar whose
 * open, high, low and close are the tick price.
 */
export class PaperBroker {
  readonly session: string;
  readonly #costs: CostModel;
  readonly risk: RiskChecker;
  readonly #hooks: BrokerHooks;
  readonly #positions = new Map<string, PositionState>();
  /** The same positions in symbol order: what `account()` sums, so its figures do not depend on arrival order. */
  readonly #ordered: PositionState[] = [];
  /** The symbols this session has traded (a fill applied, live or restored from the journal). */
  readonly #traded = new Set<string>();
  readonly #orders = new Map<string, Order>();
  readonly #working = new Map<string, Order[]>();
  readonly #algos = new Map<string, AlgoSchedule[]>();
  /** Algo parents not yet known final (a parent outlives its schedule until its last slice fills). */
  readonly #parents = new Set<Order>();
  #cash: number;
  #marketValue = 0;
  #gross = 0;
  #day = Number.NaN;
  #now = 0;
  #dayStartEquity: number;
  #seq = 0;
  #kill: KillSwitchState = { tripped: false, reason: null, at: null };
  #changes = 0;

  constructor(o: BrokerOptions) {
    this.session = o.session;
    this.#cash = o.cash;
    this.#dayStartEquity = o.cash;
    this.#costs = o.costs ?? simpleCosts();
    this.risk = o.risk ?? new RiskChecker();
    this.#hooks = o.hooks ?? {};
  }

  /** The kill switch's state. */
  get killSwitch(): KillSwitchState {
    return this.#kill;
  }

  /** Counts the changes to positions (fills, corporate actions, restores): a client mirroring them re-reads them when it moves. */
  get changes(): number {
    return this.#changes;
  }

  /** Cash in account currency (starting cash minus what fills cost, plus what they brought). */
  get cash(): number {
    return this.#cash;
  }

  /**
   * Cash, equity (cash + marked positions), gross exposure and PnL, as a statement would add them up: each
   * position's `qty × last` summed in symbol order, not the running totals the risk checks read between marks
   * (those move by each mark's difference and drift in the last bits). So a session resumed from its journal
   * reports the same figures, to the bit, as one that never stopped.
   */
  account(): Account {
    let realized = 0;
    let unreal = 0;
    for (const p of this.#ordered) {
      realized += p.realized;
      if (p.qty !== 0 && p.last === p.last) unreal += p.qty * (p.last - p.avgCost);
    }
    const { value, gross } = this.#positionsValue();
    return {
      cash: this.#cash,
      equity: this.#cash + value,
      grossExposure: gross,
      dayStartEquity: this.#dayStartEquity,
      realized,
      unrealized: unreal,
    };
  }

  /** `account().equity` alone (the same sum, to the bit), without the PnL pass and the object: a replay's step reads it. */
  equity(): number {
    return this.#cash + this.#positionsValue().value;
  }

  /** The live position state of `symbol` (flat if never traded). */
  position(symbol: string): PositionState {
    return this.#positions.get(symbol) ?? this.#add(emptyPosition(symbol));
  }

  #add(p: PositionState): PositionState {
    this.#positions.set(p.symbol, p);
    const o = this.#ordered;
    let lo = 0;
    let hi = o.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (o[mid].symbol < p.symbol) lo = mid + 1;
      else hi = mid;
    }
    o.splice(lo, 0, p);
    return p;
  }

  /** Σ qty × last and Σ |qty × last| over the marked open positions, in symbol order. */
  #positionsValue(): { value: number; gross: number } {
    let value = 0;
    let gross = 0;
    for (const p of this.#ordered) {
      // A flat position may have no mark yet (last = NaN), and 0 × NaN is NaN: it would poison equity for good.
      if (p.qty === 0 || p.last !== p.last) continue;
      value += p.qty * p.last;
      gross += Math.abs(p.qty * p.last);
    }
    return { value, gross };
  }

  /**
   * Every position this session has traded, by symbol, flat ones included, as an account statement lists them: a
   * position closed at its cost with no commission (realized exactly 0) stays listed. A symbol only marked (a
   * price seen, never traded) is not a position.
   */
  positions(): readonly PositionState[] {
    return [...this.#positions.values()].filter((p) => p.qty !== 0 || this.#traded.has(p.symbol));
  }

  /**
   * How many top-level orders are working (new or partially filled, algo parents included, their slices not):
   * what a scan of {@link orders} would count, read from the working lists instead of every order ever placed.
   */
  workingCount(): number {
    let n = 0;
    for (const list of this.#working.values())
      for (const o of list) if (o.parentId === null && (o.status === 'new' || o.status === 'partially-filled')) n++;
    for (const o of this.#parents)
      if (o.status === 'new' || o.status === 'partially-filled') n++;
      else this.#parents.delete(o);
    return n;
  }

  /** Every order of the session, oldest first. */
  orders(): readonly Order[] {
    return [...this.#orders.values()];
  }

  /** Submits an order at `time`; returns it, `rejected` (with `reason`) if refused by the kill switch or a limit. */
  submit(req: OrderRequest, time: number, parentId: string | null = null): Order {
    const type = req.type ?? 'market';
    const isPriced = type === 'limit' || type === 'stop';
    const order: Order = {
      id: `${this.session}:${++this.#seq}`,
      session: this.session,
      time,
      symbol: req.symbol,
      side: req.side,
      type,
      qty: req.qty,
      limitPrice: type === 'limit' ? (req.price ?? null) : null,
      stopPrice: type === 'stop' ? (req.price ?? null) : null,
      parentId,
      status: 'new',
      filledQty: 0,
    };
    this.#orders.set(order.id, order);
    const invalid = !(req.qty > 0)
      ? 'quantity must be > 0'
      : isPriced && !(req.price! > 0)
        ? `${type} order needs a price > 0`
        : null;
    if (invalid !== null) return this.#reject(order, invalid, time);
    const p = this.position(req.symbol);
    if (req.reduceOnly) {
      const reduces = type === 'market' && (req.side === 'sell' ? p.qty : -p.qty) >= req.qty - 1e-9;
      if (!reduces)
        return this.#reject(
          order,
          `reduce-only: a ${type} ${req.side} of ${req.qty} would not only reduce the position of ${p.qty}`,
          time,
        );
      this.#hooks.order?.(order, time, true);
      this.#listFor(this.#working, req.symbol).push(order);
      return order;
    }
    if (this.#kill.tripped) return this.#reject(order, `kill switch tripped: ${this.#kill.reason}`, time);
    const breach = this.risk.checkOrder({
      symbol: req.symbol,
      signedQty: req.side === 'buy' ? req.qty : -req.qty,
      price: isPriced ? req.price! : Number.NaN,
      last: p.last,
      position: p.qty,
      grossExposure: this.#gross,
    });
    if (breach) {
      this.#reject(order, breach.message, time);
      this.#hooks.breach?.(breach, time);
      if (breach.hard) this.trip(`${breach.limit}: ${breach.message}`, time);
      return order;
    }
    this.#hooks.order?.(order, time, true);
    if (type === 'twap' || type === 'vwap') this.#schedule(order, req, time);
    else this.#listFor(this.#working, req.symbol).push(order);
    return order;
  }

  #reject(order: Order, reason: string, time: number): Order {
    order.status = 'rejected';
    order.reason = reason;
    this.#hooks.order?.(order, time, true);
    return order;
  }

  #listFor<T>(m: Map<string, T[]>, symbol: string): T[] {
    let l = m.get(symbol);
    if (!l) m.set(symbol, (l = []));
    return l;
  }

  #schedule(parent: Order, req: OrderRequest, time: number): void {
    const { times, qtys } = sliceSchedule(
      parent.type as 'twap' | 'vwap',
      req.qty,
      time,
      req.durationMs,
      req.slices,
      req.profile,
    );
    this.#listFor(this.#algos, parent.symbol).push({ parent, times, qtys, next: 0 });
    this.#parents.add(parent);
  }

  /** Cancels one working order (or algo parent and its pending slices). Returns false if it was not working. */
  cancel(id: string, time: number, reason = 'cancelled'): boolean {
    const o = this.#orders.get(id);
    if (!o || (o.status !== 'new' && o.status !== 'partially-filled')) return false;
    const algos = this.#algos.get(o.symbol);
    const ai = algos ? algos.findIndex((x) => x.parent === o) : -1;
    if (ai >= 0) algos!.splice(ai, 1);
    const working = this.#working.get(o.symbol);
    const wi = working ? working.indexOf(o) : -1;
    if (wi >= 0) working!.splice(wi, 1);
    o.status = 'cancelled';
    o.reason = reason;
    this.#hooks.order?.(o, time, false);
    return true;
  }

  /** Cancels every working order and algo parent. */
  cancelAll(time: number, reason: string): number {
    let n = 0;
    for (const o of this.#orders.values()) if (this.cancel(o.id, time, reason)) n++;
    return n;
  }

  /**
   * Closes every open position with a reduce-only market order (filled at the next price seen, like any market
   * order), after cancelling the working orders that could re-open one. Returns the orders submitted.
   */
  flattenAll(time: number, reason: string): Order[] {
    this.cancelAll(time, `flatten all: ${reason}`);
    const out: Order[] = [];
    for (const p of this.#positions.values()) {
      if (p.qty === 0) continue;
      out.push(
        this.submit(
          { symbol: p.symbol, side: p.qty > 0 ? 'sell' : 'buy', qty: Math.abs(p.qty), reduceOnly: true },
          time,
        ),
      );
    }
    return out;
  }

  /** Trips the kill switch: cancels every open order and refuses new ones until {@link rearm}. */
  trip(reason: string, time: number): void {
    if (this.#kill.tripped) return;
    this.#kill = { tripped: true, reason, at: time };
    this.cancelAll(time, `kill switch: ${reason}`);
    this.#hooks.killSwitch?.(this.#kill);
  }

  /** Re-arms the kill switch (explicit operator action). */
  rearm(time: number): void {
    if (!this.#kill.tripped) return;
    this.#kill = { tripped: false, reason: null, at: time };
    this.#hooks.killSwitch?.(this.#kill);
  }

  /** One trade print: fills what it triggers, releases due algo slices, marks the position. */
  onTick(symbol: string, time: number, price: number): void {
    this.#now = time;
    this.#rollDay(time);
    this.#releaseSlices(symbol, time);
    const w = this.#working.get(symbol);
    if (w !== undefined && w.length > 0) this.#match(w, time, price, price, price);
    this.#mark(symbol, price);
  }

  /** One bar (bar-fed sessions): fills at the open or inside the range by the fill rules, then marks at the close. */
  onBar(bar: LiveBar): void {
    this.matchBar(bar);
    this.mark(bar.symbol, bar.close, bar.time);
  }

  /** Fills working orders and due algo slices of `bar.symbol` against the bar's open and range, without marking. */
  matchBar(bar: LiveBar): void {
    this.#now = bar.time;
    this.#rollDay(bar.time);
    this.#releaseSlices(bar.symbol, bar.time);
    const w = this.#working.get(bar.symbol);
    if (w !== undefined && w.length > 0) this.#match(w, bar.time, bar.open, bar.high, bar.low);
  }

  /** Marks `symbol` at `price` (EpochMs `time`): updates equity and exposure, then checks the account limits. */
  mark(symbol: string, price: number, time: number): void {
    this.#now = time;
    this.#rollDay(time);
    this.#mark(symbol, price);
  }

  /**
   * Executes `qty` units now at `rawPrice` before slippage: the strategy runner's path, where the
   * backtest's rules (next open, limit/stop entry, protective exits) already chose the price. The
   * order is journaled like any other and passes the same risk checks and kill switch; returns the
   * fill, or null if it was rejected.
   */
  execute(symbol: string, side: Side, qty: number, rawPrice: number, time: number): Fill | null {
    this.#now = time;
    this.#rollDay(time);
    const o = this.submit({ symbol, side, qty, type: 'market' }, time);
    if (o.status === 'rejected') return null;
    const w = this.#working.get(symbol)!;
    w.splice(w.indexOf(o), 1);
    return this.#fill(o, time, this.#costs.slip(side, rawPrice));
  }

  #rollDay(time: number): void {
    const day = Math.floor(time / DAY_MS);
    if (day !== this.#day) {
      this.#day = day;
      // The running totals start each day again from the positions' sum (so they cannot drift for long), and the
      // day's starting equity is that sum, as account() reports it.
      const { value, gross } = this.#positionsValue();
      this.#marketValue = value;
      this.#gross = gross;
      this.#dayStartEquity = this.#cash + value;
    }
  }

  #releaseSlices(symbol: string, time: number): void {
    const algos = this.#algos.get(symbol);
    if (algos === undefined || algos.length === 0) return;
    for (let a = 0; a < algos.length; a++) {
      const s = algos[a];
      while (s.next < s.times.length && s.times[s.next] <= time && !this.#kill.tripped) {
        const q = s.qtys[s.next++];
        if (q > 0) this.submit({ symbol, side: s.parent.side, qty: q, type: 'market' }, time, s.parent.id);
      }
      if (s.next >= s.times.length) {
        algos.splice(a--, 1);
      }
    }
  }

  #match(w: Order[], time: number, open: number, high: number, low: number): void {
    for (let i = 0; i < w.length; i++) {
      const o = w[i];
      const type =
        o.type === 'market' ? ORDER_MARKET : o.type === 'limit' ? ORDER_LIMIT : o.type === 'stop' ? ORDER_STOP : -1;
      if (type < 0) continue;
      // The backtest's fill rules, then slipped like every fill, as the backtest does.
      const raw = entryFillPrice(
        type,
        o.side === 'buy' ? 1 : -1,
        type === ORDER_LIMIT ? o.limitPrice! : type === ORDER_STOP ? o.stopPrice! : Number.NaN,
        open,
        high,
        low,
      );
      if (raw !== raw) continue;
      w.splice(i--, 1);
      this.#fill(o, time, this.#costs.slip(o.side, raw));
    }
  }

  #fill(o: Order, time: number, price: number): Fill {
    const qty = o.qty - o.filledQty;
    const commission = this.#costs.commission(qty, price);
    const p = this.position(o.symbol);
    // Positions are valued at the symbol's last mark; the fill changes qty and cash, and the next mark moves the value.
    const last = p.last === p.last ? p.last : price;
    p.last = last;
    const signed = o.side === 'buy' ? qty : -qty;
    this.#marketValue -= p.qty * last;
    this.#gross -= Math.abs(p.qty * last);
    applyFill(p, o.side, qty, price, commission);
    this.#traded.add(o.symbol);
    this.#marketValue += p.qty * last;
    this.#gross += Math.abs(p.qty * last);
    this.#cash -= signed * price + commission;
    o.filledQty = o.qty;
    o.status = 'filled';
    this.#changes++;
    const fill: Fill = {
      orderId: o.id,
      session: this.session,
      time,
      symbol: o.symbol,
      side: o.side,
      qty,
      price,
      commission,
    };
    this.#hooks.fill?.(fill, p);
    this.#hooks.order?.(o, time, false);
    if (o.parentId !== null) this.#childFilled(o.parentId, qty, time);
    return fill;
  }

  #childFilled(parentId: string, qty: number, time: number): void {
    const parent = this.#orders.get(parentId);
    if (!parent || parent.status === 'cancelled') return;
    parent.filledQty += qty;
    parent.status = parent.filledQty >= parent.qty - 1e-9 ? 'filled' : 'partially-filled';
    this.#hooks.order?.(parent, time, false);
  }

  #mark(symbol: string, price: number): void {
    const p = this.#positions.get(symbol);
    if (p === undefined) {
      this.#add({ symbol, qty: 0, avgCost: 0, realized: 0, last: price });
      return;
    }
    const old = p.last;
    p.last = price;
    if (p.qty === 0) return;
    const prev = old === old ? old : price;
    this.#marketValue += p.qty * (price - prev);
    this.#gross += Math.abs(p.qty) * (Math.abs(price) - Math.abs(prev));
    if (this.#kill.tripped) return;
    const b = this.risk.checkAccount(this.#gross, this.#dayStartEquity, this.#cash + this.#marketValue);
    if (b) {
      this.#hooks.breach?.(b, this.#now);
      if (b.hard) this.trip(`${b.limit}: ${b.message}`, this.#now);
    }
  }

  /**
   * A corporate action with ex date `time`, before that day's open, on a held position (a flat one is
   * untouched): a split of ratio `value` multiplies the quantity and divides its cost and mark (with
   * `wholeUnits`, a fractional share is paid out at the mark); a cash dividend pays `qty × value` into
   * cash (a short pays it). Reported through `hooks.action` for the journal.
   */
  corporateAction(symbol: string, kind: 'split' | 'dividend', value: number, time: number, wholeUnits: boolean): void {
    const p = this.#positions.get(symbol);
    if (p === undefined || p.qty === 0) return;
    let cash = 0;
    let qty = p.qty;
    if (kind === 'dividend') cash = p.qty * value;
    else {
      if (!(value > 0)) return;
      const price = p.last / value;
      qty = p.qty * value;
      if (wholeUnits) {
        const whole = qty > 0 ? Math.floor(qty + 1e-9) : Math.ceil(qty - 1e-9);
        if (whole !== qty) cash = (qty - whole) * price;
        qty = whole;
      }
    }
    const a: PositionAction = { time, symbol, kind, value, qty, cash };
    const last = p.last === p.last ? p.last : 0;
    this.#marketValue -= p.qty * last;
    this.#gross -= Math.abs(p.qty * last);
    applyPositionAction(p, a);
    const now = p.last === p.last ? p.last : 0;
    this.#marketValue += p.qty * now;
    this.#gross += Math.abs(p.qty * now);
    this.#cash += cash;
    this.#changes++;
    this.#hooks.action?.(a, p);
  }

  /**
   * Restores a session from its journal: orders (working ones resume, algo parents are cancelled since
   * their schedule is not journaled), fills re-applied in order, and the order counter. `cash` is the
   * session's starting cash.
   */
  restore(
    orders: readonly Order[],
    fills: readonly Fill[],
    time: number,
    actions: readonly PositionAction[] = [],
  ): void {
    for (const o of orders) {
      this.#orders.set(o.id, o);
      const n = Number(o.id.slice(o.id.lastIndexOf(':') + 1));
      if (n > this.#seq) this.#seq = n;
    }
    for (const e of fillsAndActions(fills, actions)) {
      if ('action' in e) {
        applyPositionAction(this.position(e.action.symbol), e.action);
        this.#cash += e.action.cash;
        continue;
      }
      const f = e.fill;
      const p = this.position(f.symbol);
      applyFill(p, f.side, f.qty, f.price, f.commission);
      this.#traded.add(f.symbol);
      this.#cash -= (f.side === 'buy' ? f.qty : -f.qty) * f.price + f.commission;
      p.last = f.price;
    }
    this.#changes++;
    const { value, gross } = this.#positionsValue();
    this.#marketValue = value;
    this.#gross = gross;
    for (const o of orders) {
      if (o.status !== 'new' && o.status !== 'partially-filled') continue;
      if (o.type === 'twap' || o.type === 'vwap')
        this.cancel(o.id, time, 'session restarted: algo schedule not resumed');
      else this.#listFor(this.#working, o.symbol).push(o);
    }
  }

  /** Restores the kill switch without re-running its side effects. */
  restoreKillSwitch(k: KillSwitchState): void {
    this.#kill = k;
  }
}
