import { z } from 'zod';
import { event, method } from './define';


/** `backtest:run` / `backtest:start` input: a spec as `quantdesk backtest --spec` reads it (validated by the engine's schema; errors name `spec.<field>`). */
export const BacktestRunInput = z.object({ spec: z.record(z.string(), z.unknown()), save: z.boolean().default(true) }).strict();

/** Metrics of a run (fractions, not percent; null where undefined). See README "Backtesting". */
export interface BacktestMetrics {
  readonly finalEquity: number;
  readonly totalReturn: number;
  readonly cagr: number | null;
  readonly volatility: number | null;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly calmar: number | null;
  readonly maxDrawdown: number;
  readonly maxDrawdownDuration: number;
  readonly var95: number | null;
  readonly cvar95: number | null;
  readonly winRate: number | null;
  readonly profitFactor: number | null;
  readonly trades: number;
  readonly exposure: number;
  readonly turnover: number;
  readonly alpha: number | null;
  readonly beta: number | null;
  /** Annualised active return over tracking error against the benchmark; null without one (absent in runs stored before it). */
  readonly informationRatio?: number | null;
}

/** A closed trade; times `YYYY-MM-DD` for daily bars. `pnl` is net of both commissions. */
export interface BacktestTradeView {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: string;
  readonly entryPrice: number;
  readonly exitTime: string;
  readonly exitPrice: number;
  readonly pnl: number;
  readonly commission: number;
  readonly returnPct: number;
  readonly ambiguous: boolean;
  readonly exitReason: string;
}

/** A position open at the end of a run (`closeAtEnd: false`), marked to the last close. */
export interface BacktestOpenPositionView {
  readonly symbol: string;
  readonly side: 'long' | 'short';
  readonly qty: number;
  readonly entryTime: string;
  readonly entryPrice: number;
  readonly lastPrice: number;
  readonly unrealizedPnl: number;
  readonly commission: number;
}

/** A run's result: exactly what `quantdesk backtest --json` prints. `spec` has every default filled. */
export interface BacktestRunView {
  readonly spec: { readonly strategy: string; readonly [setting: string]: unknown };
  readonly metrics: BacktestMetrics;
  readonly trades: readonly BacktestTradeView[];
  readonly openPositions: readonly BacktestOpenPositionView[];
  readonly equity: readonly { readonly time: string; readonly equity: number }[];
  readonly runId: string;
}

/** A stored run as `runs:list` lists it. */
export interface RunSummaryView {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly strategy: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly engineVersion: string;
  readonly dataFingerprint: string;
  readonly metrics: BacktestMetrics | null;
  // Issue 17, in `runs:list` and `runs:label` answers: the user's label and the spec's symbols and params.
  readonly name?: string;
  readonly tags?: readonly string[];
  readonly note?: string;
  readonly symbols?: readonly string[];
  readonly universe?: string | null;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** A stored run with its spec, full result and per-decision audit (`runs:get`). */
export interface RunDetailView extends RunSummaryView {
  readonly spec: { readonly strategy: string; readonly [setting: string]: unknown };
  readonly result: BacktestRunView | null;
  readonly audit: readonly { readonly date: number; readonly latestKnownAt: number; readonly factsRead: number }[];
}

// == models: machine learning (features, walk-forward training, registry, explanations) ========

/** The backtest methods (a slice of `METHODS`). */
export const backtestMethods = {
  /** The quick path: runs in the host (yielding while it runs), stores the run, returns the result. */
  'backtest:run': method(BacktestRunInput).returns<BacktestRunView>(),
  /** Starts a run in the background; follow `backtest:progressed` and `backtest:finished`, then `runs:get`. */
  'backtest:start': method(BacktestRunInput).returns<{ readonly runId: string }>(),
  'backtest:cancel': method(z.object({ runId: z.string().min(1) }).strict()).returns<{ readonly cancelled: boolean }>(),
  'runs:list': method(z.object({ limit: z.number().int().positive().max(10_000).default(100), kind: z.string().optional() }).strict().optional()).returns<readonly RunSummaryView[]>(),
  'runs:get': method(z.object({ id: z.string().min(1) }).strict()).returns<RunDetailView>(),
  /** A stored run's trades as CSV or its self-contained HTML tear sheet, as text. */
  'runs:export': method(z.object({ id: z.string().min(1), format: z.enum(['csv', 'html']) }).strict()).returns<string>(),
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
  'backtest:finished': event<{ readonly runId: string; readonly status: 'finished' | 'failed' | 'cancelled'; readonly error: string | null }>(),
} as const;
