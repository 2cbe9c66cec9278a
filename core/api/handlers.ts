import { appHandlers } from './app-handlers';
import { backtestHandlers } from './backtest-handlers';
import { brokerHandlers } from './broker-handlers';
import { dataHandlers } from './data-handlers';
import { bookHandlers } from './book-handlers';
import { deskHandlers } from './desk-handlers';
import { indicatorHandlers } from './indicator-handlers';
import { liveHandlers } from './live-handlers';
import { liveSessionHandlers } from './live-session-handlers';
import { modelHandlers } from './model-handlers';
import { optimizeHandlers } from './optimize-handlers';
import { platformHandlers } from './platform-handlers';
import type { Handlers } from './registry';
import type { Services } from './services';
import { strategyHandlers } from './strategy-handlers';

/**
 * The one handler table, shared by Electron's IPC wiring and the `quantdesk serve` host (a test
 * proves both use this function). Each domain contributes `xxxHandlers(services)`; the `Handlers`
 * type makes a method without a handler a compile error.
 */
export function createHandlers(services: Services): Handlers {
  return {
    ...appHandlers(services),
    ...dataHandlers(services),
    ...indicatorHandlers(services),
    ...strategyHandlers(services),
    ...backtestHandlers(services),
    ...optimizeHandlers(services),
    ...liveHandlers(services),
    ...brokerHandlers(services),
    ...liveSessionHandlers(services),
    ...modelHandlers(services),
    ...platformHandlers(services),
    ...bookHandlers(services),
    ...deskHandlers(services),
  };
}
