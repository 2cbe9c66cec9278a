import { z } from 'zod';
import { event, method, noInput } from './define';


/** Out-of-sample metrics of a model (per window or overall); null where undefined. */
export interface ModelMetricsView {
  readonly ic: number | null;
  readonly icir: number | null;
  readonly rankIc: number | null;
  readonly rankIcir: number | null;
  readonly hitRate: number | null;
  readonly rmse?: number | null;
  readonly auc?: number | null;
  readonly n: number;
  readonly dates: number;
}

/** One walk-forward window of a model (dates YYYY-MM-DD). */
export interface ModelWindowView {
  readonly trainStart: string;
  readonly trainEnd: string;
  readonly testStart: string;
  readonly testEnd: string;
  readonly metrics: ModelMetricsView | null;
}

/** A registry entry as `models:list` shows it. */
export interface ModelSummaryView {
  readonly id: string;
  readonly kind: string;
  readonly name: string | null;
  readonly createdAt: number;
  readonly dataFingerprint: string;
  readonly featureSetHash: string;
  readonly features: readonly string[];
  readonly metrics: ModelMetricsView | null;
}

/** `models:get`: a model with its lineage, windows and importance. */
export interface ModelDetailView extends ModelSummaryView {
  readonly spec: unknown;
  readonly lineage: Readonly<Record<string, unknown>>;
  readonly windows: readonly ModelWindowView[];
  readonly importance: readonly { readonly feature: string; readonly importance: number }[] | null;
}

/** `models:explain`: base + Σ contribution = prediction. */
export interface ModelExplanationView {
  readonly prediction: number;
  readonly base: number;
  readonly contributions: readonly { readonly feature: string; readonly value: number | null; readonly contribution: number }[];
}


/** The models methods (a slice of `METHODS`). */
export const modelsMethods = {
  // -- models (machine learning issue)
  'models:list': method(noInput).returns<readonly ModelSummaryView[]>(),
  'models:get': method(z.object({ id: z.string().min(1) }).strict()).returns<ModelDetailView>(),
  /** Trains a model spec walk-forward (windows on the pool when it can); progress on `models:progressed`. */
  'models:train': method(z.object({ spec: z.record(z.string(), z.unknown()) }).strict()).returns<{ readonly modelId: string; readonly windows: readonly ModelWindowView[]; readonly metrics: ModelMetricsView }>(),
  /** Cancels the running `models:train` (it then fails with `cancelled`). */
  'models:cancel': method(noInput).returns<{ readonly cancelled: boolean }>(),
  'models:explain': method(z.object({ id: z.string().min(1), symbol: z.string().min(1), date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }).strict()).returns<ModelExplanationView>(),
} as const;

/** The models events (a slice of `EVENTS`). */
export const modelsEvents = {
  // -- models
  /** Training progress: windows done of total. */
  'models:progressed': event<{ readonly done: number; readonly total: number }>(),
} as const;
