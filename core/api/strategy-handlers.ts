import { ok } from '../model/result';
import { listStrategies } from '../strategies';
import type { Handlers } from './registry';
import type { Services } from './services';

/** Handlers of the strategy catalogue (`strategies:list`): the built-ins with their parameter schemas. */
export function strategyHandlers(_s: Services): Pick<Handlers, 'strategies:list'> {
  const listing = listStrategies(); // static: computed once per host
  return {
    'strategies:list': () => ok(listing),
  };
}
