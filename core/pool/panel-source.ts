import type { PanelSource } from './worker-host';

/**
 * Panels from the worker's own store: loaded with the data layer's `loadPanel` when the store's
 * fingerprint equals the request's, else null (a cluster node then fetches it through Redis).
 */
export const LOCAL_PANELS: PanelSource = {
  local() {
    throw new Error('the data layer (loadPanel) is not available in this build');
  },
};
