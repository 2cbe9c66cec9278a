import type { Decision } from '../strategy/types';

/**
 * The execution model as pure functions, shared by the backtest engine and the live paper broker so
 * both produce the same fills from the same bars. Prices are in the series' units; quantities are
 * signed (positive long, negative short) unless a parameter says otherwise.
 */

/** Entry order type: fills at the bar's open (next-open) or the decision bar's close (close fills). */
export const ORDER_MARKET = 0;
/** Entry order type: a limit, filled at the limit or better once the bar reaches it. */
export const ORDER_LIMIT = 1;
/** Entry order type: a stop, filled at the stop (or the open, on a gap through it) once the bar reaches it. */
export const ORDER_STOP = 2;

/** A strategy's `Decision` read into plain numbers; one object is reused for a whole run. */
export interface DecisionFields {
  target: number;
  type: number;
  /** Limit or stop price (NaN for market). */
  price: number;
  sl: number;
  tp: number;
  trail: number;
  /** Whether the intent named each protective level (an intent may move them on a held position). */
  hasSL: boolean;
  hasTP: boolean;
  hasTrail: boolean;
}

/** A fresh {@link DecisionFields} to pass to {@link readDecision}. */
export function newDecisionFields(): DecisionFields {
  return {
    target: 0,
    type: ORDER_MARKET,
    price: Number.NaN,
    sl: Number.NaN,
    tp: Number.NaN,
    trail: Number.NaN,
    hasSL: false,
    hasTP: false,
    hasTrail: false,
  };
}

/**
 * Reads a decision into `out`, the one rule the engine and the live runner share: a number is a market
 * target; an intent also carries its order type, price and protective levels; long-only turns short
 * targets into flat. Returns `none` for "keep everything as it is" (null or a NaN target), `bad-price`
 * for a limit or stop without a positive price (checked first, as a strategy bug), else `ok`.
 */
export function readDecision(d: Decision, longOnly: boolean, out: DecisionFields): 'ok' | 'none' | 'bad-price' {
  if (d === null || d === undefined) return 'none';
  if (typeof d === 'number') {
    out.target = d;
    out.type = ORDER_MARKET;
    out.price = out.sl = out.tp = out.trail = Number.NaN;
    out.hasSL = out.hasTP = out.hasTrail = false;
  } else {
    out.target = d.target;
    out.type = d.type === 'limit' ? ORDER_LIMIT : d.type === 'stop' ? ORDER_STOP : ORDER_MARKET;
    out.price = d.price ?? Number.NaN;
    out.sl = d.stopLoss ?? Number.NaN;
    out.tp = d.takeProfit ?? Number.NaN;
    out.trail = d.trailingStopPct ?? Number.NaN;
    out.hasSL = d.stopLoss !== undefined;
    out.hasTP = d.takeProfit !== undefined;
    out.hasTrail = d.trailingStopPct !== undefined;
    if (out.type !== ORDER_MARKET && !(out.price > 0)) return 'bad-price';
  }
  if (out.target !== out.target) return 'none';
  if (longOnly && out.target < 0) out.target = 0;
  return 'ok';
}

/**
 * The price a trader actually gets: `price` moved against the trader by `bps` basis points
 * (a buy pays more, a sell receives less). `side` is +1 for a buy, -1 for a sell.
 */
export function slippedPrice(price: number, side: number, bps: number): number {
  return bps === 0 ? price : price * (1 + (side * bps) / 10_000);
}

/** Commission for one fill: `fixed + rate × |qty| × price`; 0 when nothing trades. */
export function commissionFor(qty: number, price: number, rate: number, fixed: number): number {
  return qty === 0 ? 0 : fixed + rate * Math.abs(qty) * price;
}

/** Rounds a (signed) quantity toward zero to whole units when `wholeUnits`, and drops float dust. */
export function roundQty(qty: number, wholeUnits: boolean): number {
  if (!Number.isFinite(qty)) return 0;
  if (wholeUnits) return qty < 0 ? -Math.floor(-qty) : Math.floor(qty);
  return qty;
}

/**
 * Largest unsigned quantity whose cost plus entry commission fits in `budget`:
 * `q × price × (1 + rate) + fixed <= budget`. Returns 0 when the budget does not cover the fixed fee.
 */
export function affordableQty(budget: number, price: number, rate: number, fixed: number, wholeUnits: boolean): number {
  if (!(budget > fixed) || !(price > 0)) return 0;
  return roundQty((budget - fixed) / (price * (1 + rate)), wholeUnits);
}

/**
 * Fill price of a resting entry order within a bar, or NaN if the bar does not reach it.
 * - market: the open;
 * - limit buy at L: fills when low <= L, at min(open, L) (an open below the limit is better);
 * - stop buy at S: fills when high >= S, at max(open, S) (a gap through the stop fills at the open);
 * sells mirror these. `side` is +1 buy, -1 sell.
 */
export function entryFillPrice(
  type: number,
  side: number,
  price: number,
  open: number,
  high: number,
  low: number,
): number {
  if (type === ORDER_MARKET) return open;
  if (type === ORDER_LIMIT) {
    if (side > 0) return low <= price ? Math.min(open, price) : Number.NaN;
    return high >= price ? Math.max(open, price) : Number.NaN;
  }
  if (side > 0) return high >= price ? Math.max(open, price) : Number.NaN;
  return low <= price ? Math.min(open, price) : Number.NaN;
}

/** {@link checkExit}: no protective exit in this bar. */
export const EXIT_NONE = 0;
/** {@link checkExit}: the stop (fixed or trailing) filled. */
export const EXIT_STOP = 1;
/** {@link checkExit}: the take-profit target filled. */
export const EXIT_TARGET = 2;

/** Scratch output of {@link checkExit}, reused so the per-bar check allocates nothing. */
export interface ExitOut {
  price: number;
  ambiguous: boolean;
}

/**
 * Checks a position's protective exits against one bar. `stop` and `target` are absolute levels
 * (NaN = none); for a long the stop is below and the target above, for a short the reverse.
 * - an open beyond a level (a gap) fills at the open;
 * - otherwise a level touched by the bar's low/high fills at the level;
 * - when both are touched inside the bar the order is unknowable: `optimistic` false (the default,
 *   conservative) takes the stop, true takes the target; `out.ambiguous` is set either way.
 * Returns `EXIT_NONE`, `EXIT_STOP` or `EXIT_TARGET`; the fill price (before slippage) goes to `out.price`.
 */
export function checkExit(
  isLong: boolean,
  stop: number,
  target: number,
  open: number,
  high: number,
  low: number,
  optimistic: boolean,
  out: ExitOut,
): number {
  out.ambiguous = false;
  const hasStop = stop === stop;
  const hasTarget = target === target;
  if (!hasStop && !hasTarget) return EXIT_NONE;
  if (isLong) {
    if (hasStop && open <= stop) return ((out.price = open), EXIT_STOP);
    if (hasTarget && open >= target) return ((out.price = open), EXIT_TARGET);
    const stopHit = hasStop && low <= stop;
    const targetHit = hasTarget && high >= target;
    if (stopHit && targetHit) {
      out.ambiguous = true;
      return optimistic ? ((out.price = target), EXIT_TARGET) : ((out.price = stop), EXIT_STOP);
    }
    if (stopHit) return ((out.price = stop), EXIT_STOP);
    if (targetHit) return ((out.price = target), EXIT_TARGET);
    return EXIT_NONE;
  }
  if (hasStop && open >= stop) return ((out.price = open), EXIT_STOP);
  if (hasTarget && open <= target) return ((out.price = open), EXIT_TARGET);
  const stopHit = hasStop && high >= stop;
  const targetHit = hasTarget && low <= target;
  if (stopHit && targetHit) {
    out.ambiguous = true;
    return optimistic ? ((out.price = target), EXIT_TARGET) : ((out.price = stop), EXIT_STOP);
  }
  if (stopHit) return ((out.price = stop), EXIT_STOP);
  if (targetHit) return ((out.price = target), EXIT_TARGET);
  return EXIT_NONE;
}

/**
 * The effective stop of a position: the tighter of the fixed stop-loss and the trailing stop
 * (`trailPct` below the best price since entry for a long, above for a short). NaN when neither is set.
 */
export function effectiveStop(isLong: boolean, stopLoss: number, trailPct: number, bestPrice: number): number {
  const trail = trailPct === trailPct ? (isLong ? bestPrice * (1 - trailPct) : bestPrice * (1 + trailPct)) : Number.NaN;
  if (trail !== trail) return stopLoss;
  if (stopLoss !== stopLoss) return trail;
  return isLong ? Math.max(stopLoss, trail) : Math.min(stopLoss, trail);
}
