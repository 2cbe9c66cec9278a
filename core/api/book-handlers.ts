import { ok } from '../model/result';
import type { Handlers } from './registry';
import type { Services } from './services';

type DeskChannels =
  | 'desk:overview'
  | 'desk:book-start'
  | 'desk:book-stop'
  | 'desk:book-resume'
  | 'desk:book-remove'
  | 'desk:book'
  | 'desk:order-check'
  | 'desk:order-submit'
  | 'desk:order-cancel'
  | 'desk:order-replace'
  | 'desk:flatten'
  | 'desk:kill'
  | 'desk:rearm'
  | 'desk:limits-set'
  | 'desk:book-limits-set'
  | 'desk:alert-ack';

/** Handlers of the monitoring desk (issue 16), bound to the host's {@link Services.desk}. */
export function bookHandlers(s: Services): Pick<Handlers, DeskChannels> {
  const d = s.desk;
  return {
    'desk:overview': () => ok(d.overview()),
    'desk:book-start': (input) => d.start(input),
    'desk:book-stop': (input) => d.stop(input.book),
    'desk:book-resume': (input) => d.resume(input.book, input.speed, input.confirm),
    'desk:book-remove': (input) => d.remove(input.book),
    'desk:book': (input) => d.book(input.book, input.limit),
    'desk:order-check': ({ book, ...order }) => d.check(book, order),
    'desk:order-submit': ({ book, ...order }) => d.submit(book, order),
    'desk:order-cancel': (input) => d.cancel(input.book, input.id),
    'desk:order-replace': (input) => d.replace(input.book, input.id, { qty: input.qty, price: input.price }),
    'desk:flatten': (input) => d.flatten(input.book, input.reason),
    'desk:kill': async (input) => ok(await d.trip(input.reason)),
    'desk:rearm': () => ok(d.rearm()),
    'desk:limits-set': (input) => ok(d.setDeskLimits(input)),
    'desk:book-limits-set': (input) => d.setBookLimits(input.book, input.risk),
    'desk:alert-ack': (input) => d.ack(input.book, input.id),
  };
}
