import {
  affordableQty,
  checkExit,
  effectiveStop,
  entryFillPrice,
  EXIT_NONE,
  EXIT_STOP,
  ORDER_MARKET,
  newDecisionFields,
  readDecision,
  roundQty,
  slippedPrice,
  type ExitOut,
} from '../backtest/execution';
import type { BacktestSpec } from '../backtest/spec';
import type { BarView, Decision, OrderIntent, SingleStrategy } from '../strategy/types';
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
}

/**
 * Steps one single-symbol strategy per symbol on closed bars with the backtest engine's exact rules,
 * so a replay of history gives the engine's trades: a decision at the close of bar i becomes a pending
 * target; at the symbol's next bar the target executes at `entryFillPrice` (the open for market orders,
 * or at the close of bar i with `fill: "close"`), sized at fill time by `spec.sizing` from the equity at
 * the last closes; protective exits (stop-loss, take-profit, trailing stop) are checked against each
 * bar's range; a reversal closes then opens at one price. Executions go through the paper broker
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
  readonly #exit: ExitOut = { price: 0, ambiguous: false };
  readonly #barCount: Int32Array;
  readonly #mark: Float64Array;
  readonly #pTarget: Float64Array;
  readonly #pType: Uint8Array;
  readonly #pPrice: Float64Array;
  readonly #pSL: Float64Array;
  readonly #pTP: Float64Array;
  readonly #pTrail: Float64Array;
  readonly #posSL: Float64Array;
  /** The decision being applied, read into numbers (reused: no allocation per bar). */
  readonly #dec = newDecisionFields();
  readonly #posTP: Float64Array;
  readonly #posTrail: Float64Array;
  readonly #posBest: Float64Array;
  // Closes since the start, for volatility-target sizing: a ring of `lookback + 1` per symbol.
  readonly #closes: Float64Array;
  readonly #closeCount: Int32Array;
  readonly #ring: number;
  readonly #lastOpen: Float64Array;
  readonly #lastTime: Float64Array;
  // The broker's position objects are stable per symbol: held here to skip a map lookup per access.
  readonly #pos: PositionState[];
  #warming = false;

  constructor(o: RunnerOptions) {
    this.#o = o;
    const n = o.symbols.length;
    o.symbols.forEach((s, k) => this.#index.set(s, k));
    this.#states = o.symbols.map(() => o.strategy.init(o.params));
    this.#barCount = new Int32Array(n);
    const nan = () => new Float64Array(n).fill(Number.NaN);
    this.#mark = nan();
    this.#lastOpen = nan();
    this.#lastTime = nan();
    this.#pTarget = nan();
    this.#pType = new Uint8Array(n);
    this.#pPrice = nan();
    this.#pSL = nan();
    this.#pTP = nan();
    this.#pTrail = nan();
    this.#posSL = nan();
    this.#posTP = nan();
    this.#posTrail = nan();
    this.#posBest = new Float64Array(n);
    this.#ring = o.spec.sizing.lookback + 2;
    this.#closes = new Float64Array(n * this.#ring);
    this.#closeCount = new Int32Array(n);
    this.#pos = o.symbols.map((s) => o.broker.position(s));
  }

  /** Index of `symbol` among the runner's symbols, or -1. */
  indexOf(symbol: string): number {
    return this.#index.get(symbol) ?? -1;
  }

  #qty(k: number): number {
    return this.#pos[k].qty;
  }

  /** One time step (bar feeds and replay): entries and exits at the opens of every bar, then marks and decisions at the closes. */
  step(bars: readonly StepBar[]): void {
    const acts = bars.length > 0 ? bars[0].actions : undefined;
    if (acts !== undefined) for (const a of acts) this.corporateAction(a, bars[0].time);
    this.opens(bars);
    this.closes(bars);
  }

  /**
   * A split or dividend before the open at `time`, as the backtest applies it: the broker moves the
   * position and cash (journaled); a split also divides this symbol's protective levels and any
   * resting order's prices by its ratio.
   */
  corporateAction(a: StepAction, time: number): void {
    const k = this.indexOf(a.symbol);
    if (k < 0 || this.#warming) return;
    this.#o.broker.corporateAction(a.symbol, a.kind, a.value, time, this.#o.spec.wholeUnits);
    if (a.kind !== 'split' || !(a.value > 0)) return;
    const v = a.value;
    if (this.#pTarget[k] === this.#pTarget[k]) {
      this.#pPrice[k] /= v;
      this.#pSL[k] /= v;
      this.#pTP[k] /= v;
    }
    this.#mark[k] /= v;
    if (this.#qty(k) !== 0) {
      this.#posSL[k] /= v;
      this.#posTP[k] /= v;
      this.#posBest[k] /= v;
    }
  }

  /** The open phase of a time step: pending entries at each bar's open or range, then protective exits. */
  opens(bars: readonly LiveBar[]): void {
    for (let j = 0; j < bars.length; j++) {
      const b = bars[j];
      const k = this.indexOf(b.symbol);
      if (k >= 0) this.#openPhase(k, b.time, b.open, b.high, b.low);
    }
  }

  /**
   * The open phase for one trade print (tick feeds): a pending target executes at the first price after
   * the decision (the next bar's open, as in the backtest), and protective exits are checked at every price.
   */
  openTick(symbol: string, time: number, price: number): void {
    const k = this.indexOf(symbol);
    if (k >= 0) this.#openPhase(k, time, price, price, price);
  }

  /** The close phase: marks each symbol at its close, steps its strategy, and closes `final` bars' positions. */
  closes(bars: readonly StepBar[]): void {
    for (let j = 0; j < bars.length; j++) {
      const b = bars[j];
      const k = this.indexOf(b.symbol);
      if (k < 0) continue;
      this.#mark[k] = b.close;
      this.#lastOpen[k] = b.open;
      this.#lastTime[k] = b.time;
      if (!this.#warming) this.#o.broker.mark(b.symbol, b.close, b.time);
      // The strategy reads signal prices (traded × factor, the same product the backtest's adjusted panel holds).
      const f = b.factor;
      const sc = f === undefined ? b.close : b.close * f;
      this.#pushClose(k, sc);
      const v = this.#view;
      v.index = this.#barCount[k]++;
      v.time = b.time;
      v.open = f === undefined ? b.open : b.open * f;
      v.high = f === undefined ? b.high : b.high * f;
      v.low = f === undefined ? b.low : b.low * f;
      v.close = sc;
      v.volume = b.volume;
      this.#decide(k, this.#o.strategy.onBar(this.#states[k], v), b, sc);
      if (b.final === true) {
        this.#pTarget[k] = Number.NaN;
        const q = this.#qty(k);
        if (q !== 0) this.#trade(k, -q, b.close, b.time);
      }
    }
  }

  /**
   * Warm-up after a restart: steps the strategies over bars already traded before the crash so their
   * state (indicators, last decision) is what it was, without executing anything or marking the broker.
   * A pending entry survives only from the last warm-up bar, as it would have at the crash.
   */
  warm(bars: readonly StepBar[]): void {
    this.#warming = true;
    try {
      for (let j = 0; j < bars.length; j++) {
        const k = this.indexOf(bars[j].symbol);
        if (k >= 0) this.#pTarget[k] = Number.NaN;
      }
      this.closes(bars);
    } finally {
      this.#warming = false;
    }
  }

  /**
   * With `spec.closeAtEnd`, closes every open position at the end of a replay (`time` = the last step):
   * at its last close, or with `endFill: "open"` at the open of its bar at `time` (the close if it has none).
   */
  finish(time: number): void {
    if (!this.#o.spec.closeAtEnd) return;
    const atOpen = this.#o.spec.endFill === 'open';
    for (let k = 0; k < this.#o.symbols.length; k++) {
      const q = this.#qty(k);
      if (q === 0) continue;
      this.#trade(k, -q, atOpen && this.#lastTime[k] === time ? this.#lastOpen[k] : this.#mark[k], time);
    }
  }

  #pushClose(k: number, c: number): void {
    this.#closes[k * this.#ring + (this.#closeCount[k] % this.#ring)] = c;
    this.#closeCount[k]++;
  }

  #trade(k: number, dq: number, raw: number, time: number): boolean {
    if (dq === 0 || this.#warming) return true;
    const f = this.#o.broker.execute(this.#o.symbols[k], dq > 0 ? 'buy' : 'sell', Math.abs(dq), raw, time);
    if (f === null) return false;
    if (this.#qty(k) === 0) {
      this.#posSL[k] = Number.NaN;
      this.#posTP[k] = Number.NaN;
      this.#posTrail[k] = Number.NaN;
    }
    return true;
  }

  #equityAtMarks(): number {
    let eq = this.#o.broker.cash;
    for (let k = 0; k < this.#o.symbols.length; k++) {
      const q = this.#qty(k);
      if (q !== 0) eq += q * this.#mark[k];
    }
    return eq;
  }

  /** Annualised sample volatility of the last `want` returns of the stored closes, skipping the newest `skip` closes. */
  #realisedVol(k: number, want: number, skip: number): number {
    const n = this.#closeCount[k] - skip;
    const m = Math.min(n - 1, want);
    if (m < 2) return Number.NaN;
    let sum = 0;
    let sumSq = 0;
    for (let j = 0; j < m; j++) {
      const a = this.#closes[k * this.#ring + ((n - 1 - j) % this.#ring)];
      const b = this.#closes[k * this.#ring + ((n - 2 - j) % this.#ring)];
      const r = a / b - 1;
      sum += r;
      sumSq += r * r;
    }
    const mean = sum / m;
    return Math.sqrt(Math.max(0, (sumSq - m * mean * mean) / (m - 1)) * this.#o.spec.barsPerYear);
  }

  #sizeFor(k: number, frac: number, px: number): number {
    const spec = this.#o.spec;
    const { rate, fixed } = spec.commission;
    const whole = spec.wholeUnits;
    const sizing = spec.sizing;
    const eq = this.#equityAtMarks();
    switch (sizing.method) {
      case 'all-in': {
        let gross = 0;
        for (let j = 0; j < this.#o.symbols.length; j++) {
          const q = j === k ? 0 : this.#qty(j);
          if (q !== 0) gross += Math.abs(q) * this.#mark[j];
        }
        return affordableQty((eq - gross) * frac, px, rate, fixed, whole);
      }
      case 'fixed-fraction':
        return affordableQty(eq * sizing.fraction * frac, px, rate, fixed, whole);
      case 'fixed-qty':
        return roundQty(sizing.qty * frac, whole);
      case 'equal-weight':
        return affordableQty((eq / this.#o.symbols.length) * frac, px, rate, fixed, whole);
      case 'volatility-target': {
        // At the next open the newest stored close is the decision bar's (the engine's i - 1); at the close it is bar i.
        const vol = this.#realisedVol(k, sizing.lookback, 0);
        if (!(vol > 0)) return 0;
        return affordableQty(eq * Math.min(sizing.maxWeight, sizing.targetVol / vol) * frac, px, rate, fixed, whole);
      }
    }
  }

  #executeTarget(k: number, target: number, raw: number, time: number, sl: number, tp: number, trail: number): void {
    const cur = this.#qty(k);
    if (cur !== 0 && (target === 0 || cur > 0 !== target > 0)) this.#trade(k, -cur, raw, time);
    if (target !== 0 && this.#qty(k) === 0) {
      const side = target > 0 ? 1 : -1;
      const q = this.#sizeFor(k, Math.min(1, Math.abs(target)), slippedPrice(raw, side, this.#o.spec.slippageBps));
      if (q > 0 && this.#trade(k, side * q, raw, time)) {
        this.#posSL[k] = sl;
        this.#posTP[k] = tp;
        this.#posTrail[k] = trail;
        // The engine's best price starts at the executed price itself (not an average, which can differ in the last bit).
        this.#posBest[k] = slippedPrice(raw, side, this.#o.spec.slippageBps);
      }
    }
  }

  #openPhase(k: number, time: number, open: number, high: number, low: number): void {
    let enteredResting = false;
    const t = this.#pTarget[k];
    if (t === t) {
      const side = t > 0 ? 1 : t < 0 ? -1 : this.#qty(k) > 0 ? -1 : 1;
      const px = entryFillPrice(this.#pType[k], side, this.#pPrice[k], open, high, low);
      if (px === px) {
        enteredResting = this.#pType[k] !== ORDER_MARKET;
        this.#pTarget[k] = Number.NaN;
        this.#executeTarget(k, t, px, time, this.#pSL[k], this.#pTP[k], this.#pTrail[k]);
      }
    }
    const q = this.#qty(k);
    if (q === 0) return;
    // As the engine does: no protective levels, no intrabar check, and the best price is not tracked
    // (so a trailing stop added later to an open position trails from the best seen while levels existed).
    if (this.#posSL[k] !== this.#posSL[k] && this.#posTP[k] !== this.#posTP[k] && this.#posTrail[k] !== this.#posTrail[k]) return;
    const isLong = q > 0;
    const stop = effectiveStop(isLong, this.#posSL[k], this.#posTrail[k], this.#posBest[k]);
    // After an intrabar limit/stop entry the bar's high/low may precede the fill: only the stop is checked.
    const code = checkExit(isLong, stop, enteredResting ? Number.NaN : this.#posTP[k], open, high, low, this.#o.spec.intrabar === 'optimistic', this.#exit);
    if (code !== EXIT_NONE) {
      this.#signal(k, time, q > 0 ? 'sell' : 'buy', this.#exit.price, 0, code === EXIT_STOP ? 'stop' : 'target');
      this.#trade(k, -q, this.#exit.price, time);
    } else if (!enteredResting) {
      this.#posBest[k] = isLong ? Math.max(this.#posBest[k], high) : Math.min(this.#posBest[k], low);
    }
  }

  #signal(k: number, time: number, side: 'buy' | 'sell', price: number, target: number, reason: Signal['reason']): void {
    if (this.#warming) return;
    this.#o.onSignal?.({ symbol: this.#o.symbols[k], time, side, price, target, reason });
  }

  #decide(k: number, d: Decision, b: LiveBar, sc: number): void {
    const dec = this.#dec;
    const read = readDecision(d, this.#o.spec.direction === 'long-only', dec);
    if (read === 'none') return;
    if (read === 'bad-price') throw new Error(`strategy "${this.#o.strategy.name}": a ${(d as OrderIntent).type} order needs a positive price`);
    if (sc !== b.close) {
      // Levels are named in signal prices: in traded prices at this bar, × close / signal close (as the engine converts them).
      const r = b.close / sc;
      dec.price *= r;
      dec.sl *= r;
      dec.tp *= r;
    }
    const { target, type, price, sl, tp, trail } = dec;
    const cur = this.#qty(k);
    if (cur !== 0 && target !== 0 && cur > 0 === target > 0 && type === ORDER_MARKET) {
      if (dec.hasSL) this.#posSL[k] = sl;
      if (dec.hasTP) this.#posTP[k] = tp;
      if (dec.hasTrail) this.#posTrail[k] = trail;
      this.#pTarget[k] = Number.NaN;
      return;
    }
    if (cur === 0 && target === 0) {
      this.#pTarget[k] = Number.NaN;
      return;
    }
    const side = target > cur || (target === 0 && cur < 0) ? 'buy' : 'sell';
    this.#signal(k, b.time, side, b.close, target, 'signal');
    if (type === ORDER_MARKET && this.#o.spec.fill === 'close') {
      this.#pTarget[k] = Number.NaN;
      this.#executeTarget(k, target, b.close, b.time, sl, tp, trail);
      return;
    }
    this.#pTarget[k] = target;
    this.#pType[k] = type;
    this.#pPrice[k] = price;
    this.#pSL[k] = sl;
    this.#pTP[k] = tp;
    this.#pTrail[k] = trail;
  }
}
