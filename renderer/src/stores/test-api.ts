import type { Channel, EventChannel, Events, Result, WindowApi } from '../../../core/contract';

type Handler = (input: unknown) => Result<unknown> | Promise<Result<unknown>>;

/**
 * A fake `window.api` for store tests: answers each channel with the given handler (unknown channels
 * fail `not-found`), records every call, and lets a test push events to subscribers.
 */
export function installFakeApi(handlers: Partial<Record<Channel, Handler>>) {
  const calls: { channel: string; input: unknown }[] = [];
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const api: WindowApi = {
    invoke: (async (channel: Channel, input?: unknown) => {
      calls.push({ channel, input });
      const h = handlers[channel];
      if (!h) return { ok: false, error: { code: 'not-found', message: `no fake for ${channel}` } };
      return h(input);
    }) as WindowApi['invoke'],
    on: ((channel: EventChannel, listener: (p: unknown) => void) => {
      let set = listeners.get(channel);
      if (!set) listeners.set(channel, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    }) as WindowApi['on'],
  };
  (globalThis as unknown as { window: { api: WindowApi } }).window.api = api;
  return {
    api,
    calls,
    emit<E extends EventChannel>(channel: E, payload: Events[E]) {
      for (const l of [...(listeners.get(channel) ?? [])]) l(payload);
    },
    listenerCount: (channel: EventChannel) => listeners.get(channel)?.size ?? 0,
  };
}
