import { ok } from '../model/result';
import type { Handlers } from './registry';
import type { Services } from './services';

type Channels = 'outbox:status' | 'live:sessions' | 'live:resume';

/** The webhook outbox's state and the named live sessions (list, resume by name), bound to the host's live service. */
export function liveSessionHandlers(s: Services): Pick<Handlers, Channels> {
  const live = s.live;
  return {
    'outbox:status': () => ok(live.outboxState()),
    'live:sessions': () => ok(live.sessions()),
    'live:resume': (input) => live.resume(input.session, input.speed),
  };
}
