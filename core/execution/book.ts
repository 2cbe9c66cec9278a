import type { Sizing } from '../backtest/spec';
import type { ExitReason } from '../backtest/types';
import type { Decision, OrderIntent } from '../strategy/types';
import {
  checkExit,
  effectiveStop,
  entryFillPrice,
  EXIT_NONE,
  EXIT_STOP,
  newDecisionFields,
  ORDER_MARKET,
  readDecision,
  slippedPrice,
  type DecisionFields,
  type ExitOut,
} from './fill-rules';
import { positionSize, positionSizeWithin, type SizeInputs } from './sizing';

/** 2^-52: twice the unit roundoff of a double (every rounding below moves a result by at most half this). */
const EPS = 2 ** -52;

/**
 * The side of the book that moves money: the backtest's ledger or the live paper broker. The book
 * decides what trades and at which raw price; the client executes it and keeps the account.
 */
export interface BookClient {
  /**
   * Executes `dq` units of slot `s` (signed, never flipping the position in one call) at `raw` before
   * slippage, at `at` (the engine's bar index, live's EpochMs). Called before the book updates its
   * quantity (`book.qty[s]` is still the position before the fill). Returns the position after the
   * fill, or NaN if the execution was refused (the book then leaves everything as it was).
   */
  fill(s: number, dq: number, raw: number, at: number, reason: ExitReason, ambiguous: boolean): number;
  /** Cash now (the equity that sizing reads is cash plus every held name at its mark). */
  cash(): number;
  /** Annualised realised volatility of `s` as of the decision behind a fill at `at` (volatility-target sizing). */
  volatility(s: number, at: number, lookback: number): number;
  /** Protective levels a spec sets on every opened position (`spec.exits`); absent: none. */
  levels?(s: number, at: number, px: number, isLong: boolean, out: ExitLevels): void;
  /** A decision that changes the position of `s` (live: a signal alert), before it executes or rests. */
  decided?(s: number, at: number, target: number, current: number, price: number): void;
  /** An error for a limit or stop decision without a positive price (a strategy bug). */
  badPrice(d: OrderIntent): Error;
}

/** Protective levels of a position: absolute stop-loss and take-profit, trailing stop as a fraction; NaN = none. */
export interface ExitLevels {
  sl: number;
  tp: number;
  trail: number;
}

/** Execution settings of a book (the spec's, for both the backtest and live). */
export interface BookOptions {
  /** Number of slots (the engine's panel instruments, live's symbols). */
  readonly slots: number;
  /** The slots that trade, in the order equity is summed (the spec's order: sums must add in one order to be bit-identical). */
  readonly names: readonly number[];
  readonly slippageBps: number;
  readonly rate: number;
  readonly fixed: number;
  readonly wholeUnits: boolean;
  readonly longOnly: boolean;
  /** Market decisions fill at the decision bar's close (`fill: "close"`) instead of resting until the next open. */
  readonly atClose: boolean;
  /** Both protective levels touched in one bar: the target fills (true) or the stop (false, conservative). */
  readonly optimistic: boolean;
  readonly sizing: Sizing;
}

/**
 * One order book for the backtest and live: per slot, the position (signed quantity and mark), the
 * resting order a decision left (target NaN = none) and the position's protective levels. It holds the
 * execution rules once: reading a decision, the open phase (resting entries, then stop-loss /
 * take-profit / trailing-stop checks against the bar's range), executing a target (close an opposite
 * position, then open one sized by `spec.sizing`), and what a fill does to the levels. Money moves
 * through the client's `fill` (the engine's ledger, live's paper broker).
 *
 * Typed arrays are public so the engine's hot loop reads them without calls; write them only through
 * the methods (and corporate actions, which move quantities and levels as a broker does overnight;
 * call {@link resync} after).
 */
export class OrderBook {
  readonly qty: Float64Array;
  /** Last traded close seen per slot (sizing's equity and the engine's marks). */
  readonly mark: Float64Array;
  // The resting order: target NaN = none.
  readonly pTarget: Float64Array;
  readonly pType: Uint8Array;
  readonly pPrice: Float64Array;
  readonly pSL: Float64Array;
  readonly pTP: Float64Array;
  readonly pTrail: Float64Array;
  // The position's protective levels and best price since entry (for the trailing stop).
  readonly posSL: Float64Array;
  readonly posTP: Float64Array;
  readonly posTrail: Float64Array;
  readonly posBest: Float64Array;
  /** Traded slots in summation order. */
  readonly names: Int32Array;
  /**
   * The held names as a bitset over their position in `names` (bit k = names[k]), {@link heldCount} of
   * them. Equity sums walk its set bits in ascending k: the same additions in the same order as a scan of
   * every name, without visiting the flat ones. A fill that opens or closes a position sets or clears one
   * bit (a sorted list would move every later entry).
   */
  readonly held: Int32Array;
  heldCount = 0;
  /**
   * `qty × mark` of each held name by its position k in `names`, for sizing's equity sum while they are
   * known to be current: a wide run's equity mark writes them as it sums the held names (see
   * {@link heldValuesFresh}). The sum over them is the sum over `qty × mark`, the same products added
   * in the same order, with one load per name instead of three.
   */
  readonly heldValue: Float64Array;
  /** Whether every {@link heldValue} equals its name's `qty × mark` now. */
  #valuesFresh = false;
  /**
   * While {@link heldValue} is fresh and these are finite: an estimate of the exact (real-number) sum of the
   * held values, a bound on its error, and an upper bound on the sum of their magnitudes. Entries size
   * against them without summing every held name (see {@link #sizeFor}); NaN: unknown.
   */
  #heldSum = Number.NaN;
  #heldSumErr = Number.NaN;
  #heldAbs = Number.NaN;
  /**
   * Names whose next open may have work (a resting order, or protective levels), as a bitset over their
   * position in `names` (bit k = names[k]): set whenever the book stores an order or a level; a loop over it clears the bits of
   * names that turn out to have none ({@link hasOpenWork}). Lets a wide run skip the idle names' opens.
   */
  readonly work: Int32Array;
  readonly #rank: Int32Array;
  readonly #o: BookOptions;
  readonly #client: BookClient;
  readonly #dec = newDecisionFields();
  readonly #exit: ExitOut = { price: 0, ambiguous: false };
  readonly #levels: ExitLevels = { sl: Number.NaN, tp: Number.NaN, trail: Number.NaN };
  readonly #size: SizeInputs = { frac: 0, px: 0, equity: 0, grossOthers: 0, names: 0, vol: Number.NaN };

  constructor(o: BookOptions, client: BookClient) {
    this.#o = o;
    this.#client = client;
    const n = o.slots;
    const nan = () => new Float64Array(n).fill(Number.NaN);
    this.qty = new Float64Array(n);
    this.mark = nan();
    this.pTarget = nan();
    this.pType = new Uint8Array(n);
    this.pPrice = nan();
    this.pSL = nan();
    this.pTP = nan();
    this.pTrail = nan();
    this.posSL = nan();
    this.posTP = nan();
    this.posTrail = nan();
    this.posBest = new Float64Array(n);
    this.names = Int32Array.from(o.names);
    this.held = new Int32Array((o.names.length + 31) >>> 5);
    this.heldValue = new Float64Array(o.names.length);
    this.work = new Int32Array((o.names.length + 31) >>> 5);
    this.#rank = new Int32Array(n).fill(-1);
    o.names.forEach((s, k) => (this.#rank[s] = k));
    this.#size.names = o.names.length;
  }

  /** Sets the position of `s` from outside the book (live: the broker's position after manual orders or a restart). */
  setQty(s: number, q: number): void {
    this.heldValuesStale();
    this.qty[s] = q;
    this.#markHeld(s, q);
  }

  /**
   * Declares that `heldValue[k]` is `qty × mark` of `names[k]` for every held name (the caller
   * just wrote them, with the marks). The book keeps them so through its own fills; any write of a held
   * name's mark or quantity outside the book must be preceded by {@link heldValuesStale}.
   *
   * Optionally with `eq`, the caller's left-to-right sum of `cash` and the held values in ascending k, and
   * `gross`, its sum of their magnitudes: the book then sizes entries from these while it can prove the
   * size equals the one the exact sum gives (whole units, see `positionSizeWithin`).
   */
  heldValuesFresh(eq = Number.NaN, cash = Number.NaN, gross = Number.NaN): void {
    this.#valuesFresh = true;
    // A sum of n terms in floating point is within γ(n) × (sum of magnitudes) of the real sum, γ(n) < n × 2^-53
    // × 1.01 for any n here; the bound below takes twice that, plus the rounding of eq − cash.
    const held = eq - cash;
    const n = this.heldCount + 4;
    this.#heldSum = held;
    this.#heldSumErr = n * EPS * (Math.abs(cash) + gross * (1 + n * EPS)) + EPS * Math.abs(held);
    this.#heldAbs = gross * (1 + n * EPS);
  }

  /** Sizing sums `qty × mark` again (not {@link heldValue}) until the next {@link heldValuesFresh}. */
  heldValuesStale(): void {
    this.#valuesFresh = false;
    this.#heldSum = Number.NaN;
  }

  /** Rebuilds the held set after quantities moved outside {@link fill} (corporate actions). */
  resync(): void {
    this.heldValuesStale();
    const held = this.held;
    held.fill(0);
    let n = 0;
    for (let k = 0; k < this.names.length; k++) {
      if (this.qty[this.names[k]] === 0) continue;
      held[k >>> 5] |= 1 << (k & 31);
      n++;
    }
    this.heldCount = n;
  }

  #markWork(s: number): void {
    const k = this.#rank[s];
    if (k >= 0) this.work[k >>> 5] |= 1 << (k & 31);
  }

  #markHeld(s: number, q: number): void {
    const k = this.#rank[s];
    if (k < 0) return;
    const w = k >>> 5;
    const bit = 1 << (k & 31);
    const was = (this.held[w] & bit) !== 0;
    if ((q !== 0) === was) return;
    if (q !== 0) {
      this.held[w] |= bit;
      const v = this.qty[s] * this.mark[s];
      this.heldValue[k] = v;
      this.heldCount++;
      this.#heldSumMoved(v);
    } else {
      this.held[w] &= ~bit;
      this.heldCount--;
      this.#heldSumMoved(-this.heldValue[k]);
    }
  }

  /** The held names' slots in `names` order (a copy, for tests and callers off the hot path). */
  heldNames(): number[] {
    const out: number[] = [];
    const held = this.held;
    for (let w = 0; w < held.length; w++) {
      for (let bits = held[w]; bits !== 0; bits &= bits - 1)
        out.push(this.names[(w << 5) + 31 - Math.clz32(bits & -bits)]);
    }
    return out;
  }

  /** The held values' estimated sum after one value `v` enters (or `-v` leaves): one more rounding to bound. */
  #heldSumMoved(v: number): void {
    const sum = this.#heldSum + v;
    this.#heldSum = sum;
    this.#heldSumErr += EPS * Math.abs(sum);
    this.#heldAbs += Math.abs(v) * (1 + EPS);
  }

  /** Cash plus every held name at its mark, summed in `names` order. */
  equity(cash: number): number {
    const { held, names, qty, mark, heldValue } = this;
    const fresh = this.#valuesFresh;
    let eq = cash;
    for (let w = 0; w < held.length; w++) {
      for (let bits = held[w]; bits !== 0; bits &= bits - 1) {
        const k = (w << 5) + 31 - Math.clz32(bits & -bits);
        if (fresh) eq += heldValue[k];
        else {
          const s = names[k];
          eq += qty[s] * mark[s];
        }
      }
    }
    return eq;
  }

  /** Gross value of the held names other than `skip`, in `names` order. */
  #grossOthers(skip: number): number {
    const { held, names, qty, mark } = this;
    let gross = 0;
    for (let w = 0; w < held.length; w++) {
      for (let bits = held[w]; bits !== 0; bits &= bits - 1) {
        const s = names[(w << 5) + 31 - Math.clz32(bits & -bits)];
        if (s !== skip) gross += Math.abs(qty[s]) * mark[s];
      }
    }
    return gross;
  }

  /**
   * Changes the position in `s` by `dq` (never flipping its sign in one call) at `raw` before slippage,
   * through the client. An opened position starts its best price at the executed price and takes the
   * spec's protective levels; a closed one drops its levels. Returns false if the client refused it.
   */
  fill(s: number, dq: number, raw: number, at: number, reason: ExitReason, ambiguous: boolean): boolean {
    if (dq === 0) return true;
    const cur = this.qty[s];
    const after = this.#client.fill(s, dq, raw, at, reason, ambiguous);
    if (after !== after) return false;
    this.qty[s] = after;
    if (cur === 0) {
      this.#markHeld(s, after);
      const px = slippedPrice(raw, dq > 0 ? 1 : -1, this.#o.slippageBps);
      this.posBest[s] = px;
      const lv = this.#levels;
      lv.sl = lv.tp = lv.trail = Number.NaN;
      this.#client.levels?.(s, at, px, dq > 0, lv);
      this.posSL[s] = lv.sl;
      this.posTP[s] = lv.tp;
      this.posTrail[s] = lv.trail;
      if (lv.sl === lv.sl || lv.tp === lv.tp || lv.trail === lv.trail) this.#markWork(s);
    } else if (after !== 0) {
      // Added to or partly closed: this name's value changed (rare; sizing sums the products again).
      this.heldValuesStale();
    } else {
      this.#markHeld(s, 0);
      this.posSL[s] = Number.NaN;
      this.posTP[s] = Number.NaN;
      this.posTrail[s] = Number.NaN;
    }
    return true;
  }

  /** Drops the resting order of `s` and closes its position at `raw` (a name whose data ends; the end of a run). */
  closeOut(s: number, raw: number, at: number, reason: ExitReason): void {
    this.pTarget[s] = Number.NaN;
    const q = this.qty[s];
    if (q !== 0) this.fill(s, -q, raw, at, reason, false);
  }

  /** Unsigned quantity to open in `s` for |target| `frac` at fill price `px` (after slippage), at `at`. */
  #sizeFor(s: number, frac: number, px: number, at: number): number {
    const sizing = this.#o.sizing;
    const x = this.#size;
    x.frac = frac;
    x.px = px;
    x.grossOthers = sizing.method === 'all-in' ? this.#grossOthers(s) : 0;
    x.vol = sizing.method === 'volatility-target' ? this.#client.volatility(s, at, sizing.lookback) : Number.NaN;
    const { rate, fixed, wholeUnits } = this.#o;
    // Equity is summed over every held name, so only the methods that use it compute it.
    if (sizing.method !== 'fixed-qty') {
      const cash = this.#client.cash();
      if (this.#valuesFresh && this.#heldSum === this.#heldSum) {
        // The exact sum `equity(cash)` lies within `err` of `est`: when the whole range sizes alike, that is
        // its size, without the sum (a sequential sum over every held name, the cost of a wide run's entries).
        const est = cash + this.#heldSum;
        const err =
          2 * (this.#heldSumErr + (this.heldCount + 4) * EPS * (Math.abs(cash) + this.#heldAbs)) +
          4 * EPS * Math.abs(est);
        const q = positionSizeWithin(sizing, x, est - err, est + err, rate, fixed, wholeUnits);
        if (q === q) return q;
      }
      x.equity = this.equity(cash);
    }
    return positionSize(sizing, x, rate, fixed, wholeUnits);
  }

  /** Moves `s` to the sign of `target` at `raw`: closes an opposite position first, then opens (a reversal at one price). */
  executeTarget(s: number, target: number, raw: number, at: number, sl: number, tp: number, trail: number): void {
    const cur = this.qty[s];
    if (cur !== 0 && (target === 0 || cur > 0 !== target > 0)) this.fill(s, -cur, raw, at, 'signal', false);
    if (target !== 0 && this.qty[s] === 0) {
      const side = target > 0 ? 1 : -1;
      const q = this.#sizeFor(s, Math.min(1, Math.abs(target)), slippedPrice(raw, side, this.#o.slippageBps), at);
      if (q > 0 && this.fill(s, side * q, raw, at, 'signal', false)) {
        // The intent's own levels win; fill() set the spec's (or NaN) for the ones it leaves out.
        if (sl === sl) this.posSL[s] = sl;
        if (tp === tp) this.posTP[s] = tp;
        if (trail === trail) this.posTrail[s] = trail;
        if (sl === sl || tp === tp || trail === trail) this.#markWork(s);
      }
    }
  }

  /**
   * Applies a strategy decision made at the close of `s`'s bar at `at` (signal close `c`, traded close
   * `rc`): {@link read} then {@link apply}.
   */
  decide(s: number, d: Decision, at: number, c: number, rc: number): void {
    if (this.read(d, c, rc, this.#dec)) this.apply(s, at, rc, this.#dec);
  }

  /**
   * Reads decision `d`, made at a bar with signal close `c` and traded close `rc`, into `out` with its
   * prices in traded units. False for "keep everything as it is".
   * @throws the client's `badPrice` error for a limit or stop without a positive price.
   */
  read(d: Decision, c: number, rc: number, out: DecisionFields): boolean {
    const r = readDecision(d, this.#o.longOnly, out);
    if (r === 'none') return false;
    if (r === 'bad-price') throw this.#client.badPrice(d as OrderIntent);
    if (rc !== c) {
      // Levels are named in signal prices: at this bar, traded = signal × rc / c.
      const k = rc / c;
      out.price *= k;
      out.sl *= k;
      out.tp *= k;
    }
    return true;
  }

  /**
   * Applies a decision read by {@link read} for `s` at the close of its bar at `at` (traded close `rc`):
   * a same-side market decision keeps the position (an intent may move its levels); a market decision
   * with close fills executes now; anything else rests until the next bar's open.
   */
  apply(s: number, at: number, rc: number, dec: DecisionFields): void {
    const { target, type, price, sl, tp, trail } = dec;
    const cur = this.qty[s];
    if (cur !== 0 && target !== 0 && cur > 0 === target > 0 && type === ORDER_MARKET) {
      // Same side: keep the position; an intent may move its protective levels.
      if (dec.hasSL) this.posSL[s] = sl;
      if (dec.hasTP) this.posTP[s] = tp;
      if (dec.hasTrail) this.posTrail[s] = trail;
      if (dec.hasSL || dec.hasTP || dec.hasTrail) this.#markWork(s);
      this.pTarget[s] = Number.NaN;
      return;
    }
    if (cur === 0 && target === 0) {
      this.pTarget[s] = Number.NaN;
      return;
    }
    this.#client.decided?.(s, at, target, cur, rc);
    if (type === ORDER_MARKET && this.#o.atClose) {
      this.pTarget[s] = Number.NaN;
      this.executeTarget(s, target, rc, at, sl, tp, trail);
      return;
    }
    this.pTarget[s] = target;
    this.pType[s] = type;
    this.pPrice[s] = price;
    this.pSL[s] = sl;
    this.pTP[s] = tp;
    this.pTrail[s] = trail;
    this.#markWork(s);
  }

  /** True when the open of `s`'s next bar has work: a resting order, or a position with protective levels. */
  hasOpenWork(s: number): boolean {
    return (
      this.pTarget[s] === this.pTarget[s] ||
      (this.qty[s] !== 0 &&
        (this.posSL[s] === this.posSL[s] || this.posTP[s] === this.posTP[s] || this.posTrail[s] === this.posTrail[s]))
    );
  }

  /**
   * The open of `s`'s bar at `at` (open `o`, high `h`, low `l`; a tick is a bar of one price): the resting
   * order fills by `entryFillPrice`, then the position's protective exits are checked against the range.
   */
  openPhase(s: number, at: number, o: number, h: number, l: number): void {
    let enteredResting = false;
    const t = this.pTarget[s];
    if (t === t) {
      const side = t > 0 ? 1 : t < 0 ? -1 : this.qty[s] > 0 ? -1 : 1;
      const px = entryFillPrice(this.pType[s], side, this.pPrice[s], o, h, l);
      if (px === px) {
        enteredResting = this.pType[s] !== ORDER_MARKET;
        this.pTarget[s] = Number.NaN;
        this.executeTarget(s, t, px, at, this.pSL[s], this.pTP[s], this.pTrail[s]);
      }
    }
    const q = this.qty[s];
    if (q === 0) return;
    // Most positions carry no protective levels: skip the intrabar checks (and the best price) for them.
    const posSL = this.posSL[s];
    const posTrail = this.posTrail[s];
    if (posSL !== posSL && this.posTP[s] !== this.posTP[s] && posTrail !== posTrail) return;
    const isLong = q > 0;
    const stop = effectiveStop(isLong, posSL, posTrail, this.posBest[s]);
    const out = this.#exit;
    // After an intrabar limit/stop entry the bar's high/low may precede the fill: only the stop is checked.
    const code = checkExit(isLong, stop, enteredResting ? Number.NaN : this.posTP[s], o, h, l, this.#o.optimistic, out);
    if (code !== EXIT_NONE) {
      let reason: ExitReason = 'take-profit';
      if (code === EXIT_STOP) reason = posTrail === posTrail && stop !== posSL ? 'trailing-stop' : 'stop-loss';
      this.fill(s, -q, out.price, at, reason, out.ambiguous);
    } else if (!enteredResting) {
      this.posBest[s] = isLong ? Math.max(this.posBest[s], h) : Math.min(this.posBest[s], l);
    }
  }
}
