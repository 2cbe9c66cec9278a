/** The `live-sessions` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { method, noInput } from './define';
import type { OutboxState } from '../live/outbox';
import type { SessionInfo } from '../live/service';
import type { LiveStatus } from './live';

export type { OutboxState as OutboxStatus } from '../live/outbox';
export type { SessionInfo as LiveSessionInfo } from '../live/service';

/** `live:resume`: restart a journaled session by name with the request it was started with; `speed` overrides the replay speed. */
export const LiveResumeInput = z
  .object({
    session: z
      .string()
      .min(1)
      .max(64)
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters'),
    speed: z.number().min(0).optional(),
  })
  .strict();

/** The live-sessions methods (a slice of `METHODS`). */
export const liveSessionsMethods = {
  // -- webhook outbox and named live sessions (issue 15)
  /** Pending deliveries, dead letters and the latest dead letters (shown in the Live view's alerts panel). */
  'outbox:status': method(noInput).returns<OutboxState>(),
  /** Every journaled session, most recently started first. */
  'live:sessions': method(noInput).returns<readonly SessionInfo[]>(),
  /** Restarts a journaled session by name (restored from its journal; continues after its last step). */
  'live:resume': method(LiveResumeInput).returns<LiveStatus>(),
  /** Requeues dead letters with a fresh attempt budget: those of `alertId` (not-found when it has none), or all; answers how many deliveries. */
  'outbox:retry': method(z.object({ alertId: z.string().min(1).max(200).optional() }).strict()).returns<{
    readonly requeued: number;
  }>(),
} as const;
