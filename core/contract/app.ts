import { event, method, noInput } from './define';

// == app ==================================================================================

/** What the host is and what it holds. */
export interface AppInfo {
  readonly version: string;
  readonly host: 'electron' | 'serve';
  readonly dbPath: string;
  readonly schemaVersion: number;
  readonly instruments: number;
  readonly bars: number;
}

/**
 * Loading of the default dataset on first start (an empty store), as the UI shows it. `idle`: no
 * load was needed or asked; `fraction` is 0..1 when the loader reports it, else null.
 */
export interface DatasetStatus {
  readonly state: 'idle' | 'loading' | 'ready' | 'failed';
  readonly fraction: number | null;
  readonly message: string;
}

// == backtest: strategies =================================================================

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
