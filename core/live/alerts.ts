import { randomUUID } from 'node:crypto';
import type { Journal } from '../store/journal';
import type { Alert, Severity } from './types';

/** A webhook destination: a generic JSON POST of the alert, or the Telegram Bot API `sendMessage` call. */
export type WebhookTarget =
  | { readonly kind: 'json'; readonly url: string; readonly minSeverity?: Severity }
  | {
      readonly kind: 'telegram';
      readonly token: string;
      readonly chatId: string | number;
      readonly apiUrl?: string;
      readonly minSeverity?: Severity;
    };

/** What raises an alert. `key` groups duplicates for the cool-down (default `kind:symbol`). */
export interface AlertInput {
  readonly kind: string;
  readonly severity: Severity;
  readonly message: string;
  readonly time: number;
  readonly symbol?: string | null;
  readonly key?: string;
  readonly payload?: unknown;
}

/** Options of {@link AlertCenter}. */
export interface AlertCenterOptions {
  readonly session: string;
  readonly journal: Journal;
  /** Same-key alerts within this many ms (event time) of the last raised one are suppressed. Default 60,000. */
  readonly cooldownMs?: number;
  readonly webhooks?: readonly WebhookTarget[];
  /** Called after the alert (and its outbox rows) are written; the session emits it once the transaction commits. */
  readonly onRaised?: (a: Alert) => void;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * The HTTP request a target gets for an alert: `[url, JSON body]`. The generic JSON body carries the alert's
 * structured `data` when it has some (a `signal` alert: the signal with strategy, side, price, target, reason).
 */
export function webhookRequest(t: WebhookTarget, a: Alert, data: unknown = null): readonly [string, string] {
  if (t.kind === 'json') {
    const body = {
      id: a.id,
      time: new Date(a.time).toISOString(),
      kind: a.kind,
      severity: a.severity,
      symbol: a.symbol,
      message: a.message,
    };
    return [t.url, JSON.stringify(data === null ? body : { ...body, data })];
  }
  const base = (t.apiUrl ?? 'https://api.telegram.org').replace(/\/$/, '');
  const text = `[${a.severity.toUpperCase()}] ${a.kind}${a.symbol ? ` ${a.symbol}` : ''}: ${a.message}`;
  return [`${base}/bot${t.token}/sendMessage`, JSON.stringify({ chat_id: t.chatId, text })];
}

/**
 * Raises, de-duplicates and acknowledges alerts. Each raised alert is journaled together with one
 * outbox row per matching webhook in a single transaction, so an alert raised while the webhook is
 * down (or the process dies) is still delivered later by the {@link OutboxDispatcher}.
 */
export class AlertCenter {
  readonly #o: AlertCenterOptions;
  readonly #cooldownMs: number;
  readonly #last = new Map<string, number>();
  // Alert ids: a random prefix per centre and a counter, so they are unique yet increase within a session and
  // land at the end of the alerts id index instead of at random pages (a replay raises one per signal).
  readonly #idPrefix = randomUUID();
  #idSeq = 0;
  // Keys are pruned once the map outgrows this (signal keys are unique per bar, so it would grow forever).
  #pruneAt = 4_096;
  /** Alerts suppressed by the cool-down since start. */
  suppressed = 0;

  constructor(o: AlertCenterOptions) {
    this.#o = o;
    this.#cooldownMs = o.cooldownMs ?? 60_000;
  }

  /** Raises an alert; returns it, or null when a same-key alert was raised within the cool-down. */
  raise(input: AlertInput): Alert | null {
    const key = input.key ?? `${input.kind}:${input.symbol ?? ''}`;
    const prev = this.#last.get(key);
    if (prev !== undefined && input.time - prev < this.#cooldownMs && input.time >= prev) {
      this.suppressed++;
      return null;
    }
    this.#remember(key, input.kind, input.time);
    const alert: Alert = {
      id: `${this.#idPrefix}-${(this.#idSeq++).toString(36).padStart(8, '0')}`,
      time: input.time,
      kind: input.kind,
      severity: input.severity,
      symbol: input.symbol ?? null,
      message: input.message,
      acknowledgedAt: null,
    };
    const deliveries = (this.#o.webhooks ?? [])
      .filter((t) => RANK[input.severity] >= RANK[t.minSeverity ?? 'info'])
      .map((t) => {
        const [url, body] = webhookRequest(t, alert, input.payload ?? null);
        return [JSON.stringify({ url }), body] as const;
      });
    this.#o.journal.insertAlert(this.#o.session, alert, deliveries, input.payload ?? null);
    this.#o.onRaised?.(alert);
    return alert;
  }

  /**
   * Marks `key` as raised at `time` without raising anything: a restarted session seeds the keys of its
   * journaled alerts so the same alert is not raised again within the cool-down.
   */
  seen(key: string, kind: string, time: number): void {
    const prev = this.#last.get(key);
    if (prev === undefined || time > prev) this.#remember(key, kind, time);
  }

  #remember(key: string, kind: string, time: number): void {
    this.#last.set(key, time);
    if (this.#last.size <= this.#pruneAt) return;
    // Keys of this kind whose cool-down ended before this time cannot suppress again (a kind's alerts share one
    // clock: signals run on bar time, the kill switch on the wall clock), so they are dropped.
    const prefix = `${kind}:`;
    for (const [k, t] of this.#last) if (time - t >= this.#cooldownMs && k.startsWith(prefix)) this.#last.delete(k);
    this.#pruneAt = Math.max(4_096, 2 * this.#last.size);
  }

  /** Acknowledges an alert; false if unknown or already acknowledged. */
  ack(id: string, time: number): boolean {
    return this.#o.journal.ackAlert(id, time);
  }

  /** The latest alerts of the session, newest first. */
  list(limit = 500): Alert[] {
    return this.#o.journal.loadAlerts(this.#o.session, limit);
  }
}
