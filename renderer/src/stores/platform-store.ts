import { create } from 'zustand';
import type {
  AppError,
  PlatformFinding,
  PlatformHealth,
  PlatformJob,
  PlatformJobRun,
  PlatformReport,
} from '../../../core/contract';

interface PlatformState {
  readonly jobs: readonly PlatformJob[];
  readonly runs: readonly PlatformJobRun[];
  readonly reports: readonly PlatformReport[];
  readonly health: PlatformHealth | null;
  /** Data-quality findings (Data view); null until loaded. */
  readonly findings: readonly PlatformFinding[] | null;
  readonly isLoaded: boolean;
  /** The job being run from the view, if any. */
  readonly running: string | null;
  readonly error: AppError | null;
}

export const usePlatformStore = create<PlatformState>()(() => ({
  jobs: [],
  runs: [],
  reports: [],
  health: null,
  findings: null,
  isLoaded: false,
  running: null,
  error: null,
}));

/** Loads jobs, their history and past reports (the Jobs view). */
export async function loadPlatform(): Promise<void> {
  const [jobs, runs, reports] = await Promise.all([
    window.api.invoke('platform:jobs'),
    window.api.invoke('platform:job-runs', {}),
    window.api.invoke('platform:reports'),
  ]);
  const error = !jobs.ok ? jobs.error : !runs.ok ? runs.error : !reports.ok ? reports.error : null;
  usePlatformStore.setState({
    jobs: jobs.ok ? jobs.value : [],
    runs: runs.ok ? runs.value : [],
    reports: reports.ok ? reports.value : [],
    isLoaded: true,
    error,
  });
}

/** Runs a job now in the host, then reloads. */
export async function runJob(job: string): Promise<void> {
  usePlatformStore.setState({ running: job, error: null });
  const r = await window.api.invoke('platform:job-run', { job });
  usePlatformStore.setState({ running: null, error: r.ok ? null : r.error });
  await loadPlatform();
  await loadHealth();
}

/** Loads the health summary the status bar shows. */
export async function loadHealth(): Promise<void> {
  const r = await window.api.invoke('platform:health');
  if (r.ok) usePlatformStore.setState({ health: r.value });
}

/** Loads the newest data-quality findings (the Data view's panel). */
export async function loadFindings(): Promise<void> {
  const r = await window.api.invoke('platform:findings', { limit: 200 });
  usePlatformStore.setState(r.ok ? { findings: r.value } : { findings: [], error: r.error });
}
