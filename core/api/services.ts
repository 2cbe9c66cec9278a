import type { Store } from '../store/sqlite-bar-store';
import type { Emit } from './registry';

/**
 * What the handlers are bound to: the open store (the single writer), where it lives, which host
 * runs them, and how to push events. Domains that own a lifecycle (the simulation pool, the live
 * session) add their service object here and create it in `createServices`.
 */
export interface Services {
  readonly store: Store;
  readonly dbPath: string;
  readonly host: 'electron' | 'serve';
  readonly emit: Emit;
}
