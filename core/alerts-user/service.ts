import { randomUUID } from 'node:crypto';
import { AlertCenter, type WebhookTarget } from '../live/alerts';
import { endpointHost } from '../live/outbox';
import type { Alert } from '../live/types';
import type { UserAlertFire, UserAlertInput, UserAlertRule, UserAlertStatus } from '../model/desk';
import { fail, ok, type Result } from '../model/result';
import {
  deleteUserAlertRule,
  getUserAlertRule,
  insertUserAlertFire,
  lastStoredBarTime,
  listUserAlertRules,
  setUserAlertCursor,
  setUserAlertPaused,
  setUserAlertTriggered,
  storedBarsAfter,
  storedBarsBefore,
  upsertUserAlertRule,
  userAlertFires,
  type StoredRule,
} from '../store/desk';
import { Journal } from '../store/journal';
import type { Store } from '../store/sqlite-bar-store';
import { canFire, ConditionError, ConditionState, checkCondition, describeCondition, type RuleBar } from './evaluate';
import { inTransaction } from '../store/transaction';

/** The journal book (session) user alerts are raised in; `alerts:query` filters by it. */
export const USER_ALERTS_BOOK = 'user-alerts';
/** The kind of every alert a user rule raises. */
export const USER_ALERT_KIND = 'user-alert';
/** Stored bars a rule's indicators are warmed up on before the first bar it judges. */
export const WARMUP_BARS = 1_000;
/** Most stored bars one import evaluation reads per rule. */
const MAX_STORED_STEP = 200_000;

/** What the service pushes (after the write committed). */
export interface UserAlertEvents {
  readonly alert: (a: Alert) => void;
  readonly fired: (f: UserAlertFire) => void;
}

function statusOf(r: StoredRule, now: number): UserAlertStatus {
  const s = canFire({ mode: r.mode, expiresAt: r.expiresAt, paused: r.paused, triggered: r.triggered }, now);
  return s === 'yes' ? 'active' : s;
}

function toView(r: StoredRule, now: number): UserAlertRule {
  const webhooks = (r.webhooks as WebhookTarget[]).map((w) => ({
    kind: w.kind,
    host: w.kind === 'json' ? endpointHost(w.url) : endpointHost(w.apiUrl ?? 'https://api.telegram.org'),
  }));
  return {
    id: r.id,
    name: r.name,
    symbol: r.symbol,
    condition: r.condition,
    mode: r.mode,
    expiresAt: r.expiresAt,
    severity: r.severity,
    message: r.message,
    webhooks,
    status: statusOf(r, now),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    fires: r.fires,
    lastFiredAt: r.lastFiredAt,
  };
}

function rowBar(r: readonly number[]): RuleBar {
  return { time: r[0], open: r[1], high: r[2], low: r[3], close: r[4], volume: r[5] };
}

/**
 * The user's alert rules (TradingView-style) evaluated on every closed bar of the live sessions and on the
 * bars each import stores. A firing is journaled as an alert of kind `user-alert` in the book `user-alerts`
 * (with one outbox row per webhook of the rule, through {@link AlertCenter}, so it is delivered like any
 * other alert), recorded in the rule's history, and pushed only after it is written.
 *
 * Live bars are judged per book with state kept in memory (a restarted session is warmed again from the
 * store); stored bars are judged once each: a rule keeps a cursor (the last stored bar it judged), set to
 * the symbol's last stored bar when the rule is saved, so an import fires on the bars it adds, never again
 * on bars judged before (a symbol with no stored bars then: its first import only warms the rule up to its
 * latest bar, which is judged).
 */
export class UserAlertService {
  readonly #store: Store;
  readonly #journal: Journal;
  readonly #on: UserAlertEvents;
  readonly #now: () => number;
  #rules = new Map<string, StoredRule>();
  #bySymbol = new Map<string, StoredRule[]>();
  readonly #centers = new Map<string, AlertCenter>();
  /** Live state per book and rule. */
  readonly #live = new Map<string, { state: ConditionState; cursor: number }>();

  constructor(store: Store, on: UserAlertEvents, now: () => number = Date.now) {
    this.#store = store;
    this.#journal = new Journal(store);
    this.#on = on;
    this.#now = now;
    this.#reload();
  }

  #reload(): void {
    this.#rules = new Map(listUserAlertRules(this.#store).map((r) => [r.id, r]));
    this.#bySymbol = new Map();
    for (const r of this.#rules.values()) {
      const list = this.#bySymbol.get(r.symbol) ?? [];
      list.push(r);
      this.#bySymbol.set(r.symbol, list);
    }
  }

  #forget(id: string): void {
    this.#centers.delete(id);
    for (const k of [...this.#live.keys()]) if (k.endsWith(`\u0000${id}`)) this.#live.delete(k);
  }

  /** Every rule with its status, oldest first. */
  list(): UserAlertRule[] {
    const now = this.#now();
    return listUserAlertRules(this.#store).map((r) => toView(r, now));
  }

  /** Creates or replaces a rule; an edit re-arms it and judges only bars stored after the edit. */
  save(input: UserAlertInput): Result<UserAlertRule> {
    try {
      checkCondition(input.condition);
    } catch (e) {
      if (e instanceof ConditionError) return fail('invalid-input', e.message, [e.message]);
      throw e;
    }
    const now = this.#now();
    const prev = input.id === undefined ? undefined : getUserAlertRule(this.#store, input.id);
    if (input.id !== undefined && !prev) return fail('not-found', `no alert rule "${input.id}"`);
    const id = input.id ?? randomUUID();
    upsertUserAlertRule(this.#store, {
      id,
      name: input.name,
      symbol: input.symbol,
      condition: input.condition,
      mode: input.mode,
      expiresAt: input.expiresAt,
      severity: input.severity,
      message: input.message,
      webhooks: input.webhooks ?? prev?.webhooks ?? [],
      paused: input.paused,
      triggered: false,
      storedCursor: lastStoredBarTime(this.#store, input.symbol),
      createdAt: prev?.createdAt ?? now,
      updatedAt: now,
    });
    this.#forget(id);
    this.#reload();
    return ok(toView(getUserAlertRule(this.#store, id)!, now));
  }

  /** Pauses or resumes a rule. */
  pause(id: string, paused: boolean): Result<UserAlertRule> {
    if (!setUserAlertPaused(this.#store, id, paused, this.#now())) return fail('not-found', `no alert rule "${id}"`);
    this.#forget(id);
    this.#reload();
    return ok(toView(getUserAlertRule(this.#store, id)!, this.#now()));
  }

  /** Deletes a rule and its history (its alerts stay in the journal). */
  delete(id: string): boolean {
    const done = deleteUserAlertRule(this.#store, id);
    this.#forget(id);
    this.#reload();
    return done;
  }

  /** A rule's firings, newest first. */
  history(id: string, limit = 200): Result<UserAlertFire[]> {
    if (!this.#rules.has(id)) return fail('not-found', `no alert rule "${id}"`);
    return ok(userAlertFires(this.#store, id, limit));
  }

  #center(r: StoredRule): AlertCenter {
    let c = this.#centers.get(r.id);
    if (!c) {
      // No cool-down: each firing is one bar's, and `once` / `every` decide what repeats.
      c = new AlertCenter({
        session: USER_ALERTS_BOOK,
        journal: this.#journal,
        cooldownMs: 0,
        webhooks: r.webhooks as WebhookTarget[],
      });
      this.#centers.set(r.id, c);
    }
    return c;
  }

  /** Journals one firing (alert, outbox rows, history row, `once` → triggered) in one transaction; pushes after it. */
  #fire(r: StoredRule, bar: RuleBar, value: number, source: 'live' | 'import', book: string | null): boolean {
    const firedAt = this.#now();
    const shown = Number.isFinite(value) ? Number(value.toPrecision(6)) : 'n/a';
    const message = `${r.name ? `${r.name}: ` : ''}${r.symbol} ${describeCondition(r.condition)} (${shown}) on the bar of ${new Date(bar.time).toISOString().slice(0, 16).replace('T', ' ')}${r.message ? ` — ${r.message}` : ''}`;
    let alert: Alert | null = null;
    let fire: UserAlertFire | null = null;
    inTransaction(this.#store, () => {
      alert = this.#center(r).raise({
        kind: USER_ALERT_KIND,
        severity: r.severity,
        symbol: r.symbol,
        message,
        time: bar.time,
        key: `${USER_ALERT_KIND}:${r.id}:${book ?? ''}:${bar.time}`,
        payload: { ruleId: r.id, value: Number.isFinite(value) ? value : null, source, book },
      });
      if (!alert) return;
      fire = {
        ruleId: r.id,
        alertId: alert.id,
        time: bar.time,
        firedAt,
        symbol: r.symbol,
        value,
        source,
        book,
        message,
      };
      insertUserAlertFire(this.#store, fire);
      if (r.mode === 'once') setUserAlertTriggered(this.#store, r.id, firedAt);
    });
    if (!alert || !fire) return false;
    if (r.mode === 'once') this.#rules.set(r.id, { ...r, triggered: true });
    const a: Alert = alert;
    const f: UserAlertFire = fire;
    // The caller may hold a wider transaction (a live session's batch): push once the current task ends.
    queueMicrotask(() => {
      this.#on.alert(a);
      this.#on.fired(f);
    });
    return true;
  }

  // `at`: the time expiry is judged at (a bar's own time for replayed and stored bars; the wall clock for a real-time feed).
  #fireable(id: string, at: number): StoredRule | null {
    const r = this.#rules.get(id);
    if (!r) return null;
    return canFire({ mode: r.mode, expiresAt: r.expiresAt, paused: r.paused, triggered: r.triggered }, at) === 'yes'
      ? r
      : null;
  }

  /**
   * A closed bar of a live session (`book`): steps the rules on its symbol and fires those that hit. The first
   * bar a rule sees in a book warms its indicators on the stored bars before it. Expiry is judged on the bar's
   * own time for a replay (`realtime` false: a replay of 2020 fires the rules a 2020 day would have), on the
   * wall clock for a real-time feed.
   */
  onLiveBar(book: string, bar: { readonly symbol: string } & RuleBar, realtime = true): void {
    const rules = this.#bySymbol.get(bar.symbol);
    if (!rules) return;
    const at = realtime ? this.#now() : bar.time;
    for (const listed of rules) {
      const r = this.#fireable(listed.id, at);
      if (!r) continue;
      const key = `${book}\u0000${r.id}`;
      let st = this.#live.get(key);
      if (!st) {
        const state = new ConditionState(r.condition);
        for (const row of storedBarsBefore(this.#store, r.symbol, bar.time - 1, WARMUP_BARS)) state.next(rowBar(row));
        st = { state, cursor: Number.NEGATIVE_INFINITY };
        this.#live.set(key, st);
      }
      // An amended or repeated bar was judged already.
      if (bar.time <= st.cursor) continue;
      st.cursor = bar.time;
      const step = st.state.next(bar);
      if (step.hit) this.#fire(r, bar, step.value, 'live', book);
    }
  }

  /**
   * After an import (or a scheduled fetch) stored bars: each active rule judges its symbol's stored bars after
   * its cursor (warmed on those before), fires on hits, and moves its cursor to the last. Expiry is judged on
   * each bar's own time: a bar dated after the rule's expiry never fires it, one dated before still does, whenever
   * it arrives. Returns how many firings.
   */
  onStored(): number {
    let fired = 0;
    // Rules and cursors as stored now (another process, `quantdesk scheduler`, may have moved them).
    this.#reload();
    for (const listed of [...this.#rules.values()]) {
      // Paused and triggered rules wait; expiry is per bar below.
      let r = this.#fireable(listed.id, Number.NEGATIVE_INFINITY);
      if (!r) continue;
      // Every bar after the cursor is later than the expiry: nothing left to judge.
      if (r.expiresAt !== null && r.storedCursor !== null && r.storedCursor >= r.expiresAt) continue;
      const after = r.storedCursor ?? Number.NEGATIVE_INFINITY;
      const rows = storedBarsAfter(
        this.#store,
        r.symbol,
        after === Number.NEGATIVE_INFINITY ? -8.64e15 : after,
        MAX_STORED_STEP,
      );
      if (rows.length === 0) continue;
      const state = new ConditionState(r.condition);
      if (r.storedCursor !== null)
        for (const row of storedBarsBefore(this.#store, r.symbol, r.storedCursor, WARMUP_BARS)) state.next(rowBar(row));
      // A symbol that had no stored bars when the rule was saved: its first import is history, not news. It
      // warms the rule and only its latest bar is judged (an `every` rule must not fire once per old bar).
      const judgeFrom = r.storedCursor === null ? rows.length - 1 : 0;
      for (let i = 0; i < rows.length; i++) {
        const bar = rowBar(rows[i]);
        const step = state.next(bar);
        if (
          i >= judgeFrom &&
          step.hit &&
          r &&
          this.#fireable(r.id, bar.time) &&
          this.#fire(r, bar, step.value, 'import', null)
        ) {
          fired++;
          r = this.#fireable(r.id, Number.NEGATIVE_INFINITY);
        }
      }
      const last = rows[rows.length - 1][0];
      setUserAlertCursor(this.#store, listed.id, last);
      const cur = this.#rules.get(listed.id);
      if (cur) this.#rules.set(listed.id, { ...cur, storedCursor: last });
    }
    this.#reload();
    return fired;
  }
}
