/**
 * The one contract between the renderer and the core services. Electron's preload and IPC wiring,
 * the `quantdesk serve` WebSocket host and the renderer's client are all typed by it: a method or
 * event that is not declared here does not exist.
 *
 * Each method declares a zod input schema (validated once, at the boundary, before any handler
 * runs) and its result type. Each event declares its payload type. Channels are `<domain>:<verb>`
 * for methods and `<domain>:<past-tense verb>` for events.
 *
 * Each domain declares its slice in `core/contract/<domain>.ts`: its input schemas and its method and
 * event tables. This file composes the slices and derives what every host and the renderer use. Value
 * types are defined once, in `core/model/` or their domain, and the slices import them. A new domain adds
 * its slice and one spread below; a channel declared in two slices is caught by `contract/contract.test.ts`.
 */
import type { z } from 'zod';
import type { AppError, Result } from './model/result';
import { appMethods, appEvents } from './contract/app';
import { dataMethods, dataUploadMethods, dataEvents } from './contract/data';
import { strategiesMethods } from './contract/strategies';
import { backtestMethods, backtestEvents } from './contract/backtest';
import { indicatorsMethods } from './contract/indicators';
import { optimizeMethods, optimizeEvents } from './contract/optimize';
import { liveMethods, liveEvents } from './contract/live';
import { brokerMethods, brokerEvents } from './contract/broker';
import { liveSessionsMethods } from './contract/live-sessions';
import { modelsMethods, modelsEvents } from './contract/models';
import { platformMethods } from './contract/platform';
import { deskMethods, deskEvents } from './contract/desk';

export type { AppError, Result } from './model/result';
export type { EventDef, MethodDef } from './contract/define';
export * from './contract/app';
export * from './contract/data';
export * from './contract/strategies';
export * from './contract/backtest';
export * from './contract/indicators';
export * from './contract/optimize';
export * from './contract/live';
export * from './contract/broker';
export * from './contract/live-sessions';
export * from './contract/models';
export * from './contract/platform';
export * from './contract/desk';

/** Every method the renderer may call. The key is the channel. */
export const METHODS = {
  ...appMethods,
  ...dataMethods,
  ...strategiesMethods,
  ...backtestMethods,
  ...indicatorsMethods,
  ...optimizeMethods,
  ...liveMethods,
  ...brokerMethods,
  ...liveSessionsMethods,
  ...dataUploadMethods,
  ...modelsMethods,
  ...platformMethods,
  ...deskMethods,
} as const;

/** Every event the renderer may subscribe to. The key is the channel. */
export const EVENTS = {
  ...appEvents,
  ...dataEvents,
  ...backtestEvents,
  ...optimizeEvents,
  ...liveEvents,
  ...brokerEvents,
  ...modelsEvents,
  ...deskEvents,
} as const;

// == derived types: do not edit below ==========================================================

export type Methods = typeof METHODS;
export type Channel = keyof Methods;
export type EventChannel = keyof typeof EVENTS;
/** The validated input a handler receives for `K`. */
export type InputOf<K extends Channel> = z.output<Methods[K]['input']>;
/** What a caller passes for `K` (before defaults are applied by the schema). */
export type ArgOf<K extends Channel> = z.input<Methods[K]['input']>;
/** The success value of `K`. */
export type OutputOf<K extends Channel> = NonNullable<Methods[K]['__result']>;
export type PayloadOf<E extends EventChannel> = NonNullable<(typeof EVENTS)[E]['__payload']>;

/** Renderer → core. */
export type Api = { [K in Channel]: (input: ArgOf<K>) => Promise<Result<OutputOf<K>>> };
/** Core → renderer. */
export type Events = { [E in EventChannel]: PayloadOf<E> };

/** Allow-lists for the preload and the host. */
export const API_CHANNELS = Object.fromEntries(Object.keys(METHODS).map((k) => [k, 1])) as Record<Channel, 1>;
export const EVENT_CHANNELS = Object.fromEntries(Object.keys(EVENTS).map((k) => [k, 1])) as Record<EventChannel, 1>;

/** Exposed as `window.api`, by the Electron preload or by the browser client of `quantdesk serve`. */
export interface WindowApi {
  invoke<K extends Channel>(
    channel: K,
    ...args: undefined extends ArgOf<K> ? [input?: ArgOf<K>] : [input: ArgOf<K>]
  ): Promise<Result<OutputOf<K>>>;
  on<E extends EventChannel>(channel: E, listener: (payload: Events[E]) => void): () => void;
}

/** Narrow helper for hosts: is `x` a declared channel? */
export function isChannel(x: unknown): x is Channel {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(METHODS, x);
}

/** Narrow helper for hosts: is `x` a declared event channel? */
export function isEventChannel(x: unknown): x is EventChannel {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, x);
}

export type { AppError as ContractError };
