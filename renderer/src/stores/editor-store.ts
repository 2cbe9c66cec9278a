import { create } from 'zustand';
import type { AppError, StrategyProblem, StrategyTypeDiagnostic, StrategyVersionView } from '../../../core/contract';
import { TEMPLATES, type TemplateKind } from '../views/strategies/templates';
import { runBacktest, setSetup, useBacktestStore } from './backtest-store';
import { showView, useNavStore } from './nav-store';
import { loadStrategies, selectStrategy, useStrategiesStore } from './strategies-store';

interface EditorState {
  /** The stored strategy being edited (null: a new, unsaved one). */
  readonly name: string | null;
  readonly source: string;
  /** The source as last saved or opened (dirty when it differs). */
  readonly savedSource: string;
  readonly problems: readonly StrategyProblem[];
  /** TypeScript's diagnostics of the source against the SDK's declarations (the last finished check). */
  readonly typeErrors: readonly StrategyTypeDiagnostic[];
  readonly versions: readonly StrategyVersionView[];
  /** A stored version shown as a diff against the editor's text. */
  readonly diff: { readonly version: number; readonly source: string } | null;
  readonly status: string;
  readonly error: AppError | null;
}

export const useEditorStore = create<EditorState>()(() => ({
  name: null,
  source: TEMPLATES.single,
  savedSource: '',
  problems: [],
  typeErrors: [],
  versions: [],
  diff: null,
  status: '',
  error: null,
}));

export function setSource(source: string): void {
  useEditorStore.setState({ source });
}

/** Starts a new strategy from the template of `kind`. */
export function newFromTemplate(kind: TemplateKind): void {
  useEditorStore.setState({
    name: null,
    source: TEMPLATES[kind],
    savedSource: '',
    problems: [],
    versions: [],
    diff: null,
    status: `new ${kind} strategy`,
    error: null,
  });
  void compileSource(TEMPLATES[kind]);
}

/** Compiles the source in the host's sandbox; returns the problems (also kept in the store). */
export async function compileSource(source: string): Promise<readonly StrategyProblem[]> {
  const r = await window.api.invoke('strategies:compile', { source });
  if (!r.ok) {
    useEditorStore.setState({ error: r.error });
    return [];
  }
  useEditorStore.setState({ problems: r.value.problems, error: null });
  return r.value.problems;
}

/** The type check in flight, and the newest source waiting for it (typing faster than the checker runs). */
let checking: Promise<readonly StrategyTypeDiagnostic[]> | null = null;
let waiting: { source: string; result: Promise<readonly StrategyTypeDiagnostic[]> } | null = null;

async function typecheckNow(source: string): Promise<readonly StrategyTypeDiagnostic[]> {
  const r = await window.api.invoke('strategies:typecheck', {
    source: source.slice(0, 200_000),
    fileName: `${useEditorStore.getState().name ?? 'strategy'}.ts`,
  });
  const typeErrors = r.ok && !r.value.timedOut ? r.value.diagnostics : [];
  useEditorStore.setState({ typeErrors });
  return typeErrors;
}

/**
 * Type-checks the source against the SDK's declarations (the host runs TypeScript on a pool worker;
 * seconds). One check at a time: while one runs, only the newest source waits (older ones share its
 * result, which the editor drops as stale). A check that failed or ran out of time gives none.
 */
export function typecheckSource(source: string): Promise<readonly StrategyTypeDiagnostic[]> {
  if (!checking) {
    checking = typecheckNow(source).finally(() => {
      checking = null;
    });
    return checking;
  }
  if (waiting) {
    waiting.source = source;
    return waiting.result;
  }
  const w: { source: string; result: Promise<readonly StrategyTypeDiagnostic[]> } = {
    source,
    result: Promise.resolve([]),
  };
  w.result = checking
    .catch(() => [])
    .then(() => {
      waiting = null;
      return typecheckSource(w.source);
    });
  waiting = w;
  return w.result;
}

/** Opens a stored strategy (its newest version) with its history. */
export async function openStored(name: string, version?: number): Promise<void> {
  const r = await window.api.invoke('strategies:source', version === undefined ? { name } : { name, version });
  if (!r.ok) {
    useEditorStore.setState({ error: r.error });
    return;
  }
  useEditorStore.setState({
    name,
    source: r.value.source,
    savedSource: r.value.source,
    versions: r.value.versions,
    diff: null,
    problems: [],
    status: `${name} v${r.value.version}`,
    error: null,
  });
}

/** Shows stored `version` as a diff against the editor's text (null hides it). */
export async function showDiff(version: number | null): Promise<void> {
  const name = useEditorStore.getState().name;
  if (version === null || name === null) {
    useEditorStore.setState({ diff: null });
    return;
  }
  const r = await window.api.invoke('strategies:source', { name, version });
  if (r.ok) useEditorStore.setState({ diff: { version, source: r.value.source } });
  else useEditorStore.setState({ error: r.error });
}

/** Saves the editor's source as a new version; returns the strategy's name, or null when it did not save. */
export async function saveSource(): Promise<string | null> {
  const { source, name } = useEditorStore.getState();
  const r = await window.api.invoke('strategies:save', name ? { source, name } : { source });
  if (!r.ok) {
    await compileSource(source);
    useEditorStore.setState({ error: r.error, status: 'not saved' });
    return null;
  }
  const hist = await window.api.invoke('strategies:source', { name: r.value.name });
  useEditorStore.setState({
    name: r.value.name,
    savedSource: source,
    versions: hist.ok ? hist.value.versions : [],
    status: r.value.added
      ? `saved ${r.value.name} v${r.value.version}`
      : `${r.value.name} v${r.value.version} unchanged`,
    error: null,
  });
  await loadStrategies();
  return r.value.name;
}

/** Saves, then runs the strategy with its defaults in the Backtest view. */
export async function backtestFromEditor(): Promise<void> {
  const name = await saveSource();
  if (!name) return;
  // An empty form gets a market to run on: the chart's symbol or the first instrument (a single-symbol
  // strategy), or every instrument (cross-sectional and portfolio strategies).
  const setup = useBacktestStore.getState().setup;
  if (setup.symbols.trim() === '' && setup.universe.trim() === '') {
    const kind = useStrategiesStore.getState().strategies.find((s) => s.name === name)?.kind;
    if (kind !== 'single') setSetup({ universe: 'all' });
    else {
      const chosen = useNavStore.getState().symbol;
      const list = chosen ? null : await window.api.invoke('data:instruments');
      const first = chosen ?? (list && list.ok && list.value.length > 0 ? list.value[0].symbol : null);
      if (first) setSetup({ symbols: first });
    }
  }
  selectStrategy(name);
  showView('backtest');
  await runBacktest();
}
