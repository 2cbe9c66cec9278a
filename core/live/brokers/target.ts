import { z } from 'zod';

/**
 * Which broker (and endpoint) a `broker:*` request means: the one definition of a target, as the API validates it
 * (`core/contract/broker.ts`) and as {@link BrokerService} reads it. Keys never travel with it: the host holds them.
 * A leaf module (zod only), so the contract can bundle it for the renderer.
 */
export const BrokerTargetSchema = z
  .object({
    broker: z.enum(['paper', 'alpaca', 'kis']),
    /** Account name or number (KIS `12345678-01`); default the one configured. */
    account: z.string().min(1).max(64).optional(),
    /** Another endpoint (the broker's paper endpoint, a test server). */
    baseUrl: z.string().url().optional(),
    /** The real-money endpoint; default paper. */
    live: z.boolean().default(false),
  })
  .strict();

/** A broker target as a caller writes it (`live` defaults to false). */
export type BrokerTarget = z.input<typeof BrokerTargetSchema>;
