/**
 * The two builders every domain's method and event table uses (see `core/contract.ts`): a method is its
 * zod input schema plus a phantom result type; an event is a phantom payload type.
 */
import { z } from 'zod';

/** A method's declaration: its input schema and, as a phantom type, its result. */
export interface MethodDef<I extends z.ZodType, O> {
  readonly input: I;
  readonly __result?: O;
}

/** Declares a method: `method(InputSchema).returns<Result>()`. */
export function method<I extends z.ZodType>(input: I) {
  return { returns: <O>(): MethodDef<I, O> => ({ input }) };
}

/** An event's declaration; the payload type is phantom. */
export interface EventDef<P> {
  readonly __payload?: P;
}

/** Declares an event: `event<Payload>()`. */
export function event<P>(): EventDef<P> {
  return {};
}

/** The input of a method that takes none. */
export const noInput = z.object({}).strict().optional();

/** A time at the boundary: EpochMs, finite. */
export const epochMs = z.number().finite();
