/**
 * The backtest spec's schema, alone: imports nothing but zod, the model and the exits schema, so the
 * contract (and through it the renderer and the preload) can validate specs at the boundary without
 * pulling in the strategy registry. `spec.ts` adds the checks that need the registry.
 */
import { z } from 'zod';
import { parseDate } from '../model/time';
import { INSTRUMENT_TYPES } from '../model/instrument';
import { ExitsSchema } from './exits';

const dateText = z.string().refine((s) => parseDate(s) !== null, { message: 'expected a date YYYY-MM-DD' });

/**
 * Largest starting capital (and fixed commission) a spec may give: 1e12. Far above any account, and
 * far enough under the float range that equity, P&L and ratios stay finite (`capital: 1e308` gave a
 * `finalEquity` of null).
 */
export const MAX_CAPITAL = 1e12;

const SIZING_METHODS = ['all-in', 'fixed-fraction', 'fixed-qty', 'volatility-target', 'equal-weight'] as const;

/**
 * Position sizing. A bare method name is shorthand for `{ "method": name }`.
 * - `all-in`: all available equity (equity minus the gross value of other open positions), net of
 *   the entry commission, times |target|.
 * - `fixed-fraction`: `fraction` of equity per position.
 * - `fixed-qty`: `qty` units per position.
 * - `volatility-target`: equity × min(maxWeight, targetVol / realised annualised volatility over
 *   `lookback` bars before the fill).
 * - `equal-weight`: equity / number of symbols in the run.
 */
export const SizingSchema = z.union([
  z
    .enum(SIZING_METHODS)
    .transform((method) => ({ method, fraction: 1, qty: 1, targetVol: 0.15, lookback: 20, maxWeight: 1 })),
  z
    .object({
      method: z.enum(SIZING_METHODS),
      fraction: z.number().positive().max(10).default(1),
      qty: z.number().positive().max(1e12).default(1),
      targetVol: z.number().positive().max(10).default(0.15),
      lookback: z.number().int().min(2).max(100_000).default(20),
      maxWeight: z.number().positive().max(100).default(1),
    })
    .strict(),
]);

/** Backtest specification: every execution setting is explicit and echoed (defaults filled) in the result. */
export const BacktestSpecSchema = z
  .object({
    /** Strategy name in the registry (`quantdesk strategies`). */
    strategy: z.string().min(1).max(64),
    /** Strategy parameters; validated by the strategy's own schema. */
    params: z.record(z.string(), z.unknown()).default({}),
    /** Explicit symbols, or... */
    symbols: z.array(z.string().min(1).max(64)).min(1).max(10_000).optional(),
    /** ...a universe: `all` (every instrument listed at each date, delisted ones included before delisting) or a named universe. */
    universe: z.string().min(1).max(64).optional(),
    /**
     * With `universe`: the instrument types it holds (default `["stock"]`). An `index` is a benchmark,
     * never a holding, so it cannot be named here (nor in `symbols`).
     */
    types: z
      .array(
        z.enum(INSTRUMENT_TYPES).refine((t) => t !== 'index', { message: 'an index is a benchmark, not a holding' }),
      )
      .min(1)
      .optional(),
    start: dateText.optional(),
    end: dateText.optional(),
    /** Starting cash. */
    capital: z.number().positive().max(MAX_CAPITAL).default(100_000),
    /** `next-open`: a decision at bar i fills at the open of bar i+1; `close`: at the close of bar i. */
    fill: z.enum(['next-open', 'close']).default('next-open'),
    /** Charged on entry and on exit: `fixed + rate × |qty| × price` per fill. */
    commission: z
      .object({ rate: z.number().min(0).max(0.5).default(0), fixed: z.number().min(0).max(MAX_CAPITAL).default(0) })
      .strict()
      .default({ rate: 0, fixed: 0 }),
    /** Slippage against the trader on every fill, in basis points of the price. */
    slippageBps: z.number().min(0).max(10_000).default(0),
    direction: z.enum(['long-short', 'long-only']).default('long-short'),
    sizing: SizingSchema.default({
      method: 'all-in',
      fraction: 1,
      qty: 1,
      targetVol: 0.15,
      lookback: 20,
      maxWeight: 1,
    }),
    /** Round quantities down to whole units. */
    wholeUnits: z.boolean().default(true),
    /** Close positions still open at the end at the last close (as trades); otherwise report them under `openPositions`. */
    closeAtEnd: z.boolean().default(false),
    /** Price of the last bar at which `closeAtEnd` closes: its `close` (default) or its `open` (backtesting.py 0.3's convention). */
    endFill: z.enum(['close', 'open']).default('close'),
    /** When stop and target are both touched in one bar: `conservative` (stop wins) or `optimistic` (target wins). Either way the trade is flagged `ambiguous`. */
    intrabar: z.enum(['conservative', 'optimistic']).default('conservative'),
    /** Symbol whose close-to-close returns give alpha and beta. */
    benchmark: z.string().min(1).max(64).optional(),
    /**
     * How the adjusted series that signals read is adjusted (see `Adjustment`): `pit` never uses a corporate
     * action before it was known. `raw` (older specs) means the same as `signalPrices: "raw"`.
     */
    adjustment: z.enum(['pit', 'raw']).default('pit'),
    /**
     * The prices a strategy sees: `adjusted` (default; continuous across splits and dividends, per
     * `adjustment`) or `raw` (as traded). Fills, positions, marks and the trade list are always in
     * traded prices; a strategy's limit, stop and target levels are read in its signal prices and
     * converted at the decision bar.
     */
    signalPrices: z.enum(['adjusted', 'raw']).default('adjusted'),
    /** Bars per year for annualisation (252 for daily bars). */
    barsPerYear: z.number().positive().max(1_000_000).default(252),
    /**
     * Bars before `start` that the strategy sees first, so its indicators are warm when the run
     * begins: its decisions on them are ignored and nothing trades or counts before `start`
     * (history accessors of a cross-sectional view and volatility sizing reach back as far).
     * Every one of those bars was known at `start`, so no look-ahead. Default 0.
     */
    warmup: z.number().int().min(0).max(100_000).default(0),
    /**
     * Protective exits the engine puts on every position of any strategy: `stopLoss`, `takeProfit`,
     * `trailingStop`, each `{ "pct": 5 }` (percent of the entry fill) or `{ "atr": 3, "period": 14 }`
     * (ATR multiples). See `core/backtest/exits.ts`.
     */
    exits: ExitsSchema.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.symbols && new Set(s.symbols).size !== s.symbols.length) {
      ctx.addIssue({ code: 'custom', path: ['symbols'], message: 'symbols must be unique' });
    }
    if ((s.symbols === undefined) === (s.universe === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['symbols'], message: 'give exactly one of "symbols" or "universe"' });
    }
    if (s.types !== undefined && s.universe === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['types'],
        message: '"types" filters a "universe"; explicit "symbols" are traded as given',
      });
    }
    if (s.start !== undefined && s.end !== undefined && (parseDate(s.start) as number) > (parseDate(s.end) as number)) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: '"end" is before "start"' });
    }
  });

/** A spec as written by a user (defaults optional). */
export type BacktestSpecInput = z.input<typeof BacktestSpecSchema>;
/** A spec with every default filled: what the engine runs and what results echo. */
export type BacktestSpec = z.output<typeof BacktestSpecSchema>;
/** Normalised sizing settings. */
export type Sizing = BacktestSpec['sizing'];
