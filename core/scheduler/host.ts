import type { Store } from '../store/sqlite-bar-store';
import { runJobCommand } from './commands';
import { Scheduler } from './scheduler';

/**
 * The scheduler as an app host runs it (Electron main): the store's jobs on their schedules, with the
 * same catch-up, overlap and retry rules as `quantdesk scheduler`. Call `wake()` when the OS resumes
 * from sleep and `stop()` before closing the store.
 */
export function startHostScheduler(store: Store): Scheduler {
  const s = new Scheduler(store, { run: (job, signal) => runJobCommand(store, job.command, signal) });
  s.start();
  return s;
}
