import { create } from 'zustand';
import type {
  AppError,
  ModelDetailView,
  ModelSpecInput,
  ModelExplanationView,
  ModelSummaryView,
} from '../../../core/contract';

/** A small default spec the train form starts from (edit it as JSON). */
export const DEFAULT_MODEL_SPEC = {
  universe: 'all',
  start: '2016-01-01',
  end: '2019-12-31',
  features: [
    { name: 'return', window: 5 },
    { name: 'rsi', period: 14 },
    { name: 'volatility', window: 20 },
    { name: 'pbr' },
  ],
  label: { kind: 'forward-return', horizon: 5 },
  model: { kind: 'gbdt', trees: 50, depth: 4, learningRate: 0.05, seed: 1 },
  walkForward: { train: 504, test: 126, embargo: 5, anchored: false },
};

interface ModelsState {
  readonly models: readonly ModelSummaryView[];
  readonly selected: ModelDetailView | null;
  readonly progress: { done: number; total: number } | null;
  readonly isTraining: boolean;
  readonly startedAt: number;
  readonly error: AppError | null;
  readonly explanation: ModelExplanationView | null;
  readonly explainError: AppError | null;
}

export const useModelsStore = create<ModelsState>()(() => ({
  models: [],
  selected: null,
  progress: null,
  isTraining: false,
  startedAt: 0,
  error: null,
  explanation: null,
  explainError: null,
}));

/** Loads the registry. */
export async function loadModels(): Promise<void> {
  const r = await window.api.invoke('models:list');
  useModelsStore.setState(r.ok ? { models: r.value } : { error: r.error });
}

/** Opens one model's lineage, windows and importance. */
export async function selectModel(id: string): Promise<void> {
  const r = await window.api.invoke('models:get', { id });
  useModelsStore.setState(r.ok ? { selected: r.value, explanation: null, explainError: null } : { error: r.error });
}

/** Trains a spec given as JSON text; a parse error or a bad spec lands in `error`. */
export async function trainModel(specText: string): Promise<void> {
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(specText) as Record<string, unknown>;
  } catch (e) {
    useModelsStore.setState({ error: { code: 'invalid-input', message: `spec: ${(e as Error).message}` } });
    return;
  }
  useModelsStore.setState({ isTraining: true, error: null, progress: { done: 0, total: 0 }, startedAt: Date.now() });
  const off = window.api.on('models:progressed', (p) => useModelsStore.setState({ progress: p }));
  try {
    // The user's JSON: the host validates it against the model spec schema.
    const r = await window.api.invoke('models:train', { spec: spec as ModelSpecInput });
    if (!r.ok) {
      useModelsStore.setState({ error: r.error });
      return;
    }
    await loadModels();
    await selectModel(r.value.modelId);
  } finally {
    off();
    useModelsStore.setState({ isTraining: false });
  }
}

/** Cancels the running training. */
export async function cancelTraining(): Promise<void> {
  await window.api.invoke('models:cancel');
}

/** Explains one prediction of the selected model. */
export async function explainPrediction(id: string, symbol: string, date: string): Promise<void> {
  const r = await window.api.invoke('models:explain', { id, symbol, date });
  useModelsStore.setState(
    r.ok ? { explanation: r.value, explainError: null } : { explanation: null, explainError: r.error },
  );
}
