/** The `platform` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { method, noInput } from './define';
import type { QualityFinding } from '../quality/checks';
import type { ReportEntry } from '../report/daily';
import type { PlatformApiKey, PlatformHealth, PlatformJob, PlatformJobRun } from '../api/platform-handlers';

export type { PlatformApiKey, PlatformHealth, PlatformJob, PlatformJobRun } from '../api/platform-handlers';
export type { QualityFinding as PlatformFinding } from '../quality/checks';
export type { ReportEntry as PlatformReport } from '../report/daily';

// -- connector API keys (issue 19, item 1: the app stores them with safeStorage, the page never reads one back)
/** `platform:api-key-set`: a connector's key, written to the host's encrypted store; `''` removes it. */
export const PlatformApiKeyInput = z
  .object({ connector: z.enum(['alphavantage', 'dart']), value: z.string().max(512) })
  .strict();

/** The platform methods (a slice of `METHODS`). */
export const platformMethods = {
  // -- data platform (issue 19)
  /** Scheduled jobs with next slot and last run. */
  'platform:jobs': method(noInput).returns<readonly PlatformJob[]>(),
  /** Run history, newest first (one job or all). */
  'platform:job-runs': method(
    z
      .object({ job: z.string().min(1).max(64).optional(), limit: z.number().int().min(1).max(500).optional() })
      .strict(),
  ).returns<readonly PlatformJobRun[]>(),
  /** Runs a job now in the host; `conflict` when it is already running. */
  'platform:job-run': method(z.object({ job: z.string().min(1).max(64) }).strict()).returns<PlatformJobRun>(),
  /** Past reports, newest first. */
  'platform:reports': method(noInput).returns<readonly ReportEntry[]>(),
  'platform:health': method(noInput).returns<PlatformHealth>(),
  /** Data-quality findings, newest first (one symbol's with `symbol`). */
  'platform:findings': method(
    z.object({ symbol: z.string().min(1).optional(), limit: z.number().int().min(1).max(1000).optional() }).strict(),
  ).returns<readonly QualityFinding[]>(),
  /** Data connectors' keys: set or not (never a value). */
  'platform:api-keys': method(noInput).returns<readonly PlatformApiKey[]>(),
  /** Stores a connector's key encrypted (desktop app only; `unavailable` where keys come from the environment). Answers set/not set. */
  'platform:api-key-set': method(PlatformApiKeyInput).returns<readonly PlatformApiKey[]>(),
} as const;
