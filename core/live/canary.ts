import type { BacktestSpec } from '../backtest/spec';
import { ModelDuel } from '../models/duel';
import type { StepBar } from './runner';
import { LiveSession, type SessionOptions } from './session';
import type { FeedIssue, FeedSink } from './feeds/types';
import type { FeedStatus, Tick } from './types';

/** Journal name of a session's canary (the challenger trading its share of the capital). */
export function canaryName(session: string): string {
  return `${session}~challenger`;
}

/** The champion session of a canary's journal name (`a~challenger` → `a`), or null for a name that is not a canary's. */
export function championOf(name: string): string | null {
  const suffix = canaryName('');
  return name.endsWith(suffix) && name.length > suffix.length ? name.slice(0, -suffix.length) : null;
}

/**
 * Champion and challenger sessions for a live spec: without a `canary` challenger, the champion's options unchanged
 * and no canary; with one, the champion trades `1 − fraction` of the capital and the challenger `fraction` in its own
 * paper session (own journal, same risk limits, no pushes to the UI: its signals are journaled, not shown as the
 * champion's). A shadow challenger trades nothing: the duel scores it on its virtual book.
 */
export function planCanary(o: SessionOptions): { champion: SessionOptions; canary: LiveSession | null } {
  const duel = o.model instanceof ModelDuel ? o.model : null;
  if (!duel || duel.config.mode !== 'canary') return { champion: o, canary: null };
  const f = duel.config.fraction;
  const spec = (capital: number): BacktestSpec => ({ ...o.spec, capital });
  const canary = new LiveSession({
    ...o,
    session: canaryName(o.session),
    spec: spec(o.spec.capital * f),
    strategy: duel.challenger.strategy,
    params: duel.challenger.params,
    model: duel.challenger,
    emit: undefined,
    // The Live view's equity curve is the champion's account (the canary's is in the duel panel).
    onStepEquity: undefined,
    webhooks: [],
  });
  return { champion: { ...o, spec: spec(o.spec.capital * (1 - f)) }, canary };
}

/** Delivers one feed to several sessions, in order (the champion first: its duel steps both models). */
export class FanoutSink implements FeedSink {
  readonly #sinks: readonly FeedSink[];
  constructor(sinks: readonly FeedSink[]) {
    this.#sinks = sinks;
  }
  ticks(batch: readonly Tick[]): void {
    for (const s of this.#sinks) s.ticks(batch);
  }
  bars(step: readonly StepBar[]): void {
    for (const s of this.#sinks) s.bars(step);
  }
  status(st: FeedStatus): void {
    for (const s of this.#sinks) s.status(st);
  }
  issue(i: FeedIssue): void {
    for (const s of this.#sinks) s.issue(i);
  }
}
