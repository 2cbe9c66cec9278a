import { create } from 'zustand';
import type { AppError, BacktestSpecInput, MonteCarloView, WalkForwardView } from '../../../core/contract';
import { buildSpec } from './backtest-form';
import { useBacktestStore } from './backtest-store';
import { buildSweep, neighbourhoodAxes } from './optimize-form';
import { useOptimizeStore } from './optimize-store';
import { useStrategiesStore } from './strategies-store';

interface RobustnessState {
  readonly wfForm: { readonly train: string; readonly test: string; readonly anchored: boolean };
  readonly mcForm: { readonly paths: string; readonly method: 'trades' | 'returns'; readonly seed: string };
  readonly wf: WalkForwardView | null;
  readonly mc: MonteCarloView | null;
  /**
   * The run Monte Carlo resamples, as the user chose it in the panel: a stored run id, `''` for the Backtest
   * form's spec (run first, not stored), or null while not chosen (then the run open in Backtest, shown as chosen).
   */
  readonly mcRunId: string | null;
  /** Which run the result on screen is of (null: the Backtest form's spec). */
  readonly mcOf: {
    readonly runId: string | null;
    readonly strategy: string;
    readonly span?: readonly [number, number];
  } | null;
  readonly isRunningWf: boolean;
  readonly isRunningMc: boolean;
  readonly error: AppError | null;
  /** Walk-forward efficiency of the sweep's best cell (see {@link runBestCellWfe}); `of` is the best cell's params as JSON. */
  readonly bestWfe: BestCellWfe | null;
}

/** The best cell's walk-forward: re-optimised per window over its one-step neighbourhood. */
export interface BestCellWfe {
  readonly of: string;
  readonly combos: number;
  readonly running: boolean;
  readonly view: WalkForwardView | null;
  readonly error: string | null;
}

export const useRobustnessStore = create<RobustnessState>()(() => ({
  wfForm: { train: '504', test: '126', anchored: false },
  mcForm: { paths: '1000', method: 'trades', seed: '1' },
  wf: null,
  mc: null,
  mcRunId: null,
  mcOf: null,
  isRunningWf: false,
  isRunningMc: false,
  error: null,
  bestWfe: null,
}));

function baseSpec() {
  const st = useStrategiesStore.getState();
  return buildSpec(st.selected, st.fields, st.paramTexts, useBacktestStore.getState().setup);
}

function invalid(message: string): AppError {
  return { code: 'invalid-input', message };
}

/** Walk-forward over the sweep's grid: train/test windows in bars; in-sample vs out-of-sample per window. */
export async function runWalkForward(): Promise<void> {
  const { wfForm } = useRobustnessStore.getState();
  const train = Number(wfForm.train);
  const test = Number(wfForm.test);
  if (!Number.isInteger(train) || train < 2 || !Number.isInteger(test) || test < 1) {
    useRobustnessStore.setState({
      error: invalid('Walk-forward: train must be a whole number ≥ 2 bars and test ≥ 1 bar'),
    });
    return;
  }
  const base = baseSpec();
  if (!base.spec) {
    useRobustnessStore.setState({
      error: invalid(`Fix the Backtest setup first: ${Object.values(base.errors).join('; ')}`),
    });
    return;
  }
  const o = useOptimizeStore.getState();
  const built = buildSweep(base.spec, o.axes, o.objective, 20);
  if (!built.sweep) {
    useRobustnessStore.setState({
      error: invalid(`Walk-forward needs the sweep's parameters: ${Object.values(built.errors).join('; ')}`),
    });
    return;
  }
  useRobustnessStore.setState({ isRunningWf: true, error: null });
  const r = await window.api.invoke('walkforward:run', { sweep: built.sweep, train, test, anchored: wfForm.anchored });
  useRobustnessStore.setState(r.ok ? { isRunningWf: false, wf: r.value } : { isRunningWf: false, error: r.error });
}

/** The run Monte Carlo will use: the user's choice, else the run open in Backtest, else `''` (the form's spec). */
export function monteCarloRunId(): string {
  const chosen = useRobustnessStore.getState().mcRunId;
  return chosen ?? useBacktestStore.getState().runId ?? '';
}

/** Chooses the run Monte Carlo resamples (`''`: the Backtest form's spec). */
export function chooseMonteCarloRun(runId: string): void {
  useRobustnessStore.setState({ mcRunId: runId });
}

/** Monte Carlo of the chosen run (see {@link monteCarloRunId}): resampled equity paths, percentiles, probability of ruin. */
export async function runMonteCarlo(): Promise<void> {
  const { mcForm } = useRobustnessStore.getState();
  const paths = Number(mcForm.paths);
  const seed = Number(mcForm.seed);
  if (!Number.isInteger(paths) || paths < 1 || paths > 1_000_000 || !Number.isInteger(seed)) {
    useRobustnessStore.setState({
      error: invalid('Monte Carlo: paths must be a whole number from 1 to 1,000,000 and the seed a whole number'),
    });
    return;
  }
  const runId = monteCarloRunId();
  const base = baseSpec();
  if (!runId && !base.spec) {
    useRobustnessStore.setState({
      error: invalid(`Choose a run, or fix the Backtest setup first: ${Object.values(base.errors).join('; ')}`),
    });
    return;
  }
  useRobustnessStore.setState({ isRunningMc: true, error: null });
  const src = runId ? { runId } : { spec: base.spec as BacktestSpecInput };
  let strategy = runId
    ? (useBacktestStore.getState().history.find((h) => h.id === runId)?.strategy ?? '')
    : String(base.spec!.strategy ?? '');
  // The fan spans the chosen run's dates: read them when it is not the run open in Backtest.
  let span: readonly [number, number] | undefined;
  if (runId && runId !== useBacktestStore.getState().runId) {
    const d = await window.api.invoke('runs:get', { id: runId });
    const t = d.ok ? d.value.result?.equity.time : undefined;
    if (d.ok) strategy = d.value.strategy;
    const a = t && t.length > 0 ? t[0] : Number.NaN;
    const b = t && t.length > 0 ? t[t.length - 1] : Number.NaN;
    if (Number.isFinite(a) && Number.isFinite(b)) span = [a, b];
  }
  const r = await window.api.invoke('montecarlo:run', { ...src, paths, method: mcForm.method, seed });
  useRobustnessStore.setState(
    r.ok
      ? { isRunningMc: false, mc: r.value, mcOf: { runId: runId || null, strategy, ...(span ? { span } : {}) } }
      : { isRunningMc: false, error: r.error },
  );
}

/**
 * Fan bands from the Monte Carlo final-equity percentiles: each band grows geometrically from the
 * starting capital to its percentile of final equity over the run's span,
 * equity_p(t) = capital × (final_p / capital)^(t / T), so the fan ends exactly at the distribution
 * the paths produced. NaN where a percentile is missing or not positive.
 */
export function equityFan(
  mc: MonteCarloView,
  startMs: number,
  endMs: number,
  steps = 60,
): { time: number[]; bands: Record<'p5' | 'p25' | 'p50' | 'p75' | 'p95', number[]> } {
  const time: number[] = [];
  const keys = ['p5', 'p25', 'p50', 'p75', 'p95'] as const;
  const bands = {
    p5: [] as number[],
    p25: [] as number[],
    p50: [] as number[],
    p75: [] as number[],
    p95: [] as number[],
  };
  for (let i = 0; i <= steps; i++) {
    const f = i / steps;
    time.push(Math.round(startMs + f * (endMs - startMs)));
    for (const k of keys) {
      const end = mc.finalEquity[k];
      bands[k].push(end === null || !(end > 0) ? Number.NaN : mc.capital * Math.pow(end / mc.capital, f));
    }
  }
  return { time, bands };
}

/**
 * Walk-forward efficiency beside the best cell: a walk-forward (the panel's train/test windows) whose
 * training windows re-optimise over the best cell's one-step neighbourhood (≤ 3 values per parameter,
 * see `neighbourhoodAxes`), so a 3-parameter guided search costs ≤ 27 runs per window, not its whole grid.
 * WFE = annualised out-of-sample return / mean annualised in-sample return (core `walkForwardEfficiency`).
 */
export async function runBestCellWfe(best: Readonly<Record<string, unknown>>): Promise<void> {
  const of = JSON.stringify(best);
  const set = (p: Partial<BestCellWfe>) =>
    useRobustnessStore.setState((s) => ({
      bestWfe: { of, combos: 0, running: false, view: null, error: null, ...s.bestWfe, ...p },
    }));
  useRobustnessStore.setState({ bestWfe: null });
  const { wfForm } = useRobustnessStore.getState();
  const train = Number(wfForm.train);
  const test = Number(wfForm.test);
  if (!Number.isInteger(train) || train < 2 || !Number.isInteger(test) || test < 1)
    return set({ error: 'walk-forward train/test (Robustness panel) must be whole numbers of bars' });
  const o = useOptimizeStore.getState();
  const axes = neighbourhoodAxes(o.axes, best);
  if (!axes) return set({ error: "the form's axes are not this sweep's parameters" });
  const base = baseSpec();
  if (!base.spec) return set({ error: `fix the Backtest setup first: ${Object.values(base.errors).join('; ')}` });
  const built = buildSweep(base.spec, axes, o.objective, 5);
  if (!built.sweep) return set({ error: Object.values(built.errors).join('; ') });
  set({ running: true, combos: built.combinations });
  const r = await window.api.invoke('walkforward:run', { sweep: built.sweep, train, test, anchored: wfForm.anchored });
  if (useRobustnessStore.getState().bestWfe?.of !== of) return;
  set(r.ok ? { running: false, view: r.value } : { running: false, error: r.error.message });
}
