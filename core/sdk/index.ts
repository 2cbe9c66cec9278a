/**
 * The public strategy SDK: `import { defineStrategy, indicators, patterns, z } from 'quantdesk/sdk'`.
 *
 * It exposes what the built-ins use and no more. User strategy files run in a sandbox where this
 * module is the only import that resolves (see `./sandbox`). Built-ins written on the SDK import it
 * the same way.
 */
import { z } from 'zod';
import { AdxStream } from '../indicators/adx';
import { IchimokuStream } from '../indicators/ichimoku';
import { MacdStream } from '../indicators/macd';
import { EmaStream, SmaStream, WmaStream } from '../indicators/moving-averages';
import { CciStream, StochStream, WilliamsRStream } from '../indicators/oscillators';
import { CANDLE_PATTERN_NAMES, PatternStream, type CandlePatternName } from '../indicators/patterns';
import { RsiStream } from '../indicators/rsi';
import { AtrStream, BbandsStream } from '../indicators/volatility';
import { ObvStream, VwapStream } from '../indicators/volume';
import type {
  BarView,
  CrossSectionalStrategy,
  CrossSectionView,
  Decision,
  OrderIntent,
  PortfolioStrategy,
  RebalanceEvery,
  SingleStrategy,
  Strategy,
} from '../strategy/types';
import { isZodSchema, propertiesToZod, type ParamProperties, type ParamProperty } from './params';
import { SwingTracker, ichimokuTargets, TIME_NUMBERS } from './swings';

export { z };
export type {
  BarView,
  CrossSectionView,
  Decision,
  OrderIntent,
  ParamProperties,
  ParamProperty,
  RebalanceEvery,
  Strategy,
};
export { SwingTracker, ichimokuTargets, TIME_NUMBERS };
/** @internal The host's indicator memo (indicators/memo.ts), for the sandbox's prelude; not for strategies. */
export { withIndicatorMemo as __withIndicatorMemo } from '../indicators/memo';

/** Parameters: a zod schema, or a plain object of JSON-Schema properties. Both give the form, validation and defaults. */
export type ParamsInput<P> = z.ZodType<P> | ParamProperties;

interface Common<P> {
  /** The strategy's name (kebab-case). For a user file, defaults to the file name without extension. */
  readonly name?: string;
  readonly description?: string;
  readonly params?: ParamsInput<P>;
}

/** A `single` strategy: one instrument, bar by bar. */
export interface SingleDefinition<P, S> extends Common<P> {
  readonly kind?: 'single';
  init(params: P): S;
  onBar(state: S, bar: BarView): Decision;
}

/** A `cross-sectional` strategy: target weights at each rebalance date. */
export interface CrossSectionalDefinition<P> extends Common<P> {
  readonly kind: 'cross-sectional';
  readonly rebalance: RebalanceEvery | ((params: P) => RebalanceEvery);
  /** Point-in-time fundamental fields the strategy reads (loaded and audited for the run). */
  readonly fields?: readonly string[] | ((params: P) => readonly string[]);
  weights(params: P, view: CrossSectionView): ReadonlyMap<string, number> | Readonly<Record<string, number>> | null;
}

/** A `portfolio` strategy: every bar, every symbol, own state, target weights. */
export interface PortfolioDefinition<P, S> extends Common<P> {
  readonly kind: 'portfolio';
  readonly fields?: readonly string[] | ((params: P) => readonly string[]);
  init(params: P): S;
  onBar(state: S, view: CrossSectionView): ReadonlyMap<string, number> | Readonly<Record<string, number>> | null;
}

/**
 * Defines a strategy. `kind` defaults to `single`. Returns the strategy object the engine, the sweep,
 * the live runner and the UI all run; a user file's default export.
 */
export function defineStrategy<P = any, S = any>(def: SingleDefinition<P, S>): SingleStrategy<P, S>;
export function defineStrategy<P = any>(def: CrossSectionalDefinition<P>): CrossSectionalStrategy<P>;
export function defineStrategy<P = any, S = any>(def: PortfolioDefinition<P, S>): PortfolioStrategy<P, S>;
export function defineStrategy(def: any): Strategy {
  if (def === null || typeof def !== 'object') throw new Error('defineStrategy: expected an object');
  const params = (
    def.params === undefined
      ? z.object({}).strict()
      : isZodSchema(def.params)
        ? def.params
        : propertiesToZod(def.params)
  ) as z.ZodType<any>;
  const info = { name: String(def.name ?? ''), description: String(def.description ?? ''), params };
  const fields =
    def.fields === undefined ? undefined : typeof def.fields === 'function' ? def.fields : () => def.fields;
  const kind = def.kind ?? 'single';
  if (kind === 'single') {
    need(def, 'init', 'onBar');
    return { kind, ...info, init: def.init, onBar: def.onBar };
  }
  if (kind === 'cross-sectional') {
    need(def, 'weights');
    const every = def.rebalance;
    if (every === undefined)
      throw new Error(
        'defineStrategy: a cross-sectional strategy needs "rebalance" (daily, weekly, monthly, quarterly, yearly)',
      );
    // A plain object or null is passed on as is: the engine reads both (see CrossSectionalStrategy.weights).
    return {
      kind,
      ...info,
      rebalance: typeof every === 'function' ? every : () => every,
      weights: def.weights,
      fields,
    };
  }
  if (kind === 'portfolio') {
    need(def, 'init', 'onBar');
    return { kind, ...info, init: def.init, step: def.onBar, fields };
  }
  throw new Error(`defineStrategy: unknown kind "${String(kind)}" (single, cross-sectional, portfolio)`);
}

function need(def: Record<string, unknown>, ...fns: string[]): void {
  for (const f of fns) if (typeof def[f] !== 'function') throw new Error(`defineStrategy: "${f}" must be a function`);
}

/**
 * Streaming indicators, TA-Lib-equal: each returns an object whose `next(...)` takes the next value
 * (or bar) and returns the indicator at that bar, `NaN` during warm-up. Multi-output indicators return
 * one reused row object (`{ upper, middle, lower }`, `{ macd, signal, hist }`, `{ k, d }`, ...).
 */
export const indicators = {
  /** Simple moving average of `next(value)`. */
  sma: (period: number) => new SmaStream(period),
  /** Exponential moving average (TA-Lib seeding: the first value is the SMA of the first `period`). */
  ema: (period: number) => new EmaStream(period),
  /** Weighted moving average. */
  wma: (period: number) => new WmaStream(period),
  /** Wilder's RSI (0..100) of `next(value)`. */
  rsi: (period = 14) => new RsiStream(period),
  /** Average true range of `next(bar)`. */
  atr: (period = 14) => new AtrStream(period),
  /** Average directional index of `next(bar)`. */
  adx: (period = 14) => new AdxStream(period),
  /** Commodity channel index of `next(bar)`. */
  cci: (period = 14) => new CciStream(period),
  /** Williams %R (-100..0) of `next(bar)`. */
  williamsr: (period = 14) => new WilliamsRStream(period),
  /** Bollinger bands of `next(value)`: `{ upper, middle, lower }`. */
  bbands: (period = 20, stddev = 2) => new BbandsStream(period, stddev),
  /** MACD of `next(value)`: `{ macd, signal, hist }`. */
  macd: (fast = 12, slow = 26, signal = 9) => new MacdStream(fast, slow, signal),
  /** Slow stochastic of `next(bar)`: `{ k, d }`. */
  stoch: (period = 14, smoothK = 3, smoothD = 3) => new StochStream(period, smoothK, smoothD),
  /** On-balance volume of `next(bar)`. */
  obv: () => new ObvStream(),
  /** Volume-weighted average price of `next(bar)` since the first bar (NaN while no volume traded). */
  vwap: () => new VwapStream(),
  /** Ichimoku of `next(bar)`: `{ conversion, base, spanA, spanB }`, undisplaced (no look-ahead). */
  ichimoku: (conversion = 9, base = 26, spanB = 52) => new IchimokuStream(conversion, base, spanB),
};

/** Candlestick pattern streams: `patterns.stream('hammer').next(bar)` is true on the bar the pattern completes. */
export const patterns = {
  /** Every pattern name. */
  names: CANDLE_PATTERN_NAMES as readonly CandlePatternName[],
  stream: (name: CandlePatternName) => new PatternStream(name),
};

/**
 * Strict crossover: `a` was below `b` on the previous bar and is above it now (any NaN: no cross), as
 * backtesting.py's `crossover`.
 */
export function crossedAbove(prevA: number, prevB: number, a: number, b: number): boolean {
  return prevA < prevB && a > b;
}

/** Strict crossunder: `a` was above `b` on the previous bar and is below it now. */
export function crossedBelow(prevA: number, prevB: number, a: number, b: number): boolean {
  return prevA > prevB && a < b;
}

/** One symbol's bars as columns (index `i` is the same bar in every column), the input of a feature's `batch`. */
export interface FeatureColumns {
  readonly length: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/**
 * A feature written in code: a named, parameterised number per bar and symbol. Give a `batch` form (all of a
 * symbol's bars at once), a streaming form (`init` + `next`, one bar at a time) or both (they must agree at
 * every bar). With only `next`, the batch form steps it over the bars; with only `batch`, the streaming form
 * recomputes `batch` over the last `window` bars at each bar, so `window` must cover every bar a value reads.
 * Prices are adjusted for splits and dividends as known at each date; NaN means "undefined here".
 */
export interface FeatureDefinition<P, S> {
  /** The feature's name in specs and `features list` (letters, digits, `-`, `_`). Default: the file name. */
  readonly name?: string;
  readonly description?: string;
  readonly params?: ParamsInput<P>;
  /** Bars of history a value reads, the current one included (required when only `batch` is given). */
  readonly window?: number | ((params: P) => number);
  /** The values at every bar of `bars` (same length). */
  batch?(bars: FeatureColumns, params: P): ArrayLike<number>;
  init?(params: P): S;
  next?(state: S, bar: BarView): number;
}

/** What {@link defineFeature} returns: a user feature file's default export. */
export interface FeatureDefinitionObject {
  readonly kind: 'feature';
  readonly name: string;
  readonly description: string;
  readonly params: z.ZodType;
  readonly window: ((params: unknown) => number) | undefined;
  readonly batch: ((bars: FeatureColumns, params: unknown) => ArrayLike<number>) | undefined;
  readonly init: ((params: unknown) => unknown) | undefined;
  readonly next: ((state: unknown, bar: BarView) => number) | undefined;
}

/** Defines a feature (see {@link FeatureDefinition}); a user feature file's default export. */
export function defineFeature<P = any, S = any>(def: FeatureDefinition<P, S>): FeatureDefinitionObject {
  if (def === null || typeof def !== 'object') throw new Error('defineFeature: expected an object');
  const params = (
    def.params === undefined
      ? z.object({}).strict()
      : isZodSchema(def.params)
        ? def.params
        : propertiesToZod(def.params)
  ) as z.ZodType<any>;
  const hasBatch = def.batch !== undefined;
  if (hasBatch && typeof def.batch !== 'function') throw new Error('defineFeature: "batch" must be a function');
  const hasStream = def.init !== undefined || def.next !== undefined;
  if (hasStream && typeof def.next !== 'function')
    throw new Error('defineFeature: "next" must be a function (the streaming form is init + next)');
  if (def.init !== undefined && typeof def.init !== 'function')
    throw new Error('defineFeature: "init" must be a function');
  if (!hasBatch && !hasStream) throw new Error('defineFeature: give "batch", or "init" and "next", or both');
  if (
    def.window !== undefined &&
    typeof def.window !== 'function' &&
    !(Number.isInteger(def.window) && def.window >= 1)
  )
    throw new Error('defineFeature: "window" must be a whole number of bars >= 1 or a function of the params');
  if (hasBatch && !hasStream && def.window === undefined)
    throw new Error(
      'defineFeature: "window" is required when only "batch" is given (the streaming form recomputes batch over the last window bars)',
    );
  const w = def.window;
  return {
    kind: 'feature',
    name: String(def.name ?? ''),
    description: String(def.description ?? ''),
    params,
    window: w === undefined ? undefined : typeof w === 'function' ? (w as (p: unknown) => number) : () => w,
    batch: def.batch as FeatureDefinitionObject['batch'],
    init: (hasStream ? (def.init ?? (() => ({}))) : undefined) as FeatureDefinitionObject['init'],
    next: def.next as FeatureDefinitionObject['next'],
  };
}
