// The sandboxed preload: exposes exactly one object, `window.api`, allow-listed from the contract.
// No raw ipcRenderer and no IPC event objects ever reach the page.
//
// The allow-lists come from the main process as arguments (`channelArgs` in ../main/window.ts,
// built from the contract's API_CHANNELS and EVENT_CHANNELS) rather than by importing the contract
// here: that would bundle zod and every schema into a preload that only needs the names.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { WindowApi } from '../../core/contract';

function listArg(name: string): ReadonlySet<string> {
  const prefix = `--${name}=`;
  const arg = process.argv.find((a) => a.startsWith(prefix));
  return new Set(arg ? arg.slice(prefix.length).split(',').filter(Boolean) : []);
}

const methods = listArg('quantdesk-methods');
const events = listArg('quantdesk-events');

const api: WindowApi = {
  invoke: ((channel: string, input?: unknown) => {
    if (!methods.has(channel)) return Promise.reject(new Error(`Unknown channel: ${String(channel)}`));
    return ipcRenderer.invoke(channel, input);
  }) as WindowApi['invoke'],
  on: (channel, listener) => {
    if (!events.has(channel)) throw new Error(`Unknown event: ${String(channel)}`);
    const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(channel, forward);
    return () => void ipcRenderer.off(channel, forward);
  },
};

contextBridge.exposeInMainWorld('api', api);
