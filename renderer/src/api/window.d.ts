import type { WindowApi } from '../../../core/contract';

declare global {
  interface Window {
    /** The renderer's only door to core: the Electron preload or the `quantdesk serve` WebSocket client. */
    api: WindowApi;
  }
}

export {};
