import type { Account } from './broker';
import type { LiveTicked } from './session';

/** The most equity points kept (the Live view keeps as many). */
export const MAX_EQUITY_POINTS = 5000;

/** `live:history`: what a Live view opened after the session started has missed. */
export interface LiveHistory {
  /** The session the history is of (null before any started in this host). */
  readonly session: string | null;
  /** The account's equity over market time (EpochMs, ascending), the last {@link MAX_EQUITY_POINTS}. */
  readonly equity: { readonly time: number[]; readonly value: number[] };
  /** Each symbol's latest price, as the last `live:ticked` batch that carried it; in symbol order. */
  readonly prices: LiveTicked['prices'];
  /** Ticks (or bars) the session processed since it started: the sum of its batches' `count`. */
  readonly ticks: number;
}

/**
 * The market time of a `live:ticked` batch (or of several folded together): the latest time among its prices, or
 * `at` (when it went out) when it carries none. Equity is plotted at this time, by the host and by the Live view.
 */
export function marketTimeOf(prices: Iterable<{ readonly time: number }>, at: number): number {
  let t = Number.NEGATIVE_INFINITY;
  for (const p of prices) if (p.time > t) t = p.time;
  return Number.isFinite(t) ? t : at;
}

/**
 * Adds the equity point (`at`, `eq`) to the curve `time`/`value` (mutated), as the host and the Live view both
 * fold it: only a known equity (finite; it is NaN before every symbol is marked), and times ascend strictly (a
 * chart needs it), so a point at the same or an earlier time replaces the last one. False when nothing changed.
 */
export function addEquityPoint(time: number[], value: number[], at: number, eq: number | null): boolean {
  if (typeof eq !== 'number' || !Number.isFinite(eq)) return false;
  const n = time.length;
  if (n > 0 && time[n - 1] >= at) value[n - 1] = eq;
  else {
    time.push(at);
    value.push(eq);
  }
  return true;
}

/**
 * The host's record of the running (or last) session's `live:ticked` batches, as they went out (with a broker
 * connected, its account): equity over time and the latest price of each symbol, so that a Live view opened late
 * (or reloaded) draws the curve and the watchlist from the start, not from the next batch. Folded as the view folds
 * batches: equity is plotted at market time (the batch's latest price time, or `at` when it has none) and only when
 * known (finite); a batch at the same or an earlier time replaces the last point, so times ascend strictly.
 * Memory is bounded: at most {@link MAX_EQUITY_POINTS} points (twice that between trims) and one price per symbol.
 */
export class TickHistory {
  #session: string | null = null;
  #time: number[] = [];
  #value: number[] = [];
  #prices = new Map<string, LiveTicked['prices'][number]>();
  #ticks = 0;

  /** Forgets everything: a session starts (again). */
  reset(session: string): void {
    this.#session = session;
    this.#time = [];
    this.#value = [];
    this.#prices.clear();
    this.#ticks = 0;
  }

  /** Folds one `live:ticked` batch in. */
  record(batch: {
    readonly at: number;
    readonly count: number;
    readonly prices: LiveTicked['prices'];
    readonly account: Account;
  }): void {
    this.#ticks += batch.count;
    for (const p of batch.prices) this.#prices.set(p.symbol, p);
    this.point(marketTimeOf(batch.prices, batch.at), batch.account.equity);
  }

  /** Adds one equity point at market time `at` (a bar feed's step; see `SessionOptions.onStepEquity`). */
  point(at: number, eq: number): void {
    if (!addEquityPoint(this.#time, this.#value, at, eq)) return;
    if (this.#time.length >= 2 * MAX_EQUITY_POINTS) {
      this.#time = this.#time.slice(-MAX_EQUITY_POINTS);
      this.#value = this.#value.slice(-MAX_EQUITY_POINTS);
    }
  }

  /** A copy of the history (the last {@link MAX_EQUITY_POINTS} points). */
  snapshot(): LiveHistory {
    return {
      session: this.#session,
      equity: { time: this.#time.slice(-MAX_EQUITY_POINTS), value: this.#value.slice(-MAX_EQUITY_POINTS) },
      prices: [...this.#prices.values()].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0)),
      ticks: this.#ticks,
    };
  }
}
