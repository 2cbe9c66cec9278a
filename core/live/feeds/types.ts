import type { StepBar } from '../runner';
import type { FeedStatus, Tick } from '../types';

/** A data-quality event a feed detected. */
export interface FeedIssue {
  readonly kind: 'gap' | 'out-of-order' | 'bad-message';
  readonly feed: string;
  readonly symbol: string | null;
  readonly time: number;
  readonly message: string;
}

/** Where a feed delivers. Batches are in arrival order; a `bars` batch is one time step (every symbol's bar at one time). */
export interface FeedSink {
  ticks(batch: readonly Tick[]): void;
  bars(step: readonly StepBar[]): void;
  status(s: FeedStatus): void;
  issue(i: FeedIssue): void;
  /** Optional: run several deliveries as one unit (one journal transaction); a fast replay uses it. */
  batch?(fn: () => void): void;
}

/**
 * A market-data feed: `replay` (the store), `websocket` (generic JSON) or `binance`. `start` begins
 * delivery; `done` settles when a finite feed (replay) has delivered everything or the feed is stopped.
 */
export interface Feed {
  readonly name: string;
  start(sink: FeedSink): void;
  stop(): Promise<void>;
  readonly done: Promise<void>;
}
