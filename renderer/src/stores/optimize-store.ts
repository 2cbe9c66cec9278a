import { create } from 'zustand';
import type { AppError, RunSummaryView, SweepResultView, SweepRowView } from '../../../core/contract';
import { buildSpec } from './backtest-form';
import { runBacktest, useBacktestStore } from './backtest-store';
import { buildSweep, type AxisForm } from './optimize-form';
import { showView } from './nav-store';
import { selectStrategy, useStrategiesStore } from './strategies-store';

/** How the sweep searches: every combination, `samples` random ones, or a seeded genetic search within `budget` (issue 17). */
export interface SearchForm {
  readonly kind: 'grid' | 'random' | 'genetic';
  readonly samples: string;
  readonly budget: string;
  readonly seed: string;
}

/** At most this many swept parameters. */
export const MAX_AXES = 6;

interface OptimizeState {
  readonly axes: readonly AxisForm[];
  readonly search: SearchForm;
  readonly objective: string;
  /** Workers for the sweep as typed; empty = the host's pool (one per core). */
  readonly workers: string;
  readonly formErrors: Readonly<Record<string, string>>;
  readonly running: { id: string | null; done: number; total: number; startedAt: number; etaMs: number | null } | null;
  readonly output: SweepResultView | null;
  readonly error: AppError | null;
  /** Sweeps stored in the run registry, newest first (issue 17: a saved sweep reopens with its heatmap). */
  readonly saved: readonly RunSummaryView[];
  /** The id of the sweep shown (run now or reopened). */
  readonly shownId: string | null;
}

const EMPTY_AXIS: AxisForm = { param: '', from: '', to: '', step: '' };

export const useOptimizeStore = create<OptimizeState>()(() => ({
  axes: [EMPTY_AXIS, EMPTY_AXIS],
  search: { kind: 'grid', samples: '200', budget: '120', seed: '1' },
  objective: 'sharpe',
  workers: '',
  formErrors: {},
  running: null,
  output: null,
  error: null,
  saved: [],
  shownId: null,
}));

/** Lists the stored sweeps. */
export async function loadSavedSweeps(): Promise<void> {
  const r = await window.api.invoke('runs:list', { kind: 'sweep', limit: 200 });
  if (r.ok) useOptimizeStore.setState({ saved: r.value });
}

/** Reopens a stored sweep: its results, heatmap and parallel coordinates. */
export async function openSavedSweep(id: string): Promise<void> {
  const r = await window.api.invoke('sweep:get', { id });
  if (!r.ok) useOptimizeStore.setState({ error: r.error });
  else if (r.value.result) useOptimizeStore.setState({ output: r.value.result, shownId: id, error: null });
}

export function setAxis(i: number, patch: Partial<AxisForm>): void {
  useOptimizeStore.setState((s) => {
    const axes = [...s.axes];
    axes[i] = { ...axes[i], ...patch };
    return { axes };
  });
}

/** Adds a parameter row (up to {@link MAX_AXES}). */
export function addAxis(): void {
  useOptimizeStore.setState((s) => (s.axes.length >= MAX_AXES ? s : { axes: [...s.axes, EMPTY_AXIS] }));
}

/** Removes parameter row `i` (two rows always stay). */
export function removeAxis(i: number): void {
  useOptimizeStore.setState((s) =>
    s.axes.length <= 2
      ? { axes: s.axes.map((a, k) => (k === i ? EMPTY_AXIS : a)) }
      : { axes: s.axes.filter((_, k) => k !== i) },
  );
}

export function setSearch(patch: Partial<SearchForm>): void {
  useOptimizeStore.setState((s) => ({ search: { ...s.search, ...patch } }));
}

/** The sweep file's `search` from the form, or a message. */
export function buildSearch(f: SearchForm): { search?: Record<string, unknown>; total?: number; error?: string } {
  if (f.kind === 'grid') return { search: { kind: 'grid' } };
  const int = (t: string) => (/^\s*-?\d+\s*$/.test(t) ? Number(t) : Number.NaN);
  const seed = int(f.seed);
  if (!Number.isInteger(seed)) return { error: 'Seed: a whole number' };
  if (f.kind === 'random') {
    const n = int(f.samples);
    if (!(n >= 1)) return { error: 'Samples: a whole number ≥ 1' };
    return { search: { kind: 'random', samples: n, seed }, total: n };
  }
  const b = int(f.budget);
  if (!(b >= 2)) return { error: 'Budget: a whole number ≥ 2' };
  return {
    search: { kind: 'genetic', budget: b, seed, population: Math.max(8, Math.min(32, Math.round(b / 8))) },
    total: b,
  };
}

/** Parses the workers field: undefined for the host's default, a count 1–64, or an error message. */
export function parseWorkers(text: string): { workers?: number; error?: string } {
  const t = text.trim();
  if (t === '') return {};
  const n = Number(t);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    return { error: 'Workers: a whole number from 1 to 64, or empty for one per core' };
  return { workers: n };
}

export function setOptimizeOption(patch: Partial<Pick<OptimizeState, 'objective' | 'workers'>>): void {
  useOptimizeStore.setState(patch);
}

let off: (() => void)[] = [];
/** Sweeps that finished, by id: the event can arrive before `sweep:start` answers. */
const finished = new Map<string, () => void>();
const finishedEarly = new Set<string>();

let followed: unknown = null;
// Subscribes once per `window.api` object (tests install a fresh fake per case).
function follow(): void {
  if (followed === window.api) return;
  for (const f of off) f();
  followed = window.api;
  off = [
    window.api.on('sweep:progressed', (p) => {
      const cur = useOptimizeStore.getState().running;
      if (cur && (cur.id === null || cur.id === p.id))
        useOptimizeStore.setState({ running: { ...cur, id: p.id, done: p.completed, total: p.total, etaMs: p.etaMs } });
    }),
    window.api.on('sweep:finished', (f) => {
      const done = finished.get(f.id);
      if (done) done();
      else finishedEarly.add(f.id);
    }),
  ];
}

function whenFinished(id: string): Promise<void> {
  if (finishedEarly.delete(id)) return Promise.resolve();
  return new Promise((resolve) =>
    finished.set(id, () => {
      finished.delete(id);
      resolve();
    }),
  );
}

/**
 * Builds the sweep from the Backtest form and the axes and starts it on the host's pool; progress
 * (with ETA) follows `sweep:progressed`, and on `sweep:finished` the result is fetched with `sweep:get`.
 */
export async function startSweep(): Promise<void> {
  const st = useStrategiesStore.getState();
  const base = buildSpec(st.selected, st.fields, st.paramTexts, useBacktestStore.getState().setup);
  const s = useOptimizeStore.getState();
  if (!base.spec) {
    useOptimizeStore.setState({
      formErrors: { base: `Fix the Backtest setup first: ${Object.values(base.errors).join('; ')}` },
    });
    return;
  }
  const built = { ...buildSweep(base.spec, s.axes, s.objective, 500) };
  const workers = parseWorkers(s.workers);
  const search = buildSearch(s.search);
  const formErrors: Record<string, string> = {
    ...built.errors,
    ...(workers.error ? { workers: workers.error } : {}),
    ...(search.error ? { search: search.error } : {}),
  };
  useOptimizeStore.setState({ formErrors });
  if (workers.error || search.error) return;
  if (!built.sweep) return;
  built.sweep = { ...built.sweep, search: search.search } as typeof built.sweep;
  if (search.total !== undefined) built.combinations = Math.min(built.combinations, search.total);
  follow();
  // The previous sweep's heatmap and best leave the screen: under a cancelled or failed banner they would pass for this sweep's.
  useOptimizeStore.setState({
    running: { id: null, done: 0, total: built.combinations, startedAt: Date.now(), etaMs: null },
    output: null,
    error: null,
  });
  const started = await window.api.invoke('sweep:start', { sweep: built.sweep, workers: workers.workers });
  if (!started.ok) {
    useOptimizeStore.setState({ running: null, error: started.error });
    return;
  }
  const id = started.value.id;
  useOptimizeStore.setState((x) => ({ running: x.running ? { ...x.running, id } : null }));
  await whenFinished(id);
  const r = await window.api.invoke('sweep:get', { id });
  if (!r.ok) useOptimizeStore.setState({ running: null, error: r.error });
  else if (r.value.result) {
    useOptimizeStore.setState({ running: null, output: r.value.result, shownId: id, error: null });
    void loadSavedSweeps();
  } else {
    const done = useOptimizeStore.getState().running;
    const where =
      done && done.total > 0
        ? ` after ${done.done.toLocaleString('en-US')} of ${done.total.toLocaleString('en-US')} combinations`
        : '';
    useOptimizeStore.setState({
      running: null,
      output: null,
      error:
        r.value.status === 'cancelled'
          ? { code: 'cancelled', message: `Sweep cancelled${where}: no result (run it again to see a heatmap).` }
          : { code: 'internal', message: r.value.error ?? `Sweep ${r.value.status}` },
    });
  }
}

/** Stops the running sweep; the workers drop their jobs and the sweep finishes `cancelled`. */
export async function cancelSweep(): Promise<void> {
  const id = useOptimizeStore.getState().running?.id;
  if (id) await window.api.invoke('sweep:cancel', { id });
}

/** Opens a sweep result as a backtest: the strategy form gets its parameters, then the run starts. */
export async function openAsBacktest(row: SweepRowView): Promise<void> {
  const st = useStrategiesStore.getState();
  if (st.selected) selectStrategy(st.selected, { ...st.paramTexts, ...row.params });
  showView('backtest');
  await runBacktest();
}
