import { create } from 'zustand';
import type { AppError, DataAsOf, DataImportProgress, DataImportReport, DataRevision } from '../../../core/contract';
import { parseDate } from '../../../core/model/time';

/** What a CSV file holds. */
export type ImportKind = DataImportReport['kind'];
import { loadInstruments } from './instruments-store';

interface ImportState {
  readonly kind: ImportKind;
  readonly fileName: string | null;
  readonly isRunning: boolean;
  readonly progress: DataImportProgress | null;
  readonly report: DataImportReport | null;
  /** The importer's error, with its `FILE:LINE: column: reason` details. */
  readonly error: AppError | null;
}

export const useImportStore = create<ImportState>()(() => ({ kind: 'bars', fileName: null, isRunning: false, progress: null, report: null, error: null }));

export function setImportKind(kind: ImportKind): void {
  useImportStore.setState({ kind });
}

/** Guesses the kind from a file name (`bars.csv`, `fundamentals-2020.csv`); null when unclear. */
export function kindFromFileName(name: string): ImportKind | null {
  const n = name.toLowerCase();
  if (n.includes('instrument')) return 'instruments';
  if (n.includes('fundamental')) return 'fundamentals';
  if (n.includes('action') || n.includes('split') || n.includes('dividend')) return 'actions';
  if (n.includes('bar') || n.includes('price') || n.includes('ohlc')) return 'bars';
  return null;
}

let offProgress: (() => void) | null = null;

/**
 * Imports a CSV file's text: progress follows `data:import-progressed`; a bad file stores nothing
 * and its line-numbered errors land in `error.details`. On success the coverage table reloads.
 */
export async function importFile(fileName: string, content: string, kind = kindFromFileName(fileName) ?? useImportStore.getState().kind): Promise<void> {
  useImportStore.setState({ kind, fileName, isRunning: true, progress: null, report: null, error: null });
  offProgress ??= window.api.on('data:import-progressed', (p) => {
    if (useImportStore.getState().isRunning) useImportStore.setState({ progress: p });
  });
  const r = await window.api.invoke('data:import', { kind, fileName, content });
  useImportStore.setState(r.ok ? { isRunning: false, report: r.value } : { isRunning: false, error: r.error });
  if (r.ok) await loadInstruments();
}

interface PitState {
  readonly symbol: string;
  readonly field: string;
  readonly asOf: string;
  readonly value: DataAsOf | null;
  readonly revisions: readonly DataRevision[];
  readonly error: AppError | null;
  readonly isLoading: boolean;
}

export const usePitStore = create<PitState>()(() => ({
  symbol: '',
  field: 'eps',
  asOf: '',
  value: null,
  revisions: [],
  error: null,
  isLoading: false,
}));

export function setPitInput(patch: Partial<Pick<PitState, 'symbol' | 'field' | 'asOf'>>): void {
  usePitStore.setState(patch);
}

/** One row of the PIT inspector's history: which version of its period it is, and how it relates to the as-of date. */
export interface RevisionRow extends DataRevision {
  /** 0 for the first published value of its period, n for its n-th restatement. */
  readonly version: number;
  /** The value this row replaced (the previous version of the same period), null for an original. */
  readonly restates: number | null;
  readonly isUsed: boolean;
  readonly isFuture: boolean;
}

/**
 * Labels the revision history (ordered by period, then known-at, as `data:revisions` gives it): every later
 * version of a period is a restatement of the one before it, whether or not it is the row used as of the date
 * or one not yet known then.
 */
export function revisionRows(revisions: readonly DataRevision[], value: DataAsOf | null): RevisionRow[] {
  const out: RevisionRow[] = [];
  revisions.forEach((r, i) => {
    const prev = i > 0 && revisions[i - 1].periodEnd === r.periodEnd ? out[i - 1] : null;
    out.push({
      ...r,
      version: prev ? prev.version + 1 : 0,
      restates: prev ? prev.value : null,
      isUsed: value !== null && r.periodEnd === value.periodEnd && r.knownAt === value.knownAt,
      isFuture: value !== null && r.knownAt > value.asOf,
    });
  });
  return out;
}

/** Looks up the field's value as of the date and its full revision history. */
export async function inspectPit(): Promise<void> {
  const { symbol, field, asOf } = usePitStore.getState();
  const at = parseDate(asOf.trim());
  if (!symbol.trim() || !field.trim() || at === null) {
    usePitStore.setState({ error: { code: 'invalid-input', message: 'Give a symbol, a field and an as-of date YYYY-MM-DD' } });
    return;
  }
  usePitStore.setState({ isLoading: true, error: null });
  const sym = symbol.trim().toUpperCase();
  const [v, h] = await Promise.all([
    window.api.invoke('data:asof', { symbol: sym, field: field.trim(), asOf: at }),
    window.api.invoke('data:revisions', { symbol: sym, field: field.trim() }),
  ]);
  const error = !v.ok ? v.error : !h.ok ? h.error : null;
  usePitStore.setState({ isLoading: false, error, value: v.ok ? v.value : null, revisions: h.ok ? h.value : [] });
}

interface InitState {
  readonly isRunning: boolean;
  readonly step: string | null;
  readonly rows: number;
  readonly message: string | null;
  readonly error: AppError | null;
}

export const useInitStore = create<InitState>()(() => ({ isRunning: false, step: null, rows: 0, message: null, error: null }));

let offInit: (() => void) | null = null;

/** Loads the default dataset into an empty store (following `data:init-progressed`), then the coverage. */
export async function initDefaultDataset(): Promise<void> {
  useInitStore.setState({ isRunning: true, step: null, rows: 0, message: null, error: null });
  offInit ??= window.api.on('data:init-progressed', (p) => {
    if (useInitStore.getState().isRunning) useInitStore.setState({ step: p.step, rows: p.rows });
  });
  const r = await window.api.invoke('data:init-default');
  useInitStore.setState(r.ok ? { isRunning: false, message: r.value.message } : { isRunning: false, error: r.error });
  if (r.ok) await loadInstruments();
}
