import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { dispatch, type Handlers } from '../../core/api/registry';
import { API_CHANNELS, type Channel } from '../../core/contract';
import { fail, type Result } from '../../core/model/result';

/** Decides whether an IPC message comes from our own page (not a frame that navigated elsewhere). */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

const running = new WeakMap<WebContents, Set<AbortController>>();

function callsOf(sender: WebContents): Set<AbortController> {
  let set = running.get(sender);
  if (!set) {
    const calls = new Set<AbortController>();
    set = calls;
    running.set(sender, calls);
    // One listener per page, not per call: the page going away aborts all its calls.
    const abortAll = () => {
      for (const c of calls) c.abort();
      calls.clear();
    };
    sender.once('destroyed', abortAll);
    sender.on('render-process-gone', abortAll);
  }
  return set;
}

/**
 * Binds every contract channel to `ipcMain.handle`, each going through {@link dispatch} with the
 * handler table given (the one `createHandlers` builds, shared with `quantdesk serve`). A call's
 * signal aborts when its page is destroyed or its renderer crashes. Returns a function that removes
 * the handlers.
 */
export function registerApi(handlers: Handlers, isTrustedSender: SenderCheck): () => void {
  const channels = Object.keys(API_CHANNELS) as Channel[];
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, raw: unknown): Promise<Result<unknown>> => {
      if (!isTrustedSender(event)) return fail('invalid-input', `Refused ${channel} from an untrusted frame`);
      const controller = new AbortController();
      const calls = callsOf(event.sender);
      calls.add(controller);
      try {
        return await dispatch(handlers, channel, raw, { signal: controller.signal });
      } finally {
        calls.delete(controller);
      }
    });
  }
  return () => {
    for (const channel of channels) ipcMain.removeHandler(channel);
  };
}
