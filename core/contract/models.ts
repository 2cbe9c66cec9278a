/** The `models` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { event, method, noInput } from './define';
import type { DuelStrategy } from '../models/duel';
import type { ModelMetrics } from '../models/metrics';
import { modelSpecSchema } from '../models/spec';
import type { ModelDetail, ModelSummary, WindowRecord } from '../models/registry';
import type { ExplainOutput } from '../models/service';
import type { LiveAccount } from './live';

/** One model version's live record on the virtual book champion and challenger are both scored on. */
export interface ModelDuelMetricsView {
  readonly modelId: string;
  /** The strategy params it runs (a challenger's own where it sets them, else the champion's). */
  readonly strategy: DuelStrategy;
  readonly totalReturn: number;
  readonly maxDrawdown: number;
  readonly hitRate: number | null;
  readonly rankIc: number | null;
  readonly signals: number;
  readonly steps: number;
}

/** `models:duel`: the running live session's champion and challenger (null when it runs none). */
export interface ModelDuelView {
  readonly mode: 'shadow' | 'canary';
  /** The challenger's share of capital (canary), 0 for a shadow. */
  readonly fraction: number;
  readonly champion: ModelDuelMetricsView;
  readonly challenger: ModelDuelMetricsView;
  /** The canary session's paper account (journal `<session>~challenger`), null for a shadow. */
  readonly canaryAccount: LiveAccount | null;
}

export type { ModelMetrics as ModelMetricsView } from '../models/metrics';
export type {
  ModelDetail as ModelDetailView,
  ModelSummary as ModelSummaryView,
  WindowRecord as ModelWindowView,
} from '../models/registry';
export type { ExplainOutput as ModelExplanationView } from '../models/service';
export type { DuelStrategy as ModelDuelStrategyView } from '../models/duel';
export type { ModelSpec, ModelSpecInput } from '../models/spec';

/** The models methods (a slice of `METHODS`). */
export const modelsMethods = {
  // -- models (machine learning issue)
  'models:list': method(noInput).returns<readonly ModelSummary[]>(),
  'models:get': method(z.object({ id: z.string().min(1) }).strict()).returns<ModelDetail>(),
  /** Trains a model spec walk-forward (windows on the pool when it can); progress on `models:progressed`. */
  'models:train': method(z.object({ spec: modelSpecSchema }).strict()).returns<{
    readonly modelId: string;
    readonly windows: readonly WindowRecord[];
    readonly metrics: ModelMetrics;
  }>(),
  /** Cancels the running `models:train` (it then fails with `cancelled`). */
  'models:cancel': method(noInput).returns<{ readonly cancelled: boolean }>(),
  /** The model spec's JSON Schema (from its zod schema, input side): the Models view generates its train form from it. */
  'models:spec-schema': method(noInput).returns<{ readonly schema: Readonly<Record<string, unknown>> }>(),
  /** The running live session's champion/challenger comparison (a model-signal spec with `params.challenger`), or null. */
  'models:duel': method(noInput).returns<{ readonly duel: ModelDuelView | null }>(),
  'models:explain': method(
    z
      .object({ id: z.string().min(1), symbol: z.string().min(1), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) })
      .strict(),
  ).returns<ExplainOutput>(),
} as const;

/** The models events (a slice of `EVENTS`). */
export const modelsEvents = {
  // -- models
  /** Training progress: windows done of total. */
  'models:progressed': event<{ readonly done: number; readonly total: number }>(),
} as const;
