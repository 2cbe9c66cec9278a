import type { Store } from '../store/sqlite-bar-store';
import { runJobCommand, type JobEnv } from './commands';
import { Scheduler, type JobRunner } from './scheduler';

/**
 * A job runner that, after a run which changed rows (a fetch that stored bars), calls `onStored` at once: the
 * user's alert rules judge the new bars then, not at the next import or Jobs-view run. A failing `onStored`
 * does not fail the run (its rows are stored).
 */
export function alertingRunner(run: JobRunner, onStored?: () => void): JobRunner {
  if (!onStored) return run;
  return async (job, signal) => {
    const r = await run(job, signal);
    if (r.rowsChanged > 0) {
      try {
        onStored();
      } catch {
        // The alert pass journals its own failures' absence: the next stored-bar pass judges the same bars.
      }
    }
    return r;
  };
}

/**
 * The scheduler as an app host runs it (Electron main): the store's jobs on their schedules, with the
 * same catch-up, overlap and retry rules as `quantdesk scheduler`. Call `wake()` when the OS resumes
 * from sleep and `stop()` before closing the store. `env` gives the keys at each run (the host's
 * credentials: environment first, then the app's encrypted store); default the process environment.
 * `onStored` runs after every run that stored rows (the host's user-alert pass over stored bars).
 */
export function startHostScheduler(store: Store, env?: () => JobEnv, onStored?: () => void): Scheduler {
  const s = new Scheduler(store, {
    run: alertingRunner((job, signal) => runJobCommand(store, job.command, signal, env?.()), onStored),
  });
  s.start();
  return s;
}
