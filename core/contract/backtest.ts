/** The `backtest` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { event, method } from './define';
import type { BacktestOutput } from '../backtest/json';
import { BacktestSpecSchema } from '../backtest/spec-schema';
import type { RunDetail, RunListItem } from '../backtest/registry';
import type { Metrics } from '../backtest/types';
import type { ResultColumns } from '../model/result-columns';

export type { BacktestSpec, BacktestSpecInput } from '../backtest/spec-schema';
export type { OpenPositionJson as BacktestOpenPositionView, TradeJson as BacktestTradeView } from '../backtest/json';

/**
 * A run's metrics as stored and sent ({@link Metrics}): a run stored before `informationRatio` existed lacks it.
 */
export type BacktestMetrics = Omit<Metrics, 'informationRatio'> & { readonly informationRatio?: number | null };

/** A spec as a stored run echoes it: written by any version, so only `strategy` is certain. */
export type StoredSpecView = { readonly strategy: string; readonly [setting: string]: unknown };

/**
 * A run's result as the API returns it (`backtest:run`, `runs:get`, `backtest:finished`): typed columns with
 * EpochMs times, NaN kept (`core/model/result-columns.ts`). Only the CLI formats text.
 */
export type BacktestColumnsView = ResultColumns<BacktestMetrics>;

/** A run's result as `quantdesk backtest --json` prints it ({@link BacktestOutput}, times as text), as stored by any version; the CLI's shape, not the API's. */
export type BacktestRunView = Omit<BacktestOutput, 'spec' | 'metrics'> & {
  readonly spec: StoredSpecView;
  readonly metrics: BacktestMetrics;
};

/** A stored run as `runs:list` lists it ({@link RunListItem}). */
export type RunSummaryView = Omit<RunListItem, 'metrics'> & { readonly metrics: BacktestMetrics | null };

/** A stored run with its spec, full result and per-decision audit (`runs:get`; {@link RunDetail}). */
export type RunDetailView = Omit<RunDetail, 'metrics' | 'spec' | 'result'> & {
  readonly metrics: BacktestMetrics | null;
  readonly spec: StoredSpecView;
  readonly result: BacktestColumnsView | null;
};

/** `backtest:run` / `backtest:start` input: a spec as `quantdesk backtest --spec` reads it (the engine's schema; errors name `spec.<field>`). */
export const BacktestRunInput = z.object({ spec: BacktestSpecSchema, save: z.boolean().default(true) }).strict();

/** The backtest methods (a slice of `METHODS`). */
export const backtestMethods = {
  /** The quick path: runs in the host (yielding while it runs), stores the run, returns the result. */
  'backtest:run': method(BacktestRunInput).returns<BacktestColumnsView>(),
  /** Starts a run in the background; follow `backtest:progressed` and `backtest:finished`, then `runs:get`. */
  'backtest:start': method(BacktestRunInput).returns<{ readonly runId: string }>(),
  'backtest:cancel': method(z.object({ runId: z.string().min(1) }).strict()).returns<{ readonly cancelled: boolean }>(),
  'runs:list': method(
    z
      .object({ limit: z.number().int().positive().max(10_000).default(100), kind: z.string().optional() })
      .strict()
      .optional(),
  ).returns<readonly RunSummaryView[]>(),
  'runs:get': method(z.object({ id: z.string().min(1) }).strict()).returns<RunDetailView>(),
  /** A stored run's trades as CSV or its self-contained HTML tear sheet, as text. */
  'runs:export': method(
    z.object({ id: z.string().min(1), format: z.enum(['csv', 'html']) }).strict(),
  ).returns<string>(),
  // -- runs you can manage (issue 17)
  /** Names, tags and annotates a run; each given field replaces the stored one. */
  'runs:label': method(
    z
      .object({
        id: z.string().min(1),
        name: z.string().max(200).optional(),
        tags: z.array(z.string().max(40)).max(20).optional(),
        note: z.string().max(10_000).optional(),
      })
      .strict(),
  ).returns<RunSummaryView>(),
  /** Deletes a run with its stored result payload and label. */
  'runs:delete': method(z.object({ id: z.string().min(1) }).strict()).returns<{ readonly deleted: boolean }>(),
} as const;

/** The backtest events (a slice of `EVENTS`). */
export const backtestEvents = {
  // -- backtest
  /** About every thousand bars of a `backtest:start` run. */
  'backtest:progressed': event<{ readonly runId: string; readonly fraction: number }>(),
  // `result`: a finished run's columns (with its benchmark's closes), so the view needs no `runs:get` / `data:bars` after it.
  'backtest:finished': event<{
    readonly runId: string;
    readonly status: 'finished' | 'failed' | 'cancelled';
    readonly error: string | null;
    readonly result?: BacktestColumnsView | null;
  }>(),
} as const;
