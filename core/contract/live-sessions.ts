import { z } from 'zod';
import { method, noInput } from './define';
import type { KillSwitch, LiveStatus } from './live';

// == webhook outbox and named live sessions (issue 15) ======================================

/** `outbox:status`: deliveries being retried, dead letters (failed their last attempt; kept, not retried), the latest dead letters. */
export interface OutboxStatus {
  readonly pending: number;
  readonly dead: number;
  /** Newest first; `endpoint` is the webhook's host only (a Telegram URL carries a bot token). */
  readonly deadLetters: readonly { readonly alertId: string; readonly endpoint: string; readonly attempts: number; readonly lastError: string | null; readonly deadAt: number }[];
}

/** One journaled live session (`live:sessions`): its name, when it last started and stepped, its kill switch as journaled. */
export interface LiveSessionInfo {
  readonly name: string;
  readonly startedAt: number | null;
  readonly lastTime: number | null;
  readonly strategy: string | null;
  readonly symbols: readonly string[];
  readonly feed: string | null;
  readonly killSwitch: KillSwitch;
  /** True when `live:resume` can restart it by name (its start request is kept). */
  readonly resumable: boolean;
}

/** `live:resume`: restart a journaled session by name with the request it was started with; `speed` overrides the replay speed. */
export const LiveResumeInput = z
  .object({
    // eslint-disable-next-line no-control-regex
    session: z.string().min(1).max(64).regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters'),
    speed: z.number().min(0).optional(),
  })
  .strict();


/** The live-sessions methods (a slice of `METHODS`). */
export const liveSessionsMethods = {
  // -- webhook outbox and named live sessions (issue 15)
  /** Pending deliveries, dead letters and the latest dead letters (shown in the Live view's alerts panel). */
  'outbox:status': method(noInput).returns<OutboxStatus>(),
  /** Every journaled session, most recently started first. */
  'live:sessions': method(noInput).returns<readonly LiveSessionInfo[]>(),
  /** Restarts a journaled session by name (restored from its journal; continues after its last step). */
  'live:resume': method(LiveResumeInput).returns<LiveStatus>(),
  /** Requeues dead letters with a fresh attempt budget: those of `alertId` (not-found when it has none), or all; answers how many deliveries. */
  'outbox:retry': method(z.object({ alertId: z.string().min(1).max(200).optional() }).strict()).returns<{ readonly requeued: number }>(),
} as const;
