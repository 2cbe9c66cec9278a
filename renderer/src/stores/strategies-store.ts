import { create } from 'zustand';
import type { AppError, StrategyDescription } from '../../../core/contract';
import { defaultValues, fieldsFromSchema, type JsonSchema, type ParamField } from '../lib/param-form';

interface StrategiesState {
  readonly strategies: readonly StrategyDescription[];
  readonly error: AppError | null;
  /** The chosen strategy, its generated fields and the texts typed in them. */
  readonly selected: string | null;
  readonly fields: readonly ParamField[];
  readonly paramTexts: Readonly<Record<string, string>>;
}

export const useStrategiesStore = create<StrategiesState>()(() => ({
  strategies: [],
  error: null,
  selected: null,
  fields: [],
  paramTexts: {},
}));

/** Loads the strategy catalogue and selects the first one (or keeps the current selection). */
export async function loadStrategies(): Promise<void> {
  const r = await window.api.invoke('strategies:list');
  if (!r.ok) {
    useStrategiesStore.setState({ error: r.error });
    return;
  }
  useStrategiesStore.setState({ strategies: r.value, error: null });
  const cur = useStrategiesStore.getState().selected;
  const keep = cur !== null && r.value.some((s) => s.name === cur);
  if (!keep && r.value.length > 0) selectStrategy(r.value[0].name);
}

/** Chooses a strategy: regenerates the form from its param schema with the defaults filled in. */
export function selectStrategy(name: string, overrides: Readonly<Record<string, unknown>> = {}): void {
  const s = useStrategiesStore.getState().strategies.find((x) => x.name === name);
  const fields = fieldsFromSchema((s?.params ?? null) as JsonSchema | null);
  const texts = defaultValues(fields);
  for (const [k, v] of Object.entries(overrides))
    if (k in texts) texts[k] = typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  useStrategiesStore.setState({ selected: name, fields, paramTexts: texts });
}

/** Records the text typed in one parameter field. */
export function setParamText(name: string, text: string): void {
  useStrategiesStore.setState((s) => ({ paramTexts: { ...s.paramTexts, [name]: text } }));
}
