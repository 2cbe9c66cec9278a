/**
 * The sweep file's schema, alone: imports nothing but zod (and types), so the contract can validate a sweep
 * at the boundary without pulling in the strategy registry. `sweep-spec.ts` expands and checks sweeps.
 */
import { z } from 'zod';
import type { Metrics } from '../backtest/types';

const value = z.union([z.number(), z.string(), z.boolean()]);
const range = z
  .object({ from: z.number(), to: z.number(), step: z.number().positive() })
  .strict()
  .refine((r) => r.to >= r.from, { message: '"to" is below "from"' });

/** Most combinations a sweep may expand to (a guard against a typo like `step: 0.0001`). */
export const MAX_COMBINATIONS = 2_000_000;
/** Most combinations a random search may draw (each result is kept in memory until the sweep ends). */
export const MAX_SAMPLES = 100_000;
/** Most constraints, and the longest one (characters): the parser recurses on parentheses. */
export const MAX_CONSTRAINTS = 32;
export const MAX_CONSTRAINT_CHARS = 1_000;
/** Most grid parameters, and values listed for one. */
export const MAX_GRID_PARAMS = 16;
export const MAX_AXIS_VALUES = 100_000;

/** Every metric a sweep can rank by (the keys of `Metrics`); `objective` must name one. */
const METRICS: Record<keyof Metrics, 1> = {
  finalEquity: 1,
  totalReturn: 1,
  cagr: 1,
  volatility: 1,
  sharpe: 1,
  sortino: 1,
  calmar: 1,
  maxDrawdown: 1,
  maxDrawdownDuration: 1,
  var95: 1,
  cvar95: 1,
  winRate: 1,
  profitFactor: 1,
  trades: 1,
  exposure: 1,
  turnover: 1,
  alpha: 1,
  beta: 1,
  informationRatio: 1,
};
/** The metric names an objective may use. */
export const METRIC_NAMES: readonly string[] = Object.keys(METRICS);

/**
 * A sweep file: the backtest spec every run starts from, the parameter grid (each entry a list of
 * values or an inclusive `{from, to, step}` range), constraints on combinations, the objective
 * metric (a `Metrics` key; prefix `-` to minimise, e.g. `-volatility`), how many results to keep,
 * and the search: every combination (`grid`) or `samples` distinct ones drawn with `seed` (`random`).
 */
export const SweepSpecSchema = z
  .object({
    base: z.record(z.string(), z.unknown()),
    grid: z
      .record(z.string(), z.union([z.array(value).min(1).max(MAX_AXIS_VALUES), range]))
      .refine((g) => Object.keys(g).length > 0, { message: 'needs at least one parameter' })
      .refine((g) => Object.keys(g).length <= MAX_GRID_PARAMS, { message: `at most ${MAX_GRID_PARAMS} parameters` }),
    constraints: z.array(z.string().max(MAX_CONSTRAINT_CHARS)).max(MAX_CONSTRAINTS).default([]),
    objective: z
      .string()
      .refine((o) => METRIC_NAMES.includes(o.replace(/^-/, '')), {
        message: `expected a metric name, optionally prefixed by "-" (${METRIC_NAMES.join(', ')})`,
      })
      .default('sharpe'),
    top: z.number().int().min(1).max(10_000).default(20),
    search: z
      .discriminatedUnion('kind', [
        z.object({ kind: z.literal('grid') }).strict(),
        z
          .object({
            kind: z.literal('random'),
            samples: z.number().int().min(1).max(MAX_SAMPLES),
            seed: z.number().int().default(1),
          })
          .strict(),
        // Issue 17: a seeded genetic search that evaluates at most `budget` combinations, `population` per generation.
        z
          .object({
            kind: z.literal('genetic'),
            budget: z.number().int().min(2).max(MAX_COMBINATIONS),
            seed: z.number().int().default(1),
            population: z.number().int().min(2).max(10_000).default(16),
          })
          .strict(),
      ])
      .default({ kind: 'grid' }),
    /**
     * `auto`: use a specialised kernel when one models the spec exactly (sma-cross with fixed-qty
     * sizing), then re-run the top results in the engine; `exact`: every combination in the engine.
     */
    engine: z.enum(['auto', 'exact']).default('auto'),
    /**
     * How many of the best results come back with their equity curve (re-run in the engine with
     * the curve kept); at most `top`. Every other result is metrics only, so memory stays bounded.
     */
    curves: z.number().int().min(0).max(100).default(0),
  })
  .strict();

/** A sweep as written. */
export type SweepSpecInput = z.input<typeof SweepSpecSchema>;
/** A sweep with defaults filled. */
export type SweepSpec = z.output<typeof SweepSpecSchema>;
/** One combination: grid parameter name → value. */
export type Params = Readonly<Record<string, number | string | boolean>>;
