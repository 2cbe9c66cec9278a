import type { LiveBar } from './types';

/** Bar intervals the aggregator builds, in ms. Bars align to the Unix epoch (1d bars open at 00:00 UTC). */
export const INTERVALS = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000, '1d': 86_400_000 } as const;

/** A named interval. */
export type IntervalName = keyof typeof INTERVALS;

/** Options for {@link BarAggregator}. */
export interface AggregatorOptions {
  /** Intervals to build for every symbol. */
  readonly intervals: readonly IntervalName[];
  /**
   * Late-tick grace window in ms. A tick older than its symbol's open bar but inside the bar that
   * closed last is applied to that bar (and a correction is emitted) while the symbol's newest tick
   * time is at most `graceMs` past that bar's end; after that, and for anything older, it is dropped
   * and counted. Default 2,000 ms.
   */
  readonly graceMs?: number;
}

/** Receives bars as they close and corrections to the last closed bar. */
export interface BarSink {
  onBar(bar: LiveBar): void;
  onCorrection?(bar: LiveBar): void;
}

/** Counters kept by the aggregator. */
export interface AggregatorStats {
  ticks: number;
  bars: number;
  /** Late ticks applied to the last closed bar (each emitted a correction). Counted per interval. */
  amended: number;
  /** Late ticks outside the grace window or older than the last closed bar: counted (per interval), not applied. */
  dropped: number;
}

// Per (symbol, interval) slot, the open bar and the last closed bar live in these column offsets.
const F_START = 0,
  F_O = 1,
  F_H = 2,
  F_L = 3,
  F_C = 4,
  F_V = 5,
  F_LAST = 6;
const P_START = 7,
  P_O = 8,
  P_H = 9,
  P_L = 10,
  P_C = 11,
  P_V = 12,
  P_LAST = 13;
const WIDTH = 14;

/**
 * Aggregates ticks into time bars, event-time driven. The rule:
 * - a bar `[start, start + interval)` closes when the first tick at or after its end arrives for
 *   that symbol (or on {@link flush}); intervals without ticks produce no bar;
 * - a late tick (older than the open bar) inside the last closed bar amends it while the symbol's
 *   newest tick time is within `graceMs` of that bar's end: high, low, volume always, close only if
 *   the tick is the latest in that bar; a correction is emitted. Strategies already stepped on the
 *   original bar are not re-run: corrections are for display and the journal;
 * - any other late tick is counted in `stats.dropped` and ignored.
 *
 * The hot path allocates nothing per tick: state is one Float64Array, indexed by symbol slot.
 */
export class BarAggregator {
  readonly stats: AggregatorStats = { ticks: 0, bars: 0, amended: 0, dropped: 0 };
  readonly #ms: Float64Array;
  readonly #names: readonly IntervalName[];
  readonly #graceMs: number;
  readonly #sink: BarSink;
  readonly #slots = new Map<string, number>();
  readonly #symbols: string[] = [];
  #state = new Float64Array(0);
  #watermark = new Float64Array(0);

  constructor(options: AggregatorOptions, sink: BarSink) {
    if (options.intervals.length === 0) throw new Error('BarAggregator: at least one interval is required');
    this.#names = options.intervals;
    this.#ms = Float64Array.from(options.intervals.map((n) => INTERVALS[n]));
    this.#graceMs = options.graceMs ?? 2_000;
    this.#sink = sink;
  }

  /** The symbol's slot, creating it (and growing the state) on first sight. */
  #slot(symbol: string): number {
    let s = this.#slots.get(symbol);
    if (s !== undefined) return s;
    s = this.#symbols.length;
    this.#slots.set(symbol, s);
    this.#symbols.push(symbol);
    const need = (s + 1) * this.#ms.length * WIDTH;
    if (need > this.#state.length) {
      const grown = new Float64Array(Math.max(need, this.#state.length * 2));
      grown.set(this.#state);
      this.#state = grown;
      const wm = new Float64Array(Math.max(s + 1, this.#watermark.length * 2));
      wm.set(this.#watermark);
      this.#watermark = wm;
    }
    for (let k = 0; k < this.#ms.length; k++) {
      const b = (s * this.#ms.length + k) * WIDTH;
      this.#state[b + F_START] = Number.NaN;
      this.#state[b + P_START] = Number.NaN;
    }
    this.#watermark[s] = Number.NEGATIVE_INFINITY;
    return s;
  }

  /** Applies one tick. `time` is EpochMs; `size` may be 0 for quotes. */
  push(symbol: string, time: number, price: number, size: number): void {
    const s = this.#slot(symbol);
    this.stats.ticks++;
    if (time > this.#watermark[s]) this.#watermark[s] = time;
    const wm = this.#watermark[s];
    const st = this.#state;
    const n = this.#ms.length;
    for (let k = 0; k < n; k++) {
      const ms = this.#ms[k];
      const b = (s * n + k) * WIDTH;
      const start = Math.floor(time / ms) * ms;
      const cur = st[b + F_START];
      // NaN start = no open bar (first tick, or flushed): a new bar opens unless the tick is older than the last closed one.
      if (cur === cur ? start > cur : !(start <= st[b + P_START])) {
        if (cur === cur) this.#close(s, k, b);
        st[b + F_START] = start;
        st[b + F_O] = price;
        st[b + F_H] = price;
        st[b + F_L] = price;
        st[b + F_C] = price;
        st[b + F_V] = size;
        st[b + F_LAST] = time;
      } else if (start === cur) {
        if (price > st[b + F_H]) st[b + F_H] = price;
        if (price < st[b + F_L]) st[b + F_L] = price;
        if (time >= st[b + F_LAST]) {
          st[b + F_C] = price;
          st[b + F_LAST] = time;
        }
        st[b + F_V] += size;
      } else {
        if (start === st[b + P_START] && wm - (start + ms) <= this.#graceMs) {
          if (price > st[b + P_H]) st[b + P_H] = price;
          if (price < st[b + P_L]) st[b + P_L] = price;
          if (time >= st[b + P_LAST]) {
            st[b + P_C] = price;
            st[b + P_LAST] = time;
          }
          st[b + P_V] += size;
          this.stats.amended++;
          this.#sink.onCorrection?.(this.#bar(s, k, b + P_START - F_START));
        } else {
          this.stats.dropped++;
        }
      }
    }
  }

  #close(s: number, k: number, b: number): void {
    const st = this.#state;
    for (let f = 0; f < 7; f++) st[b + P_START + f] = st[b + F_START + f];
    this.stats.bars++;
    this.#sink.onBar(this.#bar(s, k, b));
  }

  #bar(s: number, k: number, b: number): LiveBar {
    const st = this.#state;
    return {
      symbol: this.#symbols[s],
      intervalMs: this.#ms[k],
      time: st[b + F_START],
      open: st[b + F_O],
      high: st[b + F_H],
      low: st[b + F_L],
      close: st[b + F_C],
      volume: st[b + F_V],
    };
  }

  /** Closes every open bar whose end is at or before `now` (EpochMs): call it from a timer so quiet symbols still close. */
  flush(now: number): void {
    const n = this.#ms.length;
    for (let s = 0; s < this.#symbols.length; s++) {
      for (let k = 0; k < n; k++) {
        const b = (s * n + k) * WIDTH;
        const cur = this.#state[b + F_START];
        if (cur === cur && cur + this.#ms[k] <= now) {
          this.#close(s, k, b);
          this.#state[b + F_START] = Number.NaN;
        }
      }
    }
  }

  /** The interval names, in the order given. */
  get intervals(): readonly IntervalName[] {
    return this.#names;
  }
}
