import type { LiveBar, Tick } from '../types';
import type { FeedIssue } from './types';

/**
 * Per-symbol continuity checks shared by the streaming feeds:
 * - ticks with a sequence / trade id: a jump past `last + 1` is a gap (reported, tick kept); an id at or
 *   below the last one is out of order or a duplicate (reported and dropped: exchange ids are unique and
 *   increasing, so it is a replay after a reconnect);
 * - ticks without an id: a time before the symbol's latest is reported out-of-order and kept (the
 *   aggregator's late-tick rule decides);
 * - bars: a bar more than one interval after the previous one is a gap (kept), one at or before it is
 *   out of order (dropped).
 */
export class SequenceChecker {
  readonly #feed: string;
  readonly #seq = new Map<string, number>();
  readonly #time = new Map<string, number>();
  readonly #bar = new Map<string, number>();
  gaps = 0;
  outOfOrder = 0;

  constructor(feed: string) {
    this.#feed = feed;
  }

  /** Returns whether to keep the tick; reports problems through `issue`. */
  tick(t: Tick, issue: (i: FeedIssue) => void): boolean {
    if (t.seq !== undefined) {
      const last = this.#seq.get(t.symbol);
      if (last !== undefined && t.seq <= last) {
        this.outOfOrder++;
        issue({
          kind: 'out-of-order',
          feed: this.#feed,
          symbol: t.symbol,
          time: t.time,
          message: `${t.symbol}: id ${t.seq} after ${last} (dropped)`,
        });
        return false;
      }
      if (last !== undefined && t.seq > last + 1) {
        this.gaps++;
        issue({
          kind: 'gap',
          feed: this.#feed,
          symbol: t.symbol,
          time: t.time,
          message: `${t.symbol}: ${t.seq - last - 1} message(s) missing between ids ${last} and ${t.seq}`,
        });
      }
      this.#seq.set(t.symbol, t.seq);
      return true;
    }
    const lastTime = this.#time.get(t.symbol);
    if (lastTime !== undefined && t.time < lastTime) {
      this.outOfOrder++;
      issue({
        kind: 'out-of-order',
        feed: this.#feed,
        symbol: t.symbol,
        time: t.time,
        message: `${t.symbol}: tick at ${t.time} after one at ${lastTime}`,
      });
      return true;
    }
    this.#time.set(t.symbol, t.time);
    return true;
  }

  /** Returns whether to keep the bar; reports problems through `issue`. */
  bar(b: LiveBar, issue: (i: FeedIssue) => void): boolean {
    const key = `${b.symbol}|${b.intervalMs}`;
    const last = this.#bar.get(key);
    if (last !== undefined && b.time <= last) {
      this.outOfOrder++;
      issue({
        kind: 'out-of-order',
        feed: this.#feed,
        symbol: b.symbol,
        time: b.time,
        message: `${b.symbol}: bar ${new Date(b.time).toISOString()} at or before the last one (dropped)`,
      });
      return false;
    }
    if (last !== undefined && b.time > last + b.intervalMs) {
      this.gaps++;
      issue({
        kind: 'gap',
        feed: this.#feed,
        symbol: b.symbol,
        time: b.time,
        message: `${b.symbol}: ${Math.round((b.time - last) / b.intervalMs) - 1} bar(s) missing before ${new Date(b.time).toISOString()}`,
      });
    }
    this.#bar.set(key, b.time);
    return true;
  }
}
