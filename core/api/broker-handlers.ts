import { fail, ok } from '../model/result';
import type { brokerMethods } from '../contract/broker';
import type { Handlers } from './registry';
import type { Services } from './services';

type BrokerChannels = keyof typeof brokerMethods;

/** Handlers of the broker domain, bound to the host's {@link Services.broker}. Keys never appear in an answer. */
export function brokerHandlers(s: Services): Pick<Handlers, BrokerChannels> {
  const b = s.broker;
  return {
    'broker:list': () => ok(b.list()),
    'broker:account': (input) => b.account(input),
    'broker:positions': (input) => b.positions(input),
    'broker:orders': (input) => b.orders(input),
    'broker:connect': (input) => b.connect(s.live.session?.session ?? null, input),
    'broker:disconnect': async () => ok(await b.disconnect()),
    'broker:status': () => ok(b.status()),
    'broker:credentials-set': (input) => {
      const set = s.credentials.set;
      if (!set)
        return fail(
          'unavailable',
          `this host reads broker keys from its environment; set ${Object.keys(input.values).join(', ') || 'them'} there`,
        );
      set(input.values);
      return ok(b.list());
    },
  };
}
