/** The `app` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { event, method, noInput } from './define';
import type { AppInfo } from '../api/app-handlers';
import type { DatasetStatus } from '../api/first-run';

export type { AppInfo } from '../api/app-handlers';
export type { DatasetStatus } from '../api/first-run';

/** The app methods (a slice of `METHODS`). */
export const appMethods = {
  // -- app
  'app:info': method(noInput).returns<AppInfo>(),
  /** The default dataset's load status now (the UI asks once, then follows `app:dataset-progress`). */
  'app:dataset-status': method(noInput).returns<DatasetStatus>(),
} as const;

/** The app events (a slice of `EVENTS`). */
export const appEvents = {
  // -- app
  'app:ready': event<{ readonly at: number }>(),
  /** Each change of the default dataset's load status (throttled by the loader's own progress). */
  'app:dataset-progress': event<DatasetStatus>(),
} as const;
