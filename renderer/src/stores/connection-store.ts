import { create } from 'zustand';
import type { DatasetStatus } from '../../../core/contract';
import { loadInstruments } from './instruments-store';

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';

interface ConnectionState {
  readonly status: ConnectionStatus;
  readonly host: string | null;
  readonly version: string | null;
  readonly dbPath: string | null;
  readonly error: string | null;
  /** Loading of the default dataset on first start. */
  readonly dataset: DatasetStatus | null;
}

export const useConnectionStore = create<ConnectionState>()(() => ({
  status: 'connecting',
  host: null,
  version: null,
  dbPath: null,
  error: null,
  dataset: null,
}));

/** Records the connection status and mirrors it on `<body data-connected>` (the e2e tests wait on it). */
export function setConnection(status: ConnectionStatus, error: string | null = null): void {
  useConnectionStore.setState({ status, error });
  if (typeof document !== 'undefined') document.body.dataset.connected = status === 'connected' ? 'true' : 'false';
}

/** Records the default dataset's status; mirrored on `<body data-dataset>` (idle, loading, ready, failed). */
export function setDataset(dataset: DatasetStatus): void {
  const was = useConnectionStore.getState().dataset?.state;
  useConnectionStore.setState({ dataset });
  // The first-start load just finished: the instrument list (symbol search, coverage) is now stale.
  if (dataset.state === 'ready' && was === 'loading') void loadInstruments();
  if (typeof document !== 'undefined') document.body.dataset.dataset = dataset.state;
}

let offDataset: (() => void) | null = null;

/** Once connected: asks the host who it is and how the default dataset load is going, then follows its progress. */
export async function onConnected(): Promise<void> {
  offDataset ??= window.api.on('app:dataset-progress', setDataset);
  const [info, ds] = await Promise.all([window.api.invoke('app:info'), window.api.invoke('app:dataset-status')]);
  if (info.ok)
    useConnectionStore.setState({ host: info.value.host, version: info.value.version, dbPath: info.value.dbPath });
  if (ds.ok) setDataset(ds.value);
}
