import { describe, expect, it, vi } from 'vitest';

// Records what the preload hands to the page and to ipcRenderer; Electron itself is not here.
const exposed = new Map<string, unknown>();
const invoked: [string, unknown][] = [];
const ipcListeners = new Map<string, Set<(event: unknown, payload: unknown) => void>>();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
  ipcRenderer: {
    invoke: (channel: string, input: unknown) => {
      invoked.push([channel, input]);
      return Promise.resolve({ ok: true, value: 'from-main' });
    },
    on: (channel: string, fn: (event: unknown, payload: unknown) => void) => {
      const set = ipcListeners.get(channel) ?? new Set();
      set.add(fn);
      ipcListeners.set(channel, set);
    },
    off: (channel: string, fn: (event: unknown, payload: unknown) => void) => ipcListeners.get(channel)?.delete(fn),
  },
  BrowserWindow: class {},
  screen: {},
}));

const { channelArgs } = await import('../main/window');
const { API_CHANNELS, EVENT_CHANNELS } = await import('../../core/contract');
process.argv.push(...channelArgs());
await import('./index');
const api = exposed.get('api') as import('../../core/contract').WindowApi;

describe('preload', () => {
  it('exposes exactly one object, window.api, with invoke and on', () => {
    expect([...exposed.keys()]).toEqual(['api']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it('passes every contract channel through and refuses anything else', async () => {
    for (const ch of Object.keys(API_CHANNELS)) {
      await expect(api.invoke(ch as never, { x: 1 } as never)).resolves.toEqual({ ok: true, value: 'from-main' });
    }
    expect(invoked.map(([c]) => c)).toEqual(Object.keys(API_CHANNELS));
    await expect(api.invoke('shell:exec' as never, undefined as never)).rejects.toThrow(/Unknown channel/);
    expect(invoked).toHaveLength(Object.keys(API_CHANNELS).length);
  });

  it('forwards event payloads without the IPC event object, only for contract events, and unsubscribes', () => {
    const topic = Object.keys(EVENT_CHANNELS)[0] as 'app:ready';
    const got: unknown[] = [];
    const off = api.on(topic, (p) => got.push(p));
    const fakeEvent = { sender: 'ipcRenderer internals' };
    for (const fn of ipcListeners.get(topic) ?? []) fn(fakeEvent, { at: 1 });
    expect(got).toEqual([{ at: 1 }]);
    off();
    expect(ipcListeners.get(topic)?.size).toBe(0);
    expect(() => api.on('ipc:raw' as never, () => {})).toThrow(/Unknown event/);
  });
});
