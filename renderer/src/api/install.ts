import type { WindowApi } from '../../../core/contract';
import { createWsApi, type ConnectionState, type WsApi } from './ws-client';

export type { ConnectionState } from './ws-client';

let client: WsApi | null = null;
let electron = false;
const stateListeners = new Set<(s: ConnectionState) => void>();

/**
 * Makes `window.api` available and returns it. In Electron the preload has already exposed it
 * (the connection is then always `connected`). In a browser served by `quantdesk serve`, it opens
 * a WebSocket to the same host, authenticated by the `token` query parameter of the page URL (or the
 * cookie the host set when the page was loaded with it), and installs the client as `window.api`.
 * Idempotent: a second call returns the same object.
 */
export function installApi(): WindowApi {
  const w = window as Window & { api?: WindowApi };
  if (client) return client;
  if (w.api) {
    electron = true;
    return w.api;
  }
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token');
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  const url = `${scheme}//${window.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  if (token) {
    // The host has set its HttpOnly cookie with this page: keep the token out of the address bar,
    // the history and screenshots. Reloads and later requests authenticate with the cookie.
    params.delete('token');
    const rest = params.toString();
    window.history.replaceState(
      window.history.state,
      '',
      `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`,
    );
  }
  client = createWsApi(url);
  client.onConnectionChange((s) => {
    for (const l of [...stateListeners]) l(s);
  });
  w.api = client;
  return client;
}

/** The host connection: `connected` in Electron; in a browser, the WebSocket's state (before `installApi`: `connecting`). */
export function getConnectionState(): ConnectionState {
  if (electron) return 'connected';
  return client ? client.getConnectionState() : 'connecting';
}

/** Calls `listener` on every connection state change; returns the unsubscribe function. */
export function onConnectionChange(listener: (state: ConnectionState) => void): () => void {
  stateListeners.add(listener);
  return () => void stateListeners.delete(listener);
}
