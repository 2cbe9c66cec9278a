import { create } from 'zustand';
import {
  DATA_UPLOAD_MAX_BYTES,
  type AppError,
  type DataAsOf,
  type DataImportProgress,
  type DataImportReport,
  type DataRevision,
} from '../../../core/contract';
import { parseDate } from '../../../core/model/time';
import { portableBase64 } from '../../../core/model/wire';

/** What a CSV file holds. */
export type ImportKind = DataImportReport['kind'];
import { loadInstruments } from './instruments-store';

interface ImportState {
  readonly kind: ImportKind;
  readonly fileName: string | null;
  readonly isRunning: boolean;
  /** `uploading`: chunks on their way to the host (`sent` of `size` bytes); `importing`: the host validates and writes. */
  readonly stage: 'uploading' | 'importing' | null;
  readonly sent: number;
  readonly size: number;
  /** Cancel was asked; the upload or import stops at its next step and nothing is stored. */
  readonly isCancelling: boolean;
  readonly progress: DataImportProgress | null;
  readonly report: DataImportReport | null;
  /** The importer's error, with its `FILE:LINE: column: reason` details. */
  readonly error: AppError | null;
}

export const useImportStore = create<ImportState>()(() => ({
  kind: 'bars',
  fileName: null,
  isRunning: false,
  stage: null,
  sent: 0,
  size: 0,
  isCancelling: false,
  progress: null,
  report: null,
  error: null,
}));

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

/** A file the user picked or dropped (a DOM `File`), read one slice at a time. */
export interface ImportSource {
  readonly name: string;
  readonly size: number;
  slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

let offProgress: (() => void) | null = null;
/** The upload under way, so Cancel can reach it. */
let current: { uploadId: string | null } | null = null;

function cancelledError(fileName: string): AppError {
  return { code: 'cancelled', message: `import of ${fileName} was cancelled; nothing was stored` };
}

/**
 * Imports a file the user chose: its bytes go to the host in chunks (`data:upload-chunk`, the size
 * the host asks for, one at a time, `sent` growing), then `data:upload-commit` imports it, with
 * progress on `data:import-progressed`. Only one slice of the file is read into memory at a time.
 * A bad file stores nothing and its line-numbered errors land in `error.details`; {@link cancelImport}
 * stops it. On success the coverage table reloads.
 */
export async function importFile(
  file: ImportSource,
  kind = kindFromFileName(file.name) ?? useImportStore.getState().kind,
): Promise<void> {
  const fileName = file.name;
  const start = {
    kind,
    fileName,
    isRunning: true,
    stage: 'uploading',
    sent: 0,
    size: file.size,
    isCancelling: false,
    progress: null,
    report: null,
    error: null,
  } as const;
  if (file.size > DATA_UPLOAD_MAX_BYTES) {
    // Refused before reading: the host would refuse it anyway.
    const message = `${fileName}: ${file.size} bytes, over the ${DATA_UPLOAD_MAX_BYTES}-byte limit of an import from the app; use \`quantdesk import\` for larger files`;
    useImportStore.setState({ ...start, isRunning: false, stage: null, error: { code: 'invalid-input', message } });
    return;
  }
  useImportStore.setState(start);
  offProgress ??= window.api.on('data:import-progressed', (p) => {
    if (useImportStore.getState().stage === 'importing') useImportStore.setState({ progress: p });
  });
  const me: { uploadId: string | null } = { uploadId: null };
  current = me;
  const finish = (patch: Partial<ImportState>) => {
    if (current === me) current = null;
    useImportStore.setState({ isRunning: false, stage: null, isCancelling: false, ...patch });
  };
  const b = await window.api.invoke('data:upload-begin', { kind, fileName, size: file.size });
  if (!b.ok) return finish({ error: b.error });
  const { uploadId, chunkBytes } = b.value;
  me.uploadId = uploadId;
  for (let at = 0, seq = 0; at < file.size; at += chunkBytes, seq++) {
    if (useImportStore.getState().isCancelling) {
      await window.api.invoke('data:upload-cancel', { uploadId });
      return finish({ error: cancelledError(fileName) });
    }
    const bytes = new Uint8Array(await file.slice(at, Math.min(file.size, at + chunkBytes)).arrayBuffer());
    const c = await window.api.invoke('data:upload-chunk', { uploadId, seq, data: portableBase64.encode(bytes) });
    if (!c.ok) return finish({ error: c.error });
    useImportStore.setState({ sent: c.value.received });
  }
  if (useImportStore.getState().isCancelling) {
    await window.api.invoke('data:upload-cancel', { uploadId });
    return finish({ error: cancelledError(fileName) });
  }
  useImportStore.setState({ stage: 'importing' });
  const r = await window.api.invoke('data:upload-commit', { uploadId });
  finish(r.ok ? { report: r.value } : { error: r.error });
  if (r.ok) await loadInstruments();
}

/** Stops the import under way: between chunks it discards the upload; while the host imports, it cancels the import (nothing is stored). */
export async function cancelImport(): Promise<void> {
  const s = useImportStore.getState();
  if (!s.isRunning || s.isCancelling) return;
  useImportStore.setState({ isCancelling: true });
  const uploadId = current?.uploadId;
  if (s.stage === 'importing' && uploadId) await window.api.invoke('data:upload-cancel', { uploadId });
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
    usePitStore.setState({
      error: { code: 'invalid-input', message: 'Give a symbol, a field and an as-of date YYYY-MM-DD' },
    });
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

export const useInitStore = create<InitState>()(() => ({
  isRunning: false,
  step: null,
  rows: 0,
  message: null,
  error: null,
}));

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
