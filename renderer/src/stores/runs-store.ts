import { create } from 'zustand';
import { specToForm } from './backtest-form';
import { loadHistory, runSpec, useBacktestStore } from './backtest-store';
import { MAX_COMPARE } from '../lib/run-compare';
import { toRunModel, type RunModel } from './run-model';
import { applySpecForm } from './spec-file';

/** Runs you can manage (issue 17): the history's search, the runs compared side by side, label edits. */
interface RunsState {
  readonly query: string;
  /** Up to four runs compared, in the order added. */
  readonly compared: readonly RunModel[];
}

export const useRunsStore = create<RunsState>()(() => ({ query: '', compared: [] }));

export function setRunQuery(query: string): void {
  useRunsStore.setState({ query });
}

async function loadModel(id: string): Promise<RunModel | null> {
  const r = await window.api.invoke('runs:get', { id });
  if (r.ok && r.value.result) return toRunModel(r.value.result);
  useBacktestStore.setState({
    error: r.ok ? { code: 'not-found', message: `Run ${id} has no stored result` } : r.error,
  });
  return null;
}

/**
 * Adds a run to the comparison or takes it out. The first one added brings the run open in the view with
 * it (so "Compare" on a row compares it with the open run). At most four: a fifth is refused with a message.
 */
export async function toggleCompare(id: string): Promise<void> {
  const cur = useRunsStore.getState().compared;
  if (cur.some((m) => m.runId === id)) {
    useRunsStore.setState({ compared: cur.filter((m) => m.runId !== id) });
    return;
  }
  if (cur.length >= MAX_COMPARE) {
    useBacktestStore.setState({
      error: { code: 'invalid-input', message: `Compare at most ${MAX_COMPARE} runs: take one out first` },
    });
    return;
  }
  const m = await loadModel(id);
  if (!m) return;
  const open = useBacktestStore.getState().result;
  const next = [...useRunsStore.getState().compared];
  if (next.length === 0 && open && open.runId !== id) next.push(open);
  next.push(m);
  useRunsStore.setState({ compared: next.slice(0, MAX_COMPARE) });
}

export function clearCompare(): void {
  useRunsStore.setState({ compared: [] });
}

/** Saves a run's name, tags and note, then refreshes the history. */
export async function labelRun(
  id: string,
  label: { name: string; tags: readonly string[]; note: string },
): Promise<boolean> {
  const r = await window.api.invoke('runs:label', { id, name: label.name, tags: [...label.tags], note: label.note });
  if (!r.ok) {
    useBacktestStore.setState({ error: r.error });
    return false;
  }
  await loadHistory();
  return true;
}

/** Deletes a run (with its payload); closes it if open or compared. */
export async function deleteRun(id: string): Promise<boolean> {
  const r = await window.api.invoke('runs:delete', { id });
  if (!r.ok) {
    useBacktestStore.setState({ error: r.error });
    return false;
  }
  useRunsStore.setState((s) => ({ compared: s.compared.filter((m) => m.runId !== id) }));
  if (useBacktestStore.getState().runId === id)
    useBacktestStore.setState({ result: null, runId: null, benchmark: null });
  await loadHistory();
  return true;
}

/** Puts a stored run's spec into the Backtest form. */
export async function openInForm(id: string): Promise<boolean> {
  const r = await window.api.invoke('runs:get', { id });
  if (!r.ok) {
    useBacktestStore.setState({ error: r.error });
    return false;
  }
  const f = specToForm(r.value.spec);
  if (!f.ok) {
    useBacktestStore.setState({ error: { code: 'invalid-input', message: `Run ${id}: ${f.error}` } });
    return false;
  }
  return applySpecForm(`Run ${id}`, f.form);
}

/** Runs a stored run's spec again, as stored (same settings, today's data). */
export async function rerun(id: string): Promise<void> {
  const r = await window.api.invoke('runs:get', { id });
  if (!r.ok) {
    useBacktestStore.setState({ error: r.error });
    return;
  }
  await runSpec(r.value.spec as Record<string, unknown>);
}
