import type { Journal } from '../store/journal';

/** The POST the dispatcher makes; injectable for tests. Resolves to the HTTP status. */
export type PostJson = (url: string, body: string, signal: AbortSignal) => Promise<number>;

/** Node's global fetch, as a {@link PostJson}. */
export const fetchPost: PostJson = async (url, body, signal) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
  await res.arrayBuffer();
  return res.status;
};

/** Options of {@link OutboxDispatcher}. */
export interface OutboxOptions {
  readonly journal: Journal;
  readonly post?: PostJson;
  /** First retry delay; doubles per attempt up to `maxDelayMs`. Defaults 1,000 and 300,000 ms. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Per-request timeout. Default 10,000 ms. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/**
 * Delivers the persistent webhook outbox: every undelivered row whose `next_attempt_at` is due is
 * POSTed; a 2xx marks it delivered, anything else (or a network error) schedules a retry with
 * exponential backoff. Rows survive restarts, so delivery resumes where it stopped (at least once).
 */
export class OutboxDispatcher {
  readonly #o: OutboxOptions;
  readonly #post: PostJson;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #lastError: string | null = null;
  #abort = new AbortController();

  constructor(o: OutboxOptions) {
    this.#o = o;
    this.#post = o.post ?? fetchPost;
    this.#now = o.now ?? Date.now;
  }

  /** The retry delay after `attempts` failed attempts. */
  delay(attempts: number): number {
    return Math.min(this.#o.maxDelayMs ?? 300_000, (this.#o.baseDelayMs ?? 1_000) * 2 ** Math.max(0, attempts - 1));
  }

  /** Attempts every due row once; returns how many were delivered and how many failed. */
  async deliverDue(): Promise<{ delivered: number; failed: number }> {
    if (this.#running) return { delivered: 0, failed: 0 };
    this.#running = true;
    let delivered = 0;
    let failed = 0;
    try {
      for (const row of this.#o.journal.dueOutbox(this.#now())) {
        const { url } = JSON.parse(row.target) as { url: string };
        let error: string | null = null;
        const timeout = AbortSignal.timeout(this.#o.timeoutMs ?? 10_000);
        try {
          const status = await this.#post(url, row.body, AbortSignal.any([timeout, this.#abort.signal]));
          if (status < 200 || status >= 300) error = `HTTP ${status}`;
        } catch (e) {
          error = (e as Error).message;
        }
        if (this.#abort.signal.aborted) break;
        if (error === null) {
          this.#o.journal.markDelivered(row.seq, this.#now());
          delivered++;
        } else {
          this.#o.journal.markFailed(row.seq, this.#now() + this.delay(row.attempts + 1), error);
          failed++;
        }
      }
    } finally {
      this.#running = false;
    }
    return { delivered, failed };
  }

  /** Polls every `intervalMs` (default 500) until {@link stop}. */
  start(intervalMs = 500): void {
    if (this.#timer) return;
    this.#abort = new AbortController();
    const tick = () => {
      void this.deliverDue()
        .catch((e: unknown) => {
          // A timer callback must never reject unhandled. A closed store means the host is shutting
          // down: stop polling (undelivered rows stay in the outbox for the next start). Anything else
          // is retried on the next tick.
          if (!this.#o.journal.isOpen) this.stop();
          else this.#lastError = (e as Error).message;
        })
        .finally(() => {
          if (this.#timer) this.#timer = setTimeout(tick, intervalMs).unref();
        });
    };
    // Unref'd: a pending retry never keeps a CLI or test process alive on its own.
    this.#timer = setTimeout(tick, 0).unref();
  }

  /** True between {@link start} and {@link stop} (or until its store is closed). */
  get isPolling(): boolean {
    return this.#timer !== null;
  }

  /** The last unexpected error of a background delivery round, if any (shown by `live:status`). */
  get lastError(): string | null {
    return this.#lastError;
  }

  /** Stops polling and aborts an in-flight request (the row stays undelivered and is retried next start). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort.abort();
  }
}
