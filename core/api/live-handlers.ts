import type { Events } from '../contract';
import type { LiveEvents } from '../live/session';
import { ok } from '../model/result';
import type { liveMethods } from '../contract/live';
import type { Emit, Handlers } from './registry';
import type { Services } from './services';

type LiveChannels = keyof typeof liveMethods;

/** Handlers of the live domain, bound to the host's {@link LiveService} (`services.live`). */
export function liveHandlers(s: Services): Pick<Handlers, LiveChannels> {
  const live = s.live;
  return {
    'live:start': (input) => live.startSpec(input),
    'live:stop': async () => ok(await live.stop()),
    // With a broker connected, the session's account, positions and orders are the broker's (labelled by
    // `source`); the paper model's only when none is.
    'live:status': () => {
      const st = live.status();
      const account = s.broker.sessionAccount();
      const v = s.broker.view();
      if (!account || !v) return ok({ ...st, source: null });
      return ok({ ...st, account, source: { broker: v.broker, mode: v.mode, accountId: v.accountId, at: v.at } });
    },
    'live:history': () => ok(s.liveHistory.snapshot()),
    'positions:list': () => ok(s.broker.sessionPositions() ?? live.positions()),
    'orders:list': () =>
      ok(s.broker.sessionOrders(s.broker.status().session ?? live.status().session) ?? live.orders()),
    'orders:submit': (input) => live.submit(input),
    'orders:cancel': (input) => live.cancel(input.id),
    'alerts:list': (input) => ok(live.alerts(input?.limit ?? 500, input?.category ?? 'all')),
    'alerts:ack': (input) => ok({ acknowledged: live.ack(input.id) }),
    'signals:list': (input) => ok(live.signals(input?.limit ?? 500, input?.symbol)),
    'risk:get': () => ok(live.risk()),
    'risk:set': (input) => ok(live.setRisk(input)),
    'killswitch:trip': (input) => ok(live.trip(input?.reason ?? 'manual')),
    'killswitch:rearm': () => ok(live.rearm()),
    'positions:flatten': (input) => live.flatten(input?.reason ?? 'flatten all'),
  };
}

// Compile-time proof that every live event's payload is what the contract declares for its channel.
type Assignable<To, From extends To> = From;
export type LiveEventPayloadsMatchContract = [
  Assignable<Events['live:ticked'], LiveEvents['live:ticked']>,
  Assignable<Events['positions:changed'], LiveEvents['positions:changed']>,
  Assignable<Events['alert:raised'], LiveEvents['alert:raised']>,
  Assignable<Events['signal:fired'], LiveEvents['signal:fired']>,
  Assignable<Events['feed:status-changed'], LiveEvents['feed:status-changed']>,
  Assignable<Events['killswitch:changed'], LiveEvents['killswitch:changed']>,
];

/** The host's typed `emit`, narrowed to the live events (their payloads are checked against the contract above). */
export function liveEmit(emit: Emit): <E extends keyof LiveEvents>(channel: E, payload: LiveEvents[E]) => void {
  return (channel, payload) => (emit as (c: string, p: unknown) => void)(channel, payload);
}
