import { CONNECTORS } from '../connectors/fetch';
import { fail, ok } from '../model/result';
import { listFindings } from '../quality/checks';
import { listReports } from '../report/daily';
import { runJobCommand } from '../scheduler/commands';
import { cronOf, jobHistory, listJobs, type JobRun } from '../scheduler/jobs';
import { Scheduler } from '../scheduler/scheduler';
import { readHealth } from '../serve/health';
import type { platformMethods } from '../contract/platform';
import type { Handlers } from './registry';
import type { Services } from './services';

/** One run of a job (`platform:job-runs`); `abandoned`: its process died mid-run. */
export type PlatformJobRun = Omit<JobRun, 'slotAt' | 'pid'>;

/** A scheduled job with its next slot and last run (`platform:jobs`). */
export interface PlatformJob {
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly command: string;
  readonly enabled: boolean;
  readonly nextRunAt: number | null;
  readonly lastRun: PlatformJobRun | null;
}

/** The health summary the status bar shows (`platform:health`); the same data as `/health`. */
export interface PlatformHealth {
  readonly status: 'ok' | 'degraded';
  readonly jobs: number;
  readonly failed24h: number;
  readonly outboxBacklog: number;
  readonly findings24h: number;
  readonly newsItems: number;
  readonly lastImportAt: string | null;
}

/** A data connector's key as the page sees it: whether it is set, never its value. */
export interface PlatformApiKey {
  readonly connector: 'alphavantage' | 'dart';
  /** The variable the CLI reads it from (the environment wins over the app's store). */
  readonly env: string;
  readonly set: boolean;
  /** Whether this host can store a key (the desktop app); `quantdesk serve` reads the environment only. */
  readonly storable: boolean;
}

type PlatformChannels = keyof typeof platformMethods;

/** Handlers of the data platform (Jobs view, Reports list, the status bar's health panel). */
export function platformHandlers(s: Services): Pick<Handlers, PlatformChannels> {
  const strip = <T extends { pid?: unknown; slotAt?: unknown }>(r: T) => {
    const { pid: _pid, slotAt: _slot, ...rest } = r;
    return rest;
  };
  // Whether each connector's key is set: computed from the host's credentials, the values never leave here.
  const apiKeys = (): PlatformApiKey[] => {
    const env = s.credentials.get();
    return (['alphavantage', 'dart'] as const).map((connector) => {
      const name = CONNECTORS[connector].keyEnv!;
      return { connector, env: name, set: !!env[name], storable: s.credentials.set !== undefined };
    });
  };
  return {
    'platform:api-keys': () => ok(apiKeys()),
    'platform:api-key-set': (input) => {
      const set = s.credentials.set;
      const name = CONNECTORS[input.connector].keyEnv!;
      if (!set) return fail('unavailable', `this host reads API keys from its environment; set ${name} there`);
      try {
        set({ [name]: input.value.trim() });
      } catch (e) {
        return fail('unavailable', (e as Error).message);
      }
      return ok(apiKeys());
    },
    'platform:jobs': () =>
      ok(
        listJobs(s.store).map((j) => {
          const last = jobHistory(s.store, { job: j.name, limit: 1 })[0];
          return {
            name: j.name,
            cron: j.cron,
            timezone: j.timezone,
            command: j.command.join(' '),
            enabled: j.enabled,
            nextRunAt: cronOf(j).nextRun()?.getTime() ?? null,
            lastRun: last ? strip(last) : null,
          };
        }),
      ),
    'platform:job-runs': (input) => ok(jobHistory(s.store, { job: input.job, limit: input.limit ?? 100 }).map(strip)),
    'platform:job-run': async (input) => {
      const scheduler = new Scheduler(s.store, {
        run: (job, signal) => runJobCommand(s.store, job.command, signal, s.credentials.get()),
      });
      try {
        const r = await scheduler.runNow(input.job);
        if ('busy' in r) return fail('conflict', `${input.job} is already running`);
        // A fetch may have stored bars: the user's alert rules judge them (issue 16; a no-op when none did).
        s.userAlerts?.onStored();
        return ok(strip(r));
      } catch (e) {
        return fail('not-found', (e as Error).message);
      }
    },
    'platform:reports': () => ok(listReports(s.store)),
    'platform:findings': (input) => ok(listFindings(s.store, { symbol: input.symbol, limit: input.limit ?? 200 })),
    'platform:health': () => {
      const h = readHealth(s.store);
      return ok({
        status: h.status,
        jobs: h.scheduler.jobs,
        failed24h: h.scheduler.failed24h,
        outboxBacklog: h.outbox.backlog,
        findings24h: h.dataQuality.findings24h,
        newsItems: h.feeds.newsItems,
        lastImportAt: h.store.lastImportAt,
      });
    },
  };
}
