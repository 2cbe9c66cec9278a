import type { Store } from '../store/sqlite-bar-store';
import { runJobCommand, type JobEnv } from './commands';
import { Scheduler } from './scheduler';

/**
 * The scheduler as an app host runs it (Electron main): the store's jobs on their schedules, with the
 * same catch-up, overlap and retry rules as `quantdesk scheduler`. Call `wake()` when the OS resumes
 * from sleep and `stop()` before closing the store. `env` gives the keys at each run (the host's
 * credentials: environment first, then the app's encrypted store); default the process environment.
 */
export function startHostScheduler(store: Store, env?: () => JobEnv): Scheduler {
  const s = new Scheduler(store, { run: (job, signal) => runJobCommand(store, job.command, signal, env?.()) });
  s.start();
  return s;
}
