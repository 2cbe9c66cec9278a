import { fail, ok } from '../model/result';
import type { liveSessionsMethods } from '../contract/live-sessions';
import type { Handlers } from './registry';
import type { Services } from './services';

type Channels = keyof typeof liveSessionsMethods;

/** The webhook outbox's state and its dead letters' retry, and the named live sessions (list, resume by name), bound to the host's live service. */
export function liveSessionHandlers(s: Services): Pick<Handlers, Channels> {
  const live = s.live;
  return {
    'outbox:status': () => ok(live.outboxState()),
    'outbox:retry': (input) => {
      const requeued = live.retryDeadLetters(input.alertId);
      if (requeued === 0 && input.alertId !== undefined)
        return fail('not-found', `no dead letter for alert ${input.alertId} (delivered, already requeued, or unknown)`);
      return ok({ requeued });
    },
    'live:sessions': () => ok(live.sessions()),
    'live:resume': (input) => live.resume(input.session, input.speed),
  };
}
