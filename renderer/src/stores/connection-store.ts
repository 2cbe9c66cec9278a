import { create } from 'zustand';

export type ConnectionStatus = 'connecting' | 'connected' | 'disconnected';

interface ConnectionState {
  readonly status: ConnectionStatus;
  readonly host: string | null;
  readonly version: string | null;
  readonly dbPath: string | null;
  readonly error: string | null;
}

export const useConnectionStore = create<ConnectionState>()(() => ({
  status: 'connecting',
  host: null,
  version: null,
  dbPath: null,
  error: null,
}));

/** Records the connection status and mirrors it on `<body data-connected>` (the e2e tests wait on it). */
export function setConnection(status: ConnectionStatus, error: string | null = null): void {
  useConnectionStore.setState({ status, error });
  if (typeof document !== 'undefined') document.body.dataset.connected = status === 'connected' ? 'true' : 'false';
}

/** Asks the host who it is once connected (shown in the status bar). */
export async function onConnected(): Promise<void> {
  const r = await window.api.invoke('app:info');
  if (r.ok) useConnectionStore.setState({ host: r.value.host, version: r.value.version, dbPath: r.value.dbPath });
}
