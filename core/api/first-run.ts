import type { DatasetStatus } from '../contract';
import type { Store } from '../store/sqlite-bar-store';
import type { Services } from './services';

/**
 * A dataset loader's progress report. Loaders differ in what they know, so every field is optional:
 * a `fraction` (0..1), or `done` of `total`, and a human `message` (or `phase`).
 */
export type LoaderProgress = number | { fraction?: number; done?: number; total?: number; message?: string; phase?: string };

/** The shape of `loadDefaultDataset` (core/dataset): fills `store`, reporting progress, stoppable by `signal`. */
export type DatasetLoader = (store: Store, options: { onProgress?: (p: LoaderProgress) => void; signal?: AbortSignal }) => Promise<unknown>;

function fractionOf(p: LoaderProgress): number | null {
  if (typeof p === 'number') return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : null;
  if (typeof p.fraction === 'number' && Number.isFinite(p.fraction)) return Math.min(1, Math.max(0, p.fraction));
  if (typeof p.done === 'number' && typeof p.total === 'number' && p.total > 0) return Math.min(1, Math.max(0, p.done / p.total));
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
 * left alone (status `idle`). Progress is emitted at most once per whole percent, so a loader that
 * reports per row does not flood the page. Never throws: a failure becomes status `failed`.
 */
export async function ensureDefaultDataset(services: Services, load: DatasetLoader, options: { signal?: AbortSignal } = {}): Promise<DatasetStatus> {
  const { n } = services.store.db.prepare('SELECT count(*) n FROM instruments').get() as { n: number };
  if (n > 0) return set(services, { state: 'idle', fraction: null, message: `The store already holds ${n} instruments` });
  let lastPercent = -1;
  let lastMessage = '';
  set(services, { state: 'loading', fraction: 0, message: 'Loading the default dataset' });
  try {
    await load(services.store, {
      signal: options.signal,
      onProgress: (p) => {
        const fraction = fractionOf(p);
        const message = typeof p === 'object' ? (p.message ?? p.phase ?? lastMessage) : lastMessage;
        const percent = fraction === null ? -1 : Math.floor(fraction * 100);
        if (percent === lastPercent && message === lastMessage) return;
        lastPercent = percent;
        lastMessage = message;
        set(services, { state: 'loading', fraction, message: message || 'Loading the default dataset' });
      },
    });
  } catch (e) {
    const cancelled = options.signal?.aborted === true;
    return set(services, { state: 'failed', fraction: null, message: cancelled ? 'Loading the default dataset was cancelled' : `Loading the default dataset failed: ${(e as Error).message}` });
  }
  const after = services.store.db.prepare('SELECT count(*) n FROM instruments').get() as { n: number };
  return set(services, { state: 'ready', fraction: 1, message: `Default dataset loaded: ${after.n} instruments` });
}
