/** Schedules a callback for the next frame; `requestAnimationFrame` in the page, injectable in tests. */
export type FrameScheduler = (cb: () => void) => unknown;

function defaultScheduler(): FrameScheduler {
  // Typed structurally so this module also runs (benchmarks) where the DOM lib is absent.
  const raf = (globalThis as { requestAnimationFrame?: (cb: () => void) => number }).requestAnimationFrame;
  return raf ? (cb) => raf(cb) : (cb) => setTimeout(cb, 16);
}

/** Collects pushes and hands them over once per frame, so a 1,000 msg/s feed costs one render per frame. */
export interface FrameBatcher<T> {
  push(item: T): void;
  /** Items waiting for the next frame. */
  readonly pending: number;
  /** Delivers what is waiting now (e.g. on unmount), without waiting for the frame. */
  flush(): void;
  /** Drops what is waiting; later pushes are ignored. */
  dispose(): void;
}

/**
 * Batches every item pushed during a frame and calls `deliver` once with all of them, in push order.
 * At most one frame is scheduled at a time; nothing is lost.
 */
export function createFrameBatcher<T>(
  deliver: (items: T[]) => void,
  schedule: FrameScheduler = defaultScheduler(),
): FrameBatcher<T> {
  let queue: T[] = [];
  let isScheduled = false;
  let isDisposed = false;
  const flush = () => {
    isScheduled = false;
    if (queue.length === 0 || isDisposed) return;
    const items = queue;
    queue = [];
    deliver(items);
  };
  return {
    push(item) {
      if (isDisposed) return;
      queue.push(item);
      if (!isScheduled) {
        isScheduled = true;
        schedule(flush);
      }
    },
    get pending() {
      return queue.length;
    },
    flush,
    dispose() {
      isDisposed = true;
      queue = [];
    },
  };
}

/**
 * Like {@link createFrameBatcher} but keeps only the latest item per key (ticks for a symbol):
 * `deliver` gets one item per key that changed during the frame.
 */
export function createLatestBatcher<T>(
  keyOf: (item: T) => string,
  deliver: (latest: Map<string, T>) => void,
  schedule: FrameScheduler = defaultScheduler(),
): FrameBatcher<T> {
  let latest = new Map<string, T>();
  let isScheduled = false;
  let isDisposed = false;
  const flush = () => {
    isScheduled = false;
    if (latest.size === 0 || isDisposed) return;
    const items = latest;
    latest = new Map();
    deliver(items);
  };
  return {
    push(item) {
      if (isDisposed) return;
      latest.set(keyOf(item), item);
      if (!isScheduled) {
        isScheduled = true;
        schedule(flush);
      }
    },
    get pending() {
      return latest.size;
    },
    flush,
    dispose() {
      isDisposed = true;
      latest = new Map();
    },
  };
}
