import type { Journal, OutboxRow } from '../store/journal';

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
  /** Attempts per delivery before it becomes a dead letter. Default 8 (about 2 minutes of retries with the default delays). */
  readonly maxAttempts?: number;
  /** Per-request timeout. Default 10,000 ms. */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** Counts of one delivery round (or a drain). */
export interface DeliveryCounts {
  delivered: number;
  failed: number;
  dead: number;
}

/** The outbox as the contract shows it: deliveries being retried, dead letters, and the latest dead letters. */
export interface OutboxState {
  readonly pending: number;
  readonly dead: number;
  /** The latest dead letters, newest first. `endpoint` is the target's host only (a Telegram URL carries a token). */
  readonly deadLetters: readonly {
    readonly alertId: string;
    readonly endpoint: string;
    readonly attempts: number;
    readonly lastError: string | null;
    readonly deadAt: number;
  }[];
}

/** The endpoint a row goes to: one delivery lane per endpoint. */
function endpointOf(row: OutboxRow): string {
  try {
    return (JSON.parse(row.target) as { url: string }).url;
  } catch {
    return row.target;
  }
}

/** The host of a URL, for display (never the path or query: a Telegram bot URL carries its token). */
export function endpointHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Delivers the persistent webhook outbox. Each endpoint has its own lane: deliveries to one endpoint
 * go one at a time, oldest first, while lanes run side by side, so a slow or hanging endpoint delays
 * only its own alerts. A 2xx marks a row delivered; anything else (or a timeout) schedules a retry
 * with exponential backoff and pauses that endpoint's lane until then; after `maxAttempts` the row
 * becomes a dead letter (kept, shown, never retried on its own). Rows survive restarts, so delivery
 * resumes where it stopped (at least once).
 */
export class OutboxDispatcher {
  readonly #o: OutboxOptions;
  readonly #post: PostJson;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | null = null;
  #lastError: string | null = null;
  #abort = new AbortController();
  /** Lanes in flight, by endpoint. */
  readonly #lanes = new Map<string, Promise<void>>();
  /** Endpoints backing off after a failure: not tried before this time. */
  readonly #pausedUntil = new Map<string, number>();

  constructor(o: OutboxOptions) {
    this.#o = o;
    this.#post = o.post ?? fetchPost;
    this.#now = o.now ?? Date.now;
  }

  /** The retry delay after `attempts` failed attempts. */
  delay(attempts: number): number {
    return Math.min(this.#o.maxDelayMs ?? 300_000, (this.#o.baseDelayMs ?? 1_000) * 2 ** Math.max(0, attempts - 1));
  }

  get #maxAttempts(): number {
    return this.#o.maxAttempts ?? 8;
  }

  /**
   * Starts a lane for every endpoint with due rows that has none in flight and is not backing off, and
   * waits for the lanes it started; returns what they did. A lane already in flight (a hanging
   * endpoint) is left alone: it never holds up the others.
   */
  async deliverDue(): Promise<DeliveryCounts> {
    const counts: DeliveryCounts = { delivered: 0, failed: 0, dead: 0 };
    const now = this.#now();
    const byEndpoint = new Map<string, OutboxRow[]>();
    for (const row of this.#o.journal.dueOutbox(now, 1_000)) {
      const ep = endpointOf(row);
      if (this.#lanes.has(ep) || (this.#pausedUntil.get(ep) ?? 0) > now) continue;
      let list = byEndpoint.get(ep);
      if (!list) byEndpoint.set(ep, (list = []));
      list.push(row);
    }
    const started: Promise<void>[] = [];
    for (const [ep, rows] of byEndpoint) {
      const lane = this.#lane(ep, rows, counts).finally(() => this.#lanes.delete(ep));
      this.#lanes.set(ep, lane);
      started.push(lane);
    }
    await Promise.all(started);
    return counts;
  }

  /** One endpoint's rows in order; stops at the first failure (the endpoint backs off). */
  async #lane(ep: string, rows: readonly OutboxRow[], counts: DeliveryCounts): Promise<void> {
    for (const row of rows) {
      if (this.#abort.signal.aborted || !this.#o.journal.isOpen) return;
      let error: string | null = null;
      const timeout = AbortSignal.timeout(this.#o.timeoutMs ?? 10_000);
      try {
        const status = await this.#post(ep, row.body, AbortSignal.any([timeout, this.#abort.signal]));
        if (status < 200 || status >= 300) error = `HTTP ${status}`;
      } catch (e) {
        error = timeout.aborted ? `no answer within ${this.#o.timeoutMs ?? 10_000} ms` : (e as Error).message;
      }
      if (this.#abort.signal.aborted || !this.#o.journal.isOpen) return;
      if (error === null) {
        this.#o.journal.markDelivered(row.seq, this.#now());
        this.#pausedUntil.delete(ep);
        counts.delivered++;
        continue;
      }
      if (row.attempts + 1 >= this.#maxAttempts) {
        this.#o.journal.markDead(
          row.seq,
          this.#now(),
          `${error} (attempt ${row.attempts + 1} of ${this.#maxAttempts})`,
        );
        counts.dead++;
        continue;
      }
      const next = this.#now() + this.delay(row.attempts + 1);
      this.#o.journal.markFailed(row.seq, next, error);
      this.#pausedUntil.set(ep, next);
      counts.failed++;
      return;
    }
  }

  /**
   * Delivers until nothing is left to retry or `timeoutMs` passes (waiting out backoffs meanwhile);
   * returns the totals and what is still pending (dead letters are not retried).
   */
  async drain(timeoutMs: number, pollMs = 50): Promise<DeliveryCounts & { pending: number; dead: number }> {
    const total: DeliveryCounts = { delivered: 0, failed: 0, dead: 0 };
    const deadline = Date.now() + timeoutMs;
    // Requests already in flight (from polling) share this controller: they finish in time or are cut at the deadline.
    if (this.#abort.signal.aborted) this.#abort = new AbortController();
    const abort = this.#abort;
    const stopAt = setTimeout(() => abort.abort(), Math.max(0, timeoutMs)).unref();
    try {
      while (this.#o.journal.outboxCounts().pending > 0 && Date.now() < deadline && !abort.signal.aborted) {
        const c = await this.deliverDue();
        total.delivered += c.delivered;
        total.failed += c.failed;
        total.dead += c.dead;
        if (c.delivered + c.failed + c.dead === 0) await new Promise((r) => setTimeout(r, pollMs));
      }
    } finally {
      clearTimeout(stopAt);
    }
    await Promise.allSettled([...this.#lanes.values()]);
    return { ...total, ...this.#o.journal.outboxCounts() };
  }

  /** Polls every `intervalMs` (default 500) until {@link stop}; never waits for a lane to finish. */
  start(intervalMs = 500): void {
    if (this.#timer) return;
    this.#abort = new AbortController();
    const tick = () => {
      // Not awaited: a hanging endpoint's lane must not delay the next round for the others.
      this.deliverDue().catch((e: unknown) => {
        // A timer callback must never reject unhandled. A closed store means the host is shutting
        // down: stop polling (undelivered rows stay in the outbox for the next start).
        if (!this.#o.journal.isOpen) this.stop();
        else this.#lastError = (e as Error).message;
      });
      if (this.#timer) this.#timer = setTimeout(tick, intervalMs).unref();
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

  /** Pending and dead counts and the latest dead letters (endpoint hosts only). */
  state(limit = 20): OutboxState {
    const counts = this.#o.journal.outboxCounts();
    const deadLetters = this.#o.journal.deadOutbox(limit).map((r) => {
      const url = endpointOf(r);
      const host = endpointHost(url);
      // An error text that quotes the URL would carry a token: keep only the host.
      return {
        alertId: r.alertId,
        endpoint: host,
        attempts: r.attempts,
        lastError: r.lastError === null ? null : r.lastError.split(url).join(host),
        deadAt: r.deadAt,
      };
    });
    return { ...counts, deadLetters };
  }

  /** Stops polling but lets requests in flight finish (and be recorded): before a {@link drain}. */
  pause(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** Stops polling and aborts in-flight requests (those rows stay undelivered and are retried next start). */
  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort.abort();
  }
}
