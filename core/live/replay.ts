import { randomUUID } from 'node:crypto';
import type { BacktestSpec } from '../backtest/spec';
import { panelForSpec } from '../backtest/run';
import { BacktestInputError } from '../backtest/types';
import type { Panel } from '../data/panel-types';
import { parseDate, DAY_MS } from '../model/time';
import type { Store } from '../store/sqlite-bar-store';
import { findStrategy } from '../strategies';
import type { SingleStrategy } from '../strategy/types';
import { challengerStrategyParams } from '../models/challenger-params';
import { ModelDuel } from '../models/duel';
import { LiveModelSignal } from '../models/live';
import { ReplayFeed } from './feeds/replay';
import { LiveSession, type SessionOptions } from './session';
import type { Alert, Fill, Position, Signal } from './types';

/** What `quantdesk live replay --json` prints. */
export interface ReplayResult {
  readonly signals: readonly Signal[];
  readonly fills: readonly Fill[];
  readonly positions: readonly Position[];
  readonly alerts: readonly Alert[];
}

/** A spec resolved for the live path: its single-symbol strategy, parsed params and tradable symbols. */
export interface ResolvedSpec {
  readonly strategy: SingleStrategy<any, any>;
  readonly params: unknown;
  readonly symbols: readonly string[];
  readonly panel: Panel;
  readonly from: number | undefined;
  readonly to: number | undefined;
  /** The live model of a `model-signal` spec: the session feeds it every step and asks it why a signal fired. */
  readonly model?: LiveModelSignal | ModelDuel;
}

/** A spec the live path cannot run; `errors` name the field. */
export class LiveSpecError extends Error {
  readonly errors: readonly string[];
  constructor(errors: readonly string[]) {
    super(errors.join('; '));
    this.name = 'LiveSpecError';
    this.errors = errors;
  }
}

/**
 * Resolves a backtest spec for the live path: the strategy must be single-symbol; the panel is the one
 * a backtest of the spec reads (`panelForSpec`), with `from`/`to` (YYYY-MM-DD) overriding the spec's
 * `start`/`end`.
 */
export function resolveSpec(
  store: Store,
  spec: BacktestSpec,
  range: { from?: string; to?: string } = {},
): ResolvedSpec {
  // model-signal is resolved below, once the symbols and the first bar are known (its features warm up on history).
  let { strategy, params } =
    spec.strategy === MODEL_SIGNAL
      ? { strategy: null as unknown as SingleStrategy<any, any>, params: undefined as unknown }
      : resolveStrategy(spec, store);
  for (const [field, text] of [
    ['from', range.from],
    ['to', range.to],
  ] as const) {
    if (text !== undefined && parseDate(text) === null)
      throw new LiveSpecError([`${field}: expected a date YYYY-MM-DD, got "${text}"`]);
  }
  if (spec.universe !== undefined && spec.universe !== 'all') {
    throw new LiveSpecError([
      'universe: a named universe needs a cross-sectional strategy; give "symbols" or "universe": "all"',
    ]);
  }
  // The very panel a backtest of this spec reads (same symbols, benchmark, clipping and adjustment).
  const clipped: BacktestSpec = { ...spec, start: range.from ?? spec.start, end: range.to ?? spec.end };
  let panel: Panel;
  try {
    panel = panelForSpec(store, clipped);
  } catch (e) {
    throw new LiveSpecError(e instanceof BacktestInputError ? e.errors : [(e as Error).message]);
  }
  const symbols = spec.symbols ?? panel.symbols.filter((s) => s !== spec.benchmark);
  const from = clipped.start === undefined ? undefined : (parseDate(clipped.start) as number);
  const to = clipped.end === undefined ? undefined : (parseDate(clipped.end) as number) + DAY_MS - 1;
  let model: LiveModelSignal | ModelDuel | undefined;
  if (spec.strategy === MODEL_SIGNAL) {
    const r = resolveLiveModel(store, spec, symbols, from ?? (panel.nDays > 0 ? panel.time[0] : undefined));
    ({ strategy, params, model } = r);
  }
  return { strategy, params, symbols, panel, from, to, ...(model ? { model } : {}) };
}

const MODEL_SIGNAL = 'model-signal';

/**
 * The live model of a `model-signal` spec over `symbols` (with its challenger when the params name one): its
 * streaming features warm on the store's history before `first` (EpochMs; undefined: no warm-up). Any feed then
 * steps it: the replay feed from `first` on, a streaming feed with live bars after the stored history.
 * @throws LiveSpecError naming the field (unknown model, bad params).
 */
export function resolveLiveModel(
  store: Store,
  spec: BacktestSpec,
  symbols: readonly string[],
  first: number | undefined,
): { strategy: SingleStrategy<any, any>; params: unknown; model: LiveModelSignal | ModelDuel } {
  try {
    const champion = new LiveModelSignal(store, spec.params, symbols, first);
    const c = champion.params.challenger;
    const model = c
      ? new ModelDuel(
          champion,
          // The champion's mode and params, but the challenger's model and the params it sets itself.
          new LiveModelSignal(store, challengerStrategyParams(champion.params, c), symbols, first),
          c,
          symbols,
        )
      : champion;
    return { strategy: champion.strategy, params: champion.params, model };
  } catch (e) {
    throw new LiveSpecError([(e as Error).message]);
  }
}

/** The spec's single-symbol strategy and its parsed params; throws {@link LiveSpecError} naming the field. */
export function resolveStrategy(
  spec: BacktestSpec,
  store?: Store,
): { strategy: SingleStrategy<any, any>; params: unknown } {
  if (spec.strategy === MODEL_SIGNAL)
    throw new LiveSpecError([
      'strategy: model-signal needs its symbols and first bar to warm its features (resolveSpec or resolveLiveModel)',
    ]);
  let strategy;
  try {
    strategy = findStrategy(spec, { store });
  } catch (e) {
    throw new LiveSpecError(e instanceof BacktestInputError ? e.errors : [(e as Error).message]);
  }
  if (!strategy) throw new LiveSpecError([`strategy: unknown strategy "${spec.strategy}"`]);
  if (strategy.kind !== 'single')
    throw new LiveSpecError([
      `strategy: "${spec.strategy}" is ${strategy.kind}; the live path runs single-symbol strategies`,
    ]);
  const parsed = strategy.params.safeParse(spec.params);
  if (!parsed.success)
    throw new LiveSpecError(
      parsed.error.issues.map((i) => `params${i.path.length ? '.' + i.path.join('.') : ''}: ${i.message}`),
    );
  return { strategy: strategy as SingleStrategy<any, any>, params: parsed.data };
}

/** Options of {@link replay}. */
export interface ReplayOptions extends Partial<
  Pick<SessionOptions, 'risk' | 'anomalies' | 'emit' | 'webhooks' | 'cooldownMs' | 'signalSeverity'>
> {
  readonly from?: string;
  readonly to?: string;
  /** Journal session id; default a fresh `replay-…` id, so replays never mix with a live session. */
  readonly session?: string;
}

/**
 * Runs the live path over stored history at full speed: the replay feed, the strategy runner, the paper
 * broker and the journal, exactly as `live run --feed replay` does. With the same spec, its fills are
 * the backtest's entries and exits (same times, same prices).
 */
export async function replay(store: Store, spec: BacktestSpec, o: ReplayOptions = {}): Promise<ReplayResult> {
  const r = resolveSpec(store, spec, o);
  const session = new LiveSession({
    store,
    session: o.session ?? `replay-${randomUUID().slice(0, 8)}`,
    spec,
    strategy: r.strategy,
    params: r.params,
    symbols: r.symbols,
    risk: o.risk,
    anomalies: o.anomalies,
    emit: o.emit,
    webhooks: o.webhooks,
    cooldownMs: o.cooldownMs,
    signalSeverity: o.signalSeverity,
    now: () => 0,
    keep: Infinity,
    ...(r.model ? { model: r.model } : {}),
  });
  const feed = new ReplayFeed({ panel: r.panel, symbols: r.symbols, from: r.from, to: r.to, speed: 0 });
  feed.start(session);
  await feed.done;
  session.finish();
  return {
    signals: session.signals,
    fills: session.fills,
    positions: session.positions(),
    alerts: session.alerts.list(Number.MAX_SAFE_INTEGER).reverse(),
  };
}
