import { create } from 'zustand';
import type { AppError, BacktestColumnsView, BacktestSpecInput, RunSummaryView } from '../../../core/contract';
import { createFinishWaiter } from '../lib/finish-waiter';
import { buildSpec, DEFAULT_SETUP, type SetupForm } from './backtest-form';
import { setMarks } from './marks-store';
import { jumpToChart } from './nav-store';
import { toRunModel, type RunModel, type TradeRow } from './run-model';
import { useStrategiesStore } from './strategies-store';

/** A run in progress: the engine's fraction done, for the progress bar and ETA. */
export interface RunProgress {
  readonly runId: string | null;
  readonly fraction: number;
  readonly startedAt: number;
}

interface BacktestState {
  readonly setup: SetupForm;
  /** Per-field messages from the last Run attempt (`setup.<field>`, `params.<name>`). */
  readonly formErrors: Readonly<Record<string, string>>;
  readonly running: RunProgress | null;
  readonly result: RunModel | null;
  readonly runId: string | null;
  /** The benchmark's closes over the run's dates, when the spec names one. */
  readonly benchmark: { readonly time: Float64Array; readonly close: Float64Array } | null;
  readonly history: readonly RunSummaryView[];
  /** A second run shown beside the current one. */
  readonly compare: RunModel | null;
  readonly error: AppError | null;
}

export const useBacktestStore = create<BacktestState>()(() => ({
  setup: DEFAULT_SETUP,
  formErrors: {},
  running: null,
  result: null,
  runId: null,
  benchmark: null,
  history: [],
  compare: null,
  error: null,
}));

export function setSetup(patch: Partial<SetupForm>): void {
  useBacktestStore.setState((s) => ({ setup: { ...s.setup, ...patch } }));
}

type Finished = {
  status: 'finished' | 'failed' | 'cancelled';
  error: string | null;
  result?: BacktestColumnsView | null;
};
let waiter = createFinishWaiter<Finished>();
let offEvents: (() => void)[] = [];

function follow(): void {
  if (offEvents.length > 0) return;
  offEvents = [
    window.api.on('backtest:progressed', (p) => {
      const cur = useBacktestStore.getState().running;
      if (cur && (cur.runId === null || cur.runId === p.runId))
        useBacktestStore.setState({ running: { ...cur, runId: p.runId, fraction: p.fraction } });
    }),
    window.api.on('backtest:finished', (f) => waiter.finished(f.runId, f)),
  ];
}

/** For tests: forget subscriptions and pending waits. */
export function resetBacktestEvents(): void {
  for (const off of offEvents) off();
  offEvents = [];
  waiter = createFinishWaiter<Finished>();
}

/**
 * Validates the form and starts the run; follows `backtest:progressed`, and on `backtest:finished`
 * shows the result the event carries (asking `runs:get` only when it carries none). Errors (the
 * engine's, naming `spec.<field>`) show in place.
 */
export async function runBacktest(): Promise<void> {
  const st = useStrategiesStore.getState();
  const { spec, errors } = buildSpec(st.selected, st.fields, st.paramTexts, useBacktestStore.getState().setup);
  useBacktestStore.setState({ formErrors: errors });
  if (!spec) return;
  await runSpec(spec as Record<string, unknown>);
}

/** Starts a run of `spec` (the form's, or a stored run's for Re-run), follows it and opens the result. */
export async function runSpec(spec: Record<string, unknown>): Promise<void> {
  follow();
  useBacktestStore.setState({ running: { runId: null, fraction: 0, startedAt: Date.now() }, error: null });
  // The form's or a stored run's spec: the host validates it against the engine's schema.
  const started = await window.api.invoke('backtest:start', { spec: spec as BacktestSpecInput });
  if (!started.ok) {
    useBacktestStore.setState({ running: null, error: started.error });
    return;
  }
  const runId = started.value.runId;
  useBacktestStore.setState((s) => ({ running: s.running ? { ...s.running, runId } : null }));
  const fin = await waiter.wait(runId);
  if (fin.status !== 'finished') {
    const message =
      fin.status === 'cancelled' ? 'Backtest cancelled' : `Backtest failed: ${fin.error ?? 'no reason given'}`;
    useBacktestStore.setState({
      running: null,
      error: { code: fin.status === 'cancelled' ? 'cancelled' : 'internal', message },
    });
    return;
  }
  if (fin.result) showRun(fin.result);
  else await openRun(runId);
  useBacktestStore.setState({ running: null });
  void loadHistory();
}

/** Shows a run's columns as the current result; the benchmark comes with them when the host sent it. */
function showRun(v: BacktestColumnsView): RunModel {
  const result = toRunModel(v);
  const benchmark = v.benchmark ? { time: v.benchmark.time, close: v.benchmark.close } : null;
  useBacktestStore.setState({ result, runId: v.runId, benchmark, error: null });
  showTradesOnChart(result.trades);
  return result;
}

/** Loads a stored run and shows it as the current result (history, "open"). */
export async function openRun(id: string): Promise<void> {
  const r = await window.api.invoke('runs:get', { id });
  if (!r.ok || !r.value.result) {
    useBacktestStore.setState({
      error: r.ok ? { code: 'not-found', message: `Run ${id} has no stored result` } : r.error,
    });
    return;
  }
  const result = showRun(r.value.result);
  if (r.value.result.benchmark === undefined) await loadBenchmark(result);
}

/** Loads the benchmark's closes over the run's dates (shown rebased to the starting capital). */
export async function loadBenchmark(result: RunModel): Promise<void> {
  const sym = result.spec.benchmark;
  const t = result.equity.time;
  if (!sym || t.length === 0) return;
  const r = await window.api.invoke('data:bars', { symbol: sym, from: t[0], to: t[t.length - 1] });
  if (useBacktestStore.getState().result !== result) return;
  if (r.ok) useBacktestStore.setState({ benchmark: { time: r.value.time, close: r.value.close } });
  else useBacktestStore.setState({ error: r.error });
}

/** Asks the core to stop the running backtest; it then finishes `cancelled`. */
export async function cancelBacktest(): Promise<void> {
  const runId = useBacktestStore.getState().running?.runId;
  if (runId) await window.api.invoke('backtest:cancel', { runId });
}

/** The run registry, newest first. */
export async function loadHistory(): Promise<void> {
  const r = await window.api.invoke('runs:list', { limit: 200, kind: 'backtest' });
  useBacktestStore.setState(r.ok ? { history: r.value } : { error: r.error });
}

/** Loads a second run to compare side by side with the current one (null clears). */
export async function compareWith(id: string | null): Promise<void> {
  if (id === null) {
    useBacktestStore.setState({ compare: null });
    return;
  }
  const r = await window.api.invoke('runs:get', { id });
  if (r.ok && r.value.result) useBacktestStore.setState({ compare: toRunModel(r.value.result) });
  else
    useBacktestStore.setState({
      error: r.ok ? { code: 'not-found', message: `Run ${id} has no stored result` } : r.error,
    });
}

/** The run exported as text: trades CSV or the self-contained HTML report. */
export async function exportRun(id: string, format: 'csv' | 'html'): Promise<string | null> {
  const r = await window.api.invoke('runs:export', { id, format });
  if (!r.ok) {
    useBacktestStore.setState({ error: r.error });
    return null;
  }
  return r.value;
}

/** Entry and exit markers of a run's trades, for the chart. */
export function showTradesOnChart(trades: readonly TradeRow[]): void {
  const marks = [];
  for (const t of trades) {
    const long = t.side === 'long';
    marks.push({
      symbol: t.symbol,
      time: t.entryMs,
      side: long ? ('buy' as const) : ('sell' as const),
      text: long ? 'L' : 'S',
    });
    marks.push({ symbol: t.symbol, time: t.exitMs, side: long ? ('sell' as const) : ('buy' as const), text: 'x' });
  }
  setMarks(marks);
}

/** Opens the Chart on a trade: its symbol, scrolled to its entry, with the run's markers. */
export function openTrade(t: TradeRow): void {
  const result = useBacktestStore.getState().result;
  if (result) showTradesOnChart(result.trades);
  jumpToChart(t.symbol, t.entryMs);
}
