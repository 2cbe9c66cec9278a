/**
 * Swing highs and lows, streamed without look-ahead, and the Ichimoku theories built on them: time
 * theory (the basic numbers counted from the last swing) and price targets (V, N, E, NT).
 */

/** Ichimoku time theory's basic numbers (bars counted from a swing high or low). */
export const TIME_NUMBERS: readonly number[] = [9, 17, 26, 33, 42, 65, 76];

/** One confirmed swing point. */
export interface Swing {
  /** +1 a swing high, -1 a swing low. */
  type: 1 | -1;
  /** The swing bar's index (as counted by the tracker, from 0). */
  index: number;
  price: number;
}

/**
 * Streams swing points: bar j is a swing high when its high is the highest of bars j−k .. j+k (a
 * swing low likewise with lows). A swing is therefore known only k bars after it, at bar j+k: the
 * tracker reports it then and never earlier, so nothing reads the future. Consecutive swings of the
 * same type keep the more extreme one, so `swings` alternates high / low.
 */
export class SwingTracker {
  readonly strength: number;
  /** Confirmed swings, oldest first, alternating types (the last 8 kept). */
  readonly swings: Swing[] = [];
  /** Bars seen so far. */
  count = 0;
  readonly #highs: Float64Array;
  readonly #lows: Float64Array;

  constructor(strength = 5) {
    if (!Number.isInteger(strength) || strength < 1)
      throw new RangeError(`swing strength must be an integer >= 1, got ${strength}`);
    this.strength = strength;
    this.#highs = new Float64Array(2 * strength + 1);
    this.#lows = new Float64Array(2 * strength + 1);
  }

  /** Consumes the next bar's high and low; returns the swing confirmed at this bar, or null. */
  next(bar: { readonly high: number; readonly low: number }): Swing | null {
    const w = this.#highs.length;
    const slot = this.count % w;
    this.#highs[slot] = bar.high;
    this.#lows[slot] = bar.low;
    this.count++;
    if (this.count < w) return null;
    const k = this.strength;
    const mid = (this.count - 1 - k) % w;
    const hi = this.#highs[mid];
    const lo = this.#lows[mid];
    let isHigh = true;
    let isLow = true;
    for (let j = 0; j < w; j++) {
      if (j === mid) continue;
      if (this.#highs[j] >= hi) isHigh = false;
      if (this.#lows[j] <= lo) isLow = false;
    }
    const index = this.count - 1 - k;
    let found: Swing | null = null;
    if (isHigh) found = this.#add({ type: 1, index, price: hi });
    if (isLow) found = this.#add({ type: -1, index, price: lo }) ?? found;
    return found;
  }

  /** Bars from the last swing (of `type`, or either) to the current bar; NaN before the first swing. */
  barsSince(type?: 1 | -1): number {
    for (let j = this.swings.length - 1; j >= 0; j--) {
      if (type === undefined || this.swings[j].type === type) return this.count - 1 - this.swings[j].index;
    }
    return Number.NaN;
  }

  /**
   * Time theory as a condition: the basic number (9, 17, 26, 33, 42, 65, 76) that the bars since the
   * last swing equal within `tolerance` bars, or 0 when none does.
   */
  timeNumber(tolerance = 0): number {
    const n = this.barsSince();
    if (n !== n) return 0;
    for (const t of TIME_NUMBERS) if (Math.abs(n - t) <= tolerance) return t;
    return 0;
  }

  #add(s: Swing): Swing | null {
    const last = this.swings[this.swings.length - 1];
    if (last && last.type === s.type) {
      if (s.type === 1 ? s.price <= last.price : s.price >= last.price) return null;
      this.swings[this.swings.length - 1] = s;
      return s;
    }
    this.swings.push(s);
    if (this.swings.length > 8) this.swings.shift();
    return s;
  }
}

/** Ichimoku price targets from three swings A → B → C. */
export interface PriceTargets {
  /** +1 an up wave (A low, B high, C higher low), -1 a down wave. */
  direction: 1 | -1;
  /** V = B + (B − C). */
  v: number;
  /** N = C + (B − A). */
  n: number;
  /** E = B + (B − A). */
  e: number;
  /** NT = C + (C − A). */
  nt: number;
}

/**
 * The V, N, E and NT targets from the last three confirmed swings (A, B, C, oldest first), or null
 * with fewer than three. For an up wave (A a low, B a high, C a low) the targets lie above B; for a
 * down wave the same formulas give targets below B.
 */
export function ichimokuTargets(swings: readonly Swing[]): PriceTargets | null {
  if (swings.length < 3) return null;
  const a = swings[swings.length - 3];
  const b = swings[swings.length - 2];
  const c = swings[swings.length - 1];
  return {
    direction: b.type === 1 ? 1 : -1,
    v: b.price + (b.price - c.price),
    n: c.price + (b.price - a.price),
    e: b.price + (b.price - a.price),
    nt: c.price + (c.price - a.price),
  };
}
