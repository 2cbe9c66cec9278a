import { PaperBroker, type BrokerOptions } from '../broker';
import type { Order } from '../types';
import type {
  Broker,
  BrokerAccount,
  BrokerOrder,
  BrokerOrderRequest,
  BrokerPosition,
  BrokerReplace,
  OrderUpdate,
  StreamListener,
} from './types';
import { BrokerError } from './types';

/**
 * The paper broker behind the {@link Broker} interface: orders are filled by {@link PaperBroker} against
 * the prices fed with {@link onTick}, and every status change and fill is pushed as an {@link OrderUpdate},
 * exactly as a real broker's stream would. Client order ids are kept, so a resend is found, not doubled.
 */
export class PaperBrokerAdapter implements Broker {
  readonly name = 'paper';
  readonly mode = 'paper' as const;
  readonly paper: PaperBroker;
  readonly #byClient = new Map<string, string>();
  readonly #client = new Map<string, string>();
  readonly #avg = new Map<string, { qty: number; notional: number }>();
  #listener: StreamListener | null = null;
  #event = 0;
  #now = 0;

  constructor(o: Omit<BrokerOptions, 'hooks'>) {
    this.paper = new PaperBroker({
      ...o,
      hooks: {
        order: (ord, time) => this.#push(ord, time, null),
        fill: (f) => {
          const a = this.#avg.get(f.orderId) ?? { qty: 0, notional: 0 };
          a.qty += f.qty;
          a.notional += f.qty * f.price;
          this.#avg.set(f.orderId, a);
          const ord = this.paper.orders().find((x) => x.id === f.orderId);
          if (ord)
            this.#push(
              { ...ord, filledQty: a.qty, status: a.qty >= ord.qty - 1e-9 ? 'filled' : 'partially-filled' },
              f.time,
              { qty: f.qty, price: f.price },
            );
        },
      },
    });
  }

  #push(o: Order, time: number, fill: { qty: number; price: number } | null): void {
    const order = this.#toBroker(o);
    const event: OrderUpdate['event'] = fill
      ? order.status === 'filled'
        ? 'fill'
        : 'partial_fill'
      : order.status === 'cancelled'
        ? 'canceled'
        : order.status === 'rejected'
          ? 'rejected'
          : order.status === 'new'
            ? 'new'
            : 'other';
    // A fill's own order-status hook repeats the fill event without the execution: skip it.
    if (!fill && (o.status === 'filled' || o.status === 'partially-filled')) return;
    const id = ++this.#event;
    this.#listener?.update({
      eventId: `paper-${id}`,
      event,
      order,
      time,
      seq: id,
      ...(fill ? { execId: `paper-x${id}`, fillQty: fill.qty, fillPrice: fill.price } : {}),
    });
  }

  #toBroker(o: Order): BrokerOrder {
    const a = this.#avg.get(o.id);
    return {
      id: o.id,
      clientOrderId: this.#client.get(o.id) ?? o.id,
      symbol: o.symbol,
      side: o.side,
      type: o.type === 'limit' || o.type === 'stop' ? o.type : 'market',
      qty: o.qty,
      limitPrice: o.limitPrice,
      stopPrice: o.stopPrice,
      status: o.status,
      filledQty: o.filledQty,
      avgFillPrice: a && a.qty > 0 ? a.notional / a.qty : Number.NaN,
      time: o.time,
      ...(o.reason ? { reason: o.reason } : {}),
    };
  }

  /** Feeds a price: fills what it triggers and marks the position. */
  onTick(symbol: string, time: number, price: number): void {
    this.#now = time;
    this.paper.onTick(symbol, time, price);
  }

  async account(): Promise<BrokerAccount> {
    const a = this.paper.account();
    return {
      id: this.paper.session,
      currency: 'USD',
      cash: a.cash,
      equity: a.equity,
      buyingPower: Math.max(0, a.cash),
      mode: 'paper',
    };
  }

  async positions(): Promise<BrokerPosition[]> {
    return this.paper
      .positions()
      .filter((p) => p.qty !== 0)
      .map((p) => ({
        symbol: p.symbol,
        qty: p.qty,
        avgCost: p.avgCost,
        last: p.last,
        unrealized: p.last === p.last ? p.qty * (p.last - p.avgCost) : 0,
      }));
  }

  async openOrders(): Promise<BrokerOrder[]> {
    return this.paper
      .orders()
      .filter((o) => o.status === 'new' || o.status === 'partially-filled')
      .map((o) => this.#toBroker(o));
  }

  async orderByClientId(clientOrderId: string): Promise<BrokerOrder | null> {
    const id = this.#byClient.get(clientOrderId);
    const o = id === undefined ? undefined : this.paper.orders().find((x) => x.id === id);
    return o ? this.#toBroker(o) : null;
  }

  async submit(req: BrokerOrderRequest): Promise<BrokerOrder> {
    const seen = await this.orderByClientId(req.clientOrderId);
    if (seen)
      throw new BrokerError('paper', 'duplicate', `client order id ${req.clientOrderId} was already used`, false);
    // The id is known before the order's first hook fires, so the `new` update already carries it.
    const nextId = `${this.paper.session}:${this.paper.orders().length + 1}`;
    this.#client.set(nextId, req.clientOrderId);
    const o = this.paper.submit(
      {
        symbol: req.symbol,
        side: req.side,
        qty: req.qty,
        type: req.type,
        price: req.type === 'limit' ? req.limitPrice : req.stopPrice,
      },
      this.#now,
    );
    if (o.id !== nextId) this.#client.set(o.id, req.clientOrderId);
    this.#byClient.set(req.clientOrderId, o.id);
    return this.#toBroker(o);
  }

  async cancel(order: BrokerOrder): Promise<void> {
    this.paper.cancel(order.id, this.#now, 'cancelled');
  }

  async replace(order: BrokerOrder, change: BrokerReplace, newClientOrderId: string): Promise<BrokerOrder> {
    if (!this.paper.cancel(order.id, this.#now, 'replaced'))
      throw new BrokerError('paper', 'not-working', `order ${order.id} is not working`, false);
    return this.submit({
      clientOrderId: newClientOrderId,
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      qty: change.qty ?? order.qty - order.filledQty,
      limitPrice: change.limitPrice ?? order.limitPrice ?? undefined,
      stopPrice: change.stopPrice ?? order.stopPrice ?? undefined,
    });
  }

  async subscribe(listener: StreamListener): Promise<void> {
    this.#listener = listener;
    listener.state('open');
  }

  async close(): Promise<void> {
    this.#listener = null;
  }
}
