import type { z } from 'zod';
import {
  isChannel,
  METHODS,
  type Channel,
  type EventChannel,
  type Events,
  type InputOf,
  type OutputOf,
} from '../contract';
import { fail, type Result } from '../model/result';

/** Pushes an event to every subscriber of the host (IPC webContents or WebSocket clients). */
export type Emit = <E extends EventChannel>(channel: E, payload: Events[E]) => void;

/** A handler receives input already validated by its schema, and a cancellation signal (aborted when the caller goes away). */
export type Handler<K extends Channel> = (
  input: InputOf<K>,
  ctx: CallContext,
) => Promise<Result<OutputOf<K>>> | Result<OutputOf<K>>;

/** The whole handler table: a missing handler fails to compile. */
export type Handlers = { [K in Channel]: Handler<K> };

/** Per-call context given to handlers. */
export interface CallContext {
  readonly signal: AbortSignal;
}

/**
 * Validates `raw` against the channel's schema, runs its handler, and returns a `Result` whatever
 * happens: an unknown channel or bad input is `invalid-input`, a throw is `internal` (a bug, but the
 * page still gets an answer). This is the one door used by Electron IPC and by the WebSocket host.
 */
export async function dispatch(
  handlers: Handlers,
  channel: unknown,
  raw: unknown,
  ctx: CallContext,
): Promise<Result<unknown>> {
  if (!isChannel(channel)) return fail('invalid-input', `Unknown method: ${String(channel)}`);
  const schema = METHODS[channel].input as z.ZodType;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`);
    return fail('invalid-input', `Invalid input for ${channel}: ${details.join('; ')}`, details);
  }
  try {
    const handler = handlers[channel] as (
      input: unknown,
      ctx: CallContext,
    ) => Promise<Result<unknown>> | Result<unknown>;
    return await handler(parsed.data, ctx);
  } catch (e) {
    if (ctx.signal.aborted) return fail('cancelled', `${channel} was cancelled`);
    return fail('internal', `${channel} failed: ${(e as Error).message}`);
  }
}
