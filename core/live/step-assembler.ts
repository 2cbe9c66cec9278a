import type { FeedIssue, FeedSink } from './feeds/types';
import type { StepBar } from './runner';
import type { FeedStatus, LiveBar, Tick } from './types';

/**
 * Groups bars that arrive one by one (a streaming feed sends each symbol's bar in its own message) into time steps,
 * as the replay feed delivers them: a model reads every symbol's bar at one time at once (cross-sectional features,
 * ranks). A step is delivered as soon as every symbol has its bar at that time, or when a later bar shows the time
 * is over (a symbol that sent nothing has no bar in it). A bar older than the open step (a late symbol) is delivered
 * alone. A step lists its bars in the session's symbol order. {@link flush} delivers what is held (the feed closed).
 * Holds at most one bar per symbol.
 */
export class StepAssembler<B extends LiveBar = LiveBar> {
  readonly #index: Map<string, number>;
  readonly #deliver: (step: readonly B[]) => void;
  #held: B[] = [];
  #seen: Uint8Array;
  #count = 0;
  #time = Number.NaN;

  constructor(symbols: readonly string[], deliver: (step: readonly B[]) => void) {
    this.#index = new Map(symbols.map((s, k) => [s, k]));
    this.#seen = new Uint8Array(symbols.length);
    this.#deliver = deliver;
  }

  /** One closed bar. */
  push(b: B): void {
    const k = this.#index.get(b.symbol);
    if (k === undefined) return;
    if (b.time < this.#time) return this.#deliver([b]);
    if (b.time !== this.#time) {
      this.flush();
      this.#time = b.time;
    }
    // A second bar of one symbol at one time (a correction): the latest wins.
    if (this.#seen[k]) this.#held[this.#held.findIndex((x) => x.symbol === b.symbol)] = b;
    else {
      this.#seen[k] = 1;
      this.#count++;
      this.#held.push(b);
    }
    if (this.#count === this.#seen.length) this.flush();
  }

  /** Delivers the open step, if any. */
  flush(): void {
    if (this.#held.length === 0) return;
    // In the session's symbol order, as the replay feed steps them: decisions and sizing run in that order.
    const step = this.#held.sort((a, b) => this.#index.get(a.symbol)! - this.#index.get(b.symbol)!);
    this.#held = [];
    this.#seen.fill(0);
    this.#count = 0;
    this.#deliver(step);
  }
}

/**
 * A feed sink that delivers a streaming feed's bars to `sink` in time steps ({@link StepAssembler}); ticks, status
 * and issues pass straight through. The open step is delivered when the feed reports it closed.
 */
export class SteppedSink implements FeedSink {
  readonly #sink: FeedSink;
  readonly #steps: StepAssembler<StepBar>;

  constructor(sink: FeedSink, symbols: readonly string[]) {
    this.#sink = sink;
    this.#steps = new StepAssembler<StepBar>(symbols, (step) => sink.bars(step));
  }
  ticks(batch: readonly Tick[]): void {
    this.#sink.ticks(batch);
  }
  bars(step: readonly StepBar[]): void {
    for (const b of step) this.#steps.push(b);
  }
  status(st: FeedStatus): void {
    if (st.state === 'closed') this.#steps.flush();
    this.#sink.status(st);
  }
  issue(i: FeedIssue): void {
    this.#sink.issue(i);
  }
}
