import { z } from 'zod';
import { method, noInput } from './define';
import type { QualityFinding } from '../quality/checks';
import type { ReportEntry } from '../report/daily';
import type { JobRun } from '../scheduler/jobs';

export type { QualityFinding as PlatformFinding } from '../quality/checks';
export type { ReportEntry as PlatformReport } from '../report/daily';

/** One run of a job (`platform:job-runs`); `abandoned`: its process died mid-run. */
export type PlatformJobRun = Omit<JobRun, 'slotAt' | 'pid'>;

// == data platform (issue 19): scheduled jobs, daily reports, health ======================

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

// == the method table =====================================================================
// -- connector API keys (issue 19, item 1: the app stores them with safeStorage, the page never reads one back)
/** A data connector's key as the page sees it: whether it is set, never its value. */
export interface PlatformApiKey {
  readonly connector: 'alphavantage' | 'dart';
  /** The variable the CLI reads it from (the environment wins over the app's store). */
  readonly env: string;
  readonly set: boolean;
  /** Whether this host can store a key (the desktop app); `quantdesk serve` reads the environment only. */
  readonly storable: boolean;
}
/** `platform:api-key-set`: a connector's key, written to the host's encrypted store; `''` removes it. */
export const PlatformApiKeyInput = z.object({ connector: z.enum(['alphavantage', 'dart']), value: z.string().max(512) }).strict();


/** The platform methods (a slice of `METHODS`). */
export const platformMethods = {
  // -- data platform (issue 19)
  /** Scheduled jobs with next slot and last run. */
  'platform:jobs': method(noInput).returns<readonly PlatformJob[]>(),
  /** Run history, newest first (one job or all). */
  'platform:job-runs': method(z.object({ job: z.string().min(1).max(64).optional(), limit: z.number().int().min(1).max(500).optional() }).strict()).returns<readonly PlatformJobRun[]>(),
  /** Runs a job now in the host; `conflict` when it is already running. */
  'platform:job-run': method(z.object({ job: z.string().min(1).max(64) }).strict()).returns<PlatformJobRun>(),
  /** Past reports, newest first. */
  'platform:reports': method(noInput).returns<readonly ReportEntry[]>(),
  'platform:health': method(noInput).returns<PlatformHealth>(),
  /** Data-quality findings, newest first (one symbol's with `symbol`). */
  'platform:findings': method(z.object({ symbol: z.string().min(1).optional(), limit: z.number().int().min(1).max(1000).optional() }).strict()).returns<readonly QualityFinding[]>(),
  /** Data connectors' keys: set or not (never a value). */
  'platform:api-keys': method(noInput).returns<readonly PlatformApiKey[]>(),
  /** Stores a connector's key encrypted (desktop app only; `unavailable` where keys come from the environment). Answers set/not set. */
  'platform:api-key-set': method(PlatformApiKeyInput).returns<readonly PlatformApiKey[]>(),
} as const;
