import { hasDefaultDataset, loadDefaultDataset } from '../dataset/default';
import type { Store } from '../store/sqlite-bar-store';
import type { Services } from './services';
import { countImportSources, countInstruments } from '../store/stats';

/**
 * Loading of the default dataset on first start (an empty store), as the UI shows it. `idle`: no
 * load was needed or asked; `fraction` is 0..1 when the loader reports it, else null.
 */
export interface DatasetStatus {
  readonly state: 'idle' | 'loading' | 'ready' | 'failed';
  readonly fraction: number | null;
  readonly message: string;
}

/**
 * A dataset loader's progress report. Loaders differ in what they know, so every field is optional:
 * a `fraction` (0..1), or `done` of `total` (a boolean `done` is only "finished"), and a `message` (or a `step` and its `rows`).
 */
export type LoaderProgress =
  | number
  | {
      fraction?: number;
      done?: number | boolean;
      total?: number;
      message?: string;
      phase?: string;
      step?: string;
      rows?: number;
    };

/**
 * The shape of `loadDefaultDataset` (core/dataset): fills `store`, reporting progress, stoppable by
 * `signal`. It may throw or resolve a failed `Result`; both become status `failed`.
 */
export type DatasetLoader = (
  store: Store,
  options: { onProgress?: (p: LoaderProgress) => void; signal?: AbortSignal },
) => Promise<unknown>;

/** Minimum time between two progress pushes that differ only in row counts. */
const PUSH_INTERVAL_MS = 200;

function messageOf(p: LoaderProgress): string | undefined {
  if (typeof p === 'number') return undefined;
  if (p.message !== undefined) return p.message;
  const what = p.step ?? p.phase;
  if (what === undefined) return undefined;
  return p.rows !== undefined ? `Loading ${what} (${p.rows.toLocaleString('en-US')} rows)` : `Loading ${what}`;
}

function stepOf(p: LoaderProgress): string | undefined {
  return typeof p === 'number' ? undefined : (p.step ?? p.phase);
}

function fractionOf(p: LoaderProgress): number | null {
  if (typeof p === 'number') return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : null;
  if (typeof p.fraction === 'number' && Number.isFinite(p.fraction)) return Math.min(1, Math.max(0, p.fraction));
  if (typeof p.done === 'number' && typeof p.total === 'number' && p.total > 0)
    return Math.min(1, Math.max(0, p.done / p.total));
  return null;
}

function set(services: Services, status: DatasetStatus): DatasetStatus {
  services.app.dataset = status;
  services.emit('app:dataset-progress', status);
  return status;
}

/**
 * Loads the default dataset into an empty store (first start), publishing each status change as
 * `app:dataset-progress` and in `services.app.dataset`. A store that already holds instruments is
 * left alone (status `idle`), unless `isInterrupted` says an earlier load stopped half-way (the app
 * was closed during it): the loader, idempotent per file, then finishes the job. Progress is emitted at most once per whole percent, so a loader that
 * reports per row does not flood the page. Never throws: a failure becomes status `failed`.
 */
export async function ensureDefaultDataset(
  services: Services,
  load: DatasetLoader,
  options: { signal?: AbortSignal; isInterrupted?: (store: Store) => boolean } = {},
): Promise<DatasetStatus> {
  const n = countInstruments(services.store);
  if (n > 0 && options.isInterrupted?.(services.store) !== true)
    return set(services, { state: 'idle', fraction: null, message: `The store already holds ${n} instruments` });
  let lastPercent = -1;
  let lastStep: string | undefined;
  let lastMessage = 'Loading the default dataset';
  let lastPush = 0;
  set(services, { state: 'loading', fraction: 0, message: lastMessage });
  const failed = (why: string) =>
    set(services, {
      state: 'failed',
      fraction: null,
      message: options.signal?.aborted
        ? 'Loading the default dataset was cancelled'
        : `Loading the default dataset failed: ${why}`,
    });
  let result: unknown;
  try {
    result = await load(services.store, {
      signal: options.signal,
      onProgress: (p) => {
        const fraction = fractionOf(p);
        const message = messageOf(p) ?? lastMessage;
        const step = stepOf(p);
        const percent = fraction === null ? -1 : Math.floor(fraction * 100);
        const now = Date.now();
        // Push on a new whole percent or a new step; row counts within a step at most every PUSH_INTERVAL_MS.
        const isNews =
          percent !== lastPercent ||
          step !== lastStep ||
          (message !== lastMessage && now - lastPush >= PUSH_INTERVAL_MS);
        if (!isNews) return;
        lastPercent = percent;
        lastStep = step;
        lastMessage = message;
        lastPush = now;
        set(services, { state: 'loading', fraction, message });
      },
    });
  } catch (e) {
    return failed((e as Error).message);
  }
  const r = result as { ok?: unknown; error?: { message?: unknown } } | undefined;
  if (r !== null && typeof r === 'object' && r.ok === false) return failed(String(r.error?.message ?? 'unknown error'));
  const after = { n: countInstruments(services.store) };
  return set(services, { state: 'ready', fraction: 1, message: `Default dataset loaded: ${after.n} instruments` });
}

/**
 * The bundled default dataset (core/dataset) as {@link ensureDefaultDataset}'s loader, with its
 * interrupted-load test. `resourcesDir` holds `dataset/` (a packaged app's `process.resourcesPath`);
 * undefined lets the loader find `resources/` itself.
 */
export function bundledDataset(resourcesDir?: string): {
  load: DatasetLoader;
  isInterrupted: (store: Store) => boolean;
} {
  return {
    load: (store, options) => loadDefaultDataset(store, { ...options, resourcesDir }),
    isInterrupted: (store) => {
      const started = countImportSources(store, 'quantdesk-default/');
      return started > 0 && !hasDefaultDataset(store);
    },
  };
}
