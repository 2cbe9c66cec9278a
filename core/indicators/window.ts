/**
 * Highest high and lowest low over the last `period` pushes, allocation-free. The extreme is tracked with its
 * index and the window rescanned only when it expires, so a push is O(1) amortised on ordinary data.
 */
export class RollingExtremes {
  readonly #period: number;
  readonly #highs: Float64Array;
  readonly #lows: Float64Array;
  #count = 0;
  #highIdx = -1;
  #lowIdx = -1;
  /** Highest high in the window (valid once `full`). */
  highest = Number.NEGATIVE_INFINITY;
  /** Lowest low in the window (valid once `full`). */
  lowest = Number.POSITIVE_INFINITY;

  constructor(period: number) {
    this.#period = period;
    this.#highs = new Float64Array(period);
    this.#lows = new Float64Array(period);
  }

  /** True once `period` values have been pushed. */
  get full(): boolean {
    return this.#count >= this.#period;
  }

  /** Adds one bar's high and low, dropping the bar `period` pushes ago. */
  push(high: number, low: number): void {
    const p = this.#period;
    const i = this.#count++;
    this.#highs[i % p] = high;
    this.#lows[i % p] = low;
    const oldest = i - p + 1;
    if (high >= this.highest) {
      this.highest = high;
      this.#highIdx = i;
    } else if (this.#highIdx < oldest) {
      let best = Number.NEGATIVE_INFINITY;
      let bestIdx = i;
      for (let j = Math.max(0, oldest); j <= i; j++) {
        const v = this.#highs[j % p];
        if (v >= best) {
          best = v;
          bestIdx = j;
        }
      }
      this.highest = best;
      this.#highIdx = bestIdx;
    }
    if (low <= this.lowest) {
      this.lowest = low;
      this.#lowIdx = i;
    } else if (this.#lowIdx < oldest) {
      let best = Number.POSITIVE_INFINITY;
      let bestIdx = i;
      for (let j = Math.max(0, oldest); j <= i; j++) {
        const v = this.#lows[j % p];
        if (v <= best) {
          best = v;
          bestIdx = j;
        }
      }
      this.lowest = best;
      this.#lowIdx = bestIdx;
    }
  }
}
