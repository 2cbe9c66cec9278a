import { bundledDataset, ensureDefaultDataset } from '../../core/api/first-run';
import type { Services } from '../../core/api/services';

/**
 * Starts loading the default dataset in the background on first start (an empty store, or a load
 * the user interrupted by quitting); the page follows it through `app:dataset-status` and
 * `app:dataset-progress`. `resourcesDir` is the folder holding `dataset/` (in a packaged app,
 * `process.resourcesPath`, where electron-builder puts the extraResources); undefined lets the loader
 * find `resources/` from the working tree.
 */
export function startFirstRun(
  services: Services,
  signal: AbortSignal,
  resourcesDir: string | undefined,
): Promise<unknown> {
  const source = bundledDataset(resourcesDir);
  return ensureDefaultDataset(services, source.load, { signal, isInterrupted: source.isInterrupted });
}
