import { loadPanel } from '../data/panel';
import { dataFingerprint } from '../store/fingerprint';
import type { PanelSource } from './worker-host';

/**
 * Panels from the worker's own store: loaded with the data layer's `loadPanel` (which shares the
 * on-disk panel cache the submitting process wrote) when the store's fingerprint equals the
 * reference's, else null (a cluster node then fetches it through Redis).
 */
export const LOCAL_PANELS: PanelSource = {
  local(store, ref) {
    if (dataFingerprint(store) !== ref.fingerprint) return null;
    return loadPanel(store, ref.query);
  },
};
