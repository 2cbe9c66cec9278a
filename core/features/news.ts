import { newsSentimentRows } from '../store/news';
import type { Store } from '../store/sqlite-bar-store';
import type { NewsStat } from './expr';

const DAY = 86_400_000;

/**
 * Stored news per instrument of a panel (CSR like a PIT field): instrument `s` owns rows `offsets[s] ..
 * offsets[s+1]-1`, sorted by `at`, the time an article counts from (published and known); `sentiment` NaN
 * for an unscored article.
 */
export interface NewsEvents {
  readonly offsets: Int32Array;
  readonly at: Float64Array;
  readonly sentiment: Float64Array;
}

/** Builds {@link NewsEvents} for `symbols` from rows (any order). */
export function buildNewsEvents(
  symbols: readonly string[],
  rows: readonly { symbol: string; at: number; sentiment: number | null }[],
): NewsEvents {
  const index = new Map(symbols.map((s, k) => [s, k]));
  const mine = rows
    .map((r) => ({ s: index.get(r.symbol), at: r.at, v: r.sentiment ?? Number.NaN }))
    .filter((r): r is { s: number; at: number; v: number } => r.s !== undefined)
    .sort((a, b) => a.s - b.s || a.at - b.at);
  const offsets = new Int32Array(symbols.length + 1);
  let r = 0;
  for (let s = 0; s < symbols.length; s++) {
    offsets[s] = r;
    while (r < mine.length && mine[r].s === s) r++;
  }
  offsets[symbols.length] = r;
  return {
    offsets,
    at: Float64Array.from(mine, (x) => x.at),
    sentiment: Float64Array.from(mine, (x) => x.v),
  };
}

/** The news of `symbols` stored in `store`, for features. */
export function loadNewsEvents(store: Store, symbols: readonly string[]): NewsEvents {
  return buildNewsEvents(symbols, newsSentimentRows(store));
}

/**
 * A news window of one instrument: `lo`/`hi` walk forward as bar times ascend, so the rows `lo .. hi-1` are those
 * counting at time `t` and not older than `days` days: `t - days·DAY < at <= t`. The batch and the streaming form
 * both step one of these per instrument, and compute the statistic by {@link newsStat}: the same rows, the same
 * order, the same numbers.
 */
export class NewsWindow {
  #lo: number;
  #hi: number;
  constructor(
    readonly ev: NewsEvents,
    readonly s: number,
    readonly days: number,
  ) {
    this.#lo = ev.offsets[s];
    this.#hi = ev.offsets[s];
  }

  /** Advances to time `t` (ascending) and returns the statistic over the window. */
  at(t: number, stat: NewsStat): number {
    const { ev } = this;
    const end = ev.offsets[this.s + 1];
    while (this.#hi < end && ev.at[this.#hi] <= t) this.#hi++;
    const from = t - this.days * DAY;
    while (this.#lo < this.#hi && ev.at[this.#lo] <= from) this.#lo++;
    return newsStat(ev, this.#lo, this.#hi, stat);
  }
}

/** `count` of the rows `lo .. hi-1`, or the `mean` of their sentiment (unscored rows skipped; NaN when none). */
export function newsStat(ev: NewsEvents, lo: number, hi: number, stat: NewsStat): number {
  if (stat === 'count') return hi - lo;
  let sum = 0;
  let n = 0;
  for (let r = lo; r < hi; r++) {
    const v = ev.sentiment[r];
    if (v === v) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? Number.NaN : sum / n;
}
