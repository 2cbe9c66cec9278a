import type { BacktestSpec } from '../backtest/spec';
import type { ExitReason } from '../backtest/types';
import { OrderBook, type BookClient } from '../execution/book';
import { realisedVol } from '../execution/sizing';
import type { BarView, OrderIntent, SingleStrategy } from '../strategy/types';
import type { PaperBroker } from './broker';
import type { PositionState } from './positions';
import type { LiveBar, Signal } from './types';

/** A split (`value` new shares per old share) or cash dividend (`value` per share) of `symbol`, effective before a step's opens. */
export interface StepAction {
  readonly symbol: string;
  readonly kind: 'split' | 'dividend';
  readonly value: number;
}

/**
 * A bar in a time step, in traded prices; `final` marks a symbol's last bar (delisted, or its data ends) so
 * its position closes at the close. `factor` turns its prices into the strategy's signal prices
 * (adjusted = traded × factor; absent = 1, as from a live feed). `actions`, on a step's first bar, are the
 * corporate actions with that step's ex date, applied before any open.
 */
export interface StepBar extends LiveBar {
  readonly final?: boolean;
  readonly factor?: number;
  readonly actions?: readonly StepAction[];
}

/** Options of {@link StrategyRunner}. */
export interface RunnerOptions {
  readonly spec: BacktestSpec;
  readonly strategy: SingleStrategy<any, any>;
  /** Strategy parameters already parsed by the strategy's schema. */
  readonly params: unknown;
  /** Tradable symbols in the spec's order (the order sizing sums equity in, as the engine does). */
  readonly symbols: readonly string[];
  readonly broker: PaperBroker;
  readonly onSignal?: (s: Signal) => void;
  /**
   * A point-in-time universe's membership: a symbol outside it at a bar's time gets a flat target (its strategy
   * still steps, so its indicators are warm when it joins). Absent: every symbol always tradable.
   */
  readonly member?: (symbol: string, time: number) => boolean;
}

/**
 * Steps one single-symbol strategy per symbol on closed bars through the backtest's own order book
 * (`core/execution/book.ts`), so a replay of history gives the engine's trades: a decision at the close
 * of bar i becomes a resting order; at the symbol's next bar it executes by the shared fill rules (the
 * open for market orders, or at the close of bar i with `fill: "close"`), sized at fill time by
 * `spec.sizing` from the equity at the last closes; protective exits are checked against each bar's
 * range; a reversal closes then opens at one price. The book's fills go through the paper broker
 * (journal, risk limits, kill switch); a rejected execution leaves the position unchanged.
 *
 * Call {@link step} once per time with every symbol's bar at that time: entries and exits of all
 * symbols happen before any decision, as in the engine.
 */
export class StrategyRunner {
  readonly #o: RunnerOptions;
  readonly #index = new Map<string, number>();
  readonly #states: unknown[];
  readonly #view: BarView = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  readonly #barCount: Int32Array;
  readonly #book: OrderBook;
  readonly #client: BrokerClient;
  readonly #lastOpen: Float64Array;
  readonly #lastTime: Float64Array;

  constructor(o: RunnerOptions) {
    this.#o = o;
    const n = o.symbols.length;
    o.symbols.forEach((s, k) => this.#index.set(s, k));
    this.#states = o.symbols.map(() => o.strategy.init(o.params));
    this.#barCount = new Int32Array(n);
    this.#lastOpen = new Float64Array(n).fill(Number.NaN);
    this.#lastTime = new Float64Array(n).fill(Number.NaN);
    this.#client = new BrokerClient(o);
    const spec = o.spec;
    this.#book = new OrderBook(
      {
        slots: n,
        names: o.symbols.map((_, k) => k),
        slippageBps: spec.slippageBps,
        rate: spec.commission.rate,
        fixed: spec.commission.fixed,
        wholeUnits: spec.wholeUnits,
        longOnly: spec.direction === 'long-only',
        atClose: spec.fill === 'close',
        optimistic: spec.intrabar === 'optimistic',
        sizing: spec.sizing,
      },
      this.#client,
    );
    this.#client.book = this.#book;
    this.#client.sync();
  }

  /** Index of `symbol` among the runner's symbols, or -1. */
  indexOf(symbol: string): number {
    return this.#index.get(symbol) ?? -1;
  }

  /**
   * One time step (bar feeds and replay): entries and exits at the opens of every bar, then marks and decisions at
   * the closes. `afterOpens` runs between the two (a portfolio rule rebalancing at the opens).
   */
  step(bars: readonly StepBar[], afterOpens?: () => void): void {
    const acts = bars.length > 0 ? bars[0].actions : undefined;
    if (acts !== undefined) for (const a of acts) this.corporateAction(a, bars[0].time);
    this.opens(bars);
    afterOpens?.();
    this.closes(bars);
  }

  /**
   * A split or dividend before the open at `time`, as the backtest applies it: the broker moves the
   * position and cash (journaled); a split also divides this symbol's protective levels and any
   * resting order's prices by its ratio.
   */
  corporateAction(a: StepAction, time: number): void {
    const k = this.indexOf(a.symbol);
    if (k < 0 || this.#client.warming) return;
    this.#o.broker.corporateAction(a.symbol, a.kind, a.value, time, this.#o.spec.wholeUnits);
    this.#client.sync();
    if (a.kind !== 'split' || !(a.value > 0)) return;
    const v = a.value;
    const b = this.#book;
    if (b.pTarget[k] === b.pTarget[k]) {
      b.pPrice[k] /= v;
      b.pSL[k] /= v;
      b.pTP[k] /= v;
    }
    b.mark[k] /= v;
    if (b.qty[k] !== 0) {
      b.posSL[k] /= v;
      b.posTP[k] /= v;
      b.posBest[k] /= v;
    }
  }

  /** The open phase of a time step: resting entries at each bar's open or range, then protective exits. */
  opens(bars: readonly LiveBar[]): void {
    this.#client.sync();
    for (let j = 0; j < bars.length; j++) {
      const b = bars[j];
      const k = this.indexOf(b.symbol);
      if (k >= 0) this.#book.openPhase(k, b.time, b.open, b.high, b.low);
    }
  }

  /**
   * The open phase for one trade print (tick feeds): a resting target executes at the first price after
   * the decision (the next bar's open, as in the backtest), and protective exits are checked at every price.
   */
  openTick(symbol: string, time: number, price: number): void {
    const k = this.indexOf(symbol);
    if (k < 0) return;
    this.#client.sync();
    this.#book.openPhase(k, time, price, price, price);
  }

  /** The close phase: marks each symbol at its close, steps its strategy, and closes `final` bars' positions. */
  closes(bars: readonly StepBar[]): void {
    const client = this.#client;
    const book = this.#book;
    client.sync();
    for (let j = 0; j < bars.length; j++) {
      const b = bars[j];
      const k = this.indexOf(b.symbol);
      if (k < 0) continue;
      book.mark[k] = b.close;
      this.#lastOpen[k] = b.open;
      this.#lastTime[k] = b.time;
      if (!client.warming) this.#o.broker.mark(b.symbol, b.close, b.time);
      // The strategy reads signal prices (traded × factor, the same product the backtest's adjusted panel holds).
      const f = b.factor;
      const sc = f === undefined ? b.close : b.close * f;
      client.pushClose(k, sc);
      const v = this.#view;
      v.index = this.#barCount[k]++;
      v.time = b.time;
      v.open = f === undefined ? b.open : b.open * f;
      v.high = f === undefined ? b.high : b.high * f;
      v.low = f === undefined ? b.low : b.low * f;
      v.close = sc;
      v.volume = b.volume;
      let d = this.#o.strategy.onBar(this.#states[k], v);
      // Outside the universe as known at this bar: flat (closing what it holds, replacing a resting entry).
      if (this.#o.member !== undefined && !this.#o.member(b.symbol, b.time))
        d = book.qty[k] !== 0 || book.pTarget[k] === book.pTarget[k] ? 0 : null;
      // The book converts levels named in signal prices to traded ones (× close / signal close), as the engine does.
      if (d !== null && d !== undefined) book.decide(k, d, b.time, sc, b.close);
      if (b.final === true) book.closeOut(k, b.close, b.time, 'delisted');
    }
  }

  /**
   * Warm-up after a restart: steps the strategies over bars already traded before the crash so their
   * state (indicators, last decision) is what it was, without executing anything or marking the broker.
   * A resting entry survives only from the last warm-up bar, as it would have at the crash.
   */
  warm(bars: readonly StepBar[]): void {
    this.#client.warming = true;
    try {
      for (let j = 0; j < bars.length; j++) {
        const k = this.indexOf(bars[j].symbol);
        if (k >= 0) this.#book.pTarget[k] = Number.NaN;
      }
      this.closes(bars);
    } finally {
      this.#client.warming = false;
    }
  }

  /**
   * With `spec.closeAtEnd`, closes every open position at the end of a replay (`time` = the last step):
   * at its last close, or with `endFill: "open"` at the open of its bar at `time` (the close if it has none).
   */
  finish(time: number): void {
    if (!this.#o.spec.closeAtEnd) return;
    this.#client.sync();
    const atOpen = this.#o.spec.endFill === 'open';
    const book = this.#book;
    for (let k = 0; k < this.#o.symbols.length; k++) {
      const q = book.qty[k];
      if (q === 0) continue;
      book.fill(k, -q, atOpen && this.#lastTime[k] === time ? this.#lastOpen[k] : book.mark[k], time, 'end', false);
    }
  }
}

/**
 * The live side of the book: its fills are paper-broker executions (journaled, risk-checked; null =
 * refused), its cash the broker's, its volatility from the closes seen, and each changing decision or
 * protective exit a signal.
 */
class BrokerClient implements BookClient {
  book!: OrderBook;
  warming = false;
  readonly #o: RunnerOptions;
  // The broker's position objects are stable per symbol: held here to skip a map lookup per access.
  readonly #pos: PositionState[];
  /** The broker's change count the book's quantities reflect (manual orders and restores move positions too). */
  #seen = -1;
  // Signal closes since the start, for volatility-target sizing: a ring of `lookback + 2` per symbol.
  readonly #closes: Float64Array;
  readonly #closeCount: Int32Array;
  readonly #ring: number;
  readonly #scratch: Float64Array;

  constructor(o: RunnerOptions) {
    this.#o = o;
    this.#pos = o.symbols.map((s) => o.broker.position(s));
    this.#ring = o.spec.sizing.lookback + 2;
    this.#closes = new Float64Array(o.symbols.length * this.#ring);
    this.#closeCount = new Int32Array(o.symbols.length);
    this.#scratch = new Float64Array(this.#ring);
  }

  /** Copies the broker's positions into the book when anything but the book moved them. */
  sync(): void {
    const changes = this.#o.broker.changes;
    if (changes === this.#seen) return;
    for (let k = 0; k < this.#pos.length; k++) this.book.setQty(k, this.#pos[k].qty);
    this.#seen = changes;
  }

  pushClose(k: number, c: number): void {
    this.#closes[k * this.#ring + (this.#closeCount[k] % this.#ring)] = c;
    this.#closeCount[k]++;
  }

  fill(k: number, dq: number, raw: number, time: number, reason: ExitReason, _ambiguous: boolean): number {
    if (this.warming) return Number.NaN;
    const side = dq > 0 ? 'buy' : 'sell';
    if (reason === 'stop-loss' || reason === 'trailing-stop' || reason === 'take-profit') {
      this.#signal(k, time, side, raw, 0, reason === 'take-profit' ? 'target' : 'stop');
    }
    const f = this.#o.broker.execute(this.#o.symbols[k], side, Math.abs(dq), raw, time);
    this.#seen = this.#o.broker.changes;
    return f === null ? Number.NaN : this.#pos[k].qty;
  }

  cash(): number {
    return this.#o.broker.cash;
  }

  /**
   * Realised volatility of the stored closes (the engine's `realisedVol` over them): at the next open the
   * newest stored close is the decision bar's (the engine's i - 1); with close fills it is bar i.
   */
  volatility(k: number, _time: number, lookback: number): number {
    const n = this.#closeCount[k];
    const m = Math.min(n, this.#ring);
    for (let j = 0; j < m; j++) this.#scratch[j] = this.#closes[k * this.#ring + ((n - m + j) % this.#ring)];
    return realisedVol(this.#scratch, 0, 0, m - 1, lookback, this.#o.spec.barsPerYear);
  }

  decided(k: number, time: number, target: number, cur: number, price: number): void {
    this.#signal(k, time, target > cur || (target === 0 && cur < 0) ? 'buy' : 'sell', price, target, 'signal');
  }

  badPrice(d: OrderIntent): Error {
    return new Error(`strategy "${this.#o.strategy.name}": a ${d.type} order needs a positive price`);
  }

  #signal(
    k: number,
    time: number,
    side: 'buy' | 'sell',
    price: number,
    target: number,
    reason: Signal['reason'],
  ): void {
    if (this.warming) return;
    this.#o.onSignal?.({ symbol: this.#o.symbols[k], time, side, price, target, reason });
  }
}
