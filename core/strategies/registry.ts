/**
 * The strategy registry: every name a spec, a job or a message carries resolves here, and only here.
 *
 * - Built-ins register once, at load, from `./index` (`registerBuiltin`). Adding one is its own file
 *   plus one line in that list.
 * - A user strategy (a `.ts`/`.js` file, or one stored with `quantdesk strategies add`) is compiled
 *   and loaded into the sandbox by the host (`core/sdk/user-strategies`), then registered under the
 *   reference the spec uses (its name, or its path) together with its source and hash
 *   (`registerUserStrategy`). Pool jobs carry that source (see {@link strategySourceFor}), so a worker
 *   registers the same hash before resolving: a sweep of a user strategy runs the very code its
 *   single backtest runs.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { BacktestInputError } from '../backtest/types';
import { loadSandboxedStrategy, sourceHash } from '../sdk/sandbox';
import { latestUserSource } from '../store/strategy-sources';
import type { Store } from '../store/sqlite-bar-store';
import { declareNamesIndependent } from '../strategy/independence';
import type { Strategy } from '../strategy/types';

/** A user strategy's source as it travels with a job and is kept in the run registry. */
export interface StrategySource {
  /** The strategy's name (from `defineStrategy({ name })` or the file name). */
  readonly name: string;
  /** Where the source came from (a file path or `db:<name>`), for error messages. */
  readonly file: string;
  /** The TypeScript or JavaScript source text. */
  readonly source: string;
  /** sha256 hex of `source`. */
  readonly hash: string;
}

const builtins = new Map<string, Strategy>();
/** A reference (a spec's `"strategy"` string) → the loaded user strategy and its source. */
const userRefs = new Map<string, { strategy: Strategy; source: StrategySource }>();
const loadedByHash = new Map<string, Strategy>();

/** Registers a built-in strategy under its name. @throws Error when the name is taken. */
export function registerBuiltin(strategy: Strategy): void {
  if (builtins.has(strategy.name)) throw new Error(`strategy "${strategy.name}" is registered twice`);
  builtins.set(strategy.name, strategy);
  // Built-ins keep every per-name value in their state: the engine may step names a block apart.
  declareNamesIndependent(strategy);
}

/** Every built-in, in registration order. */
export function builtinStrategies(): Strategy[] {
  return [...builtins.values()];
}

/** Whether `name` is a built-in strategy. */
export function isBuiltin(name: string): boolean {
  return builtins.has(name);
}

/**
 * Registers the user strategy in `source` under `ref` (the spec's `"strategy"` string): loads it in the
 * sandbox once per hash and returns it. Re-registering a ref with another hash replaces it.
 * @throws BacktestInputError when no loader is installed or the source does not load.
 */
export function registerUserStrategy(ref: string, source: StrategySource): Strategy {
  const cur = userRefs.get(ref);
  if (cur && cur.source.hash === source.hash) return cur.strategy;
  let strategy = loadedByHash.get(source.hash);
  if (!strategy) {
    strategy = loadSandboxedStrategy(source);
    loadedByHash.set(source.hash, strategy);
  }
  userRefs.set(ref, { strategy, source });
  return strategy;
}

/** The source registered under `ref`, if it names a user strategy (what a pool job must carry). */
export function strategySourceFor(ref: string): StrategySource | undefined {
  return builtins.has(ref) ? undefined : userRefs.get(ref)?.source;
}

/** What resolving a user strategy may read: the store holding `strategies add`'s copies. */
export interface ResolveContext {
  readonly store?: Store | null;
}

/** Whether a spec's `"strategy"` is a path to a strategy file (`.ts`, `.js`, `.mts`, `.mjs`). */
export function isStrategyPath(ref: string): boolean {
  return /\.(m?ts|m?js)$/i.test(ref);
}

/** A strategy file read as a source (name: the file name without its extension). @throws BacktestInputError when unreadable. */
export function readStrategyFile(path: string): StrategySource {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BacktestInputError([
      `strategy: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    ]);
  }
  return { name: basename(path).replace(/\.(m?ts|m?js)$/i, ''), file: path, source, hash: sourceHash(source) };
}

/**
 * The strategy a spec (or a name) refers to: a built-in; a user strategy already registered under
 * that reference in this process; a strategy file (an absolute path, or relative to the working
 * directory: spec readers make paths absolute against the spec file); or, with `ctx.store`, the
 * newest stored version of a user strategy of that name.
 * @throws BacktestInputError naming the `strategy` field for an unknown one, or `FILE:LINE:COL` for one that does not load.
 */
export function resolveStrategy(
  specOrName: string | { readonly strategy: string },
  ctx: ResolveContext = {},
): Strategy {
  const s = findStrategy(specOrName, ctx);
  if (!s)
    throw new BacktestInputError([
      `strategy: unknown strategy "${typeof specOrName === 'string' ? specOrName : specOrName.strategy}" (see \`quantdesk strategies\`)`,
    ]);
  return s;
}

/** {@link resolveStrategy} returning undefined for an unknown name (it still throws for a file that does not load). */
export function findStrategy(
  specOrName: string | { readonly strategy: string },
  ctx: ResolveContext = {},
): Strategy | undefined {
  const ref = typeof specOrName === 'string' ? specOrName : specOrName.strategy;
  const b = builtins.get(ref);
  if (b) return b;
  const pin = pinned.get(ref);
  if (pin) return registerUserStrategy(ref, pin);
  // Files and stored names are looked up afresh each time (a long-lived host sees edits); loading is cached by hash.
  if (isStrategyPath(ref)) return registerUserStrategy(ref, readStrategyFile(isAbsolute(ref) ? ref : resolve(ref)));
  const stored = ctx.store ? latestUserSource(ctx.store, ref) : undefined;
  if (stored)
    return registerUserStrategy(ref, {
      name: stored.name,
      file: stored.file,
      source: stored.source,
      hash: stored.hash,
    });
  return userRefs.get(ref)?.strategy;
}

const pinned = new Map<string, StrategySource>();

/**
 * The source a non-built-in reference names, read but not loaded (no user code runs): pinned, the
 * file, the newest stored version, or one registered in this process; undefined for a built-in or an
 * unknown name. Hosts use it to check a spec and to hand the source to a pool worker.
 * @throws BacktestInputError for a strategy path that cannot be read.
 */
export function userSourceFor(ref: string, ctx: ResolveContext = {}): StrategySource | undefined {
  if (builtins.has(ref)) return undefined;
  const pin = pinned.get(ref);
  if (pin) return pin;
  if (isStrategyPath(ref)) return readStrategyFile(isAbsolute(ref) ? ref : resolve(ref));
  const stored = ctx.store ? latestUserSource(ctx.store, ref) : undefined;
  if (stored) return { name: stored.name, file: stored.file, source: stored.source, hash: stored.hash };
  return userRefs.get(ref)?.source;
}

/**
 * Runs `fn` with `ref` pinned to `source`: every resolution of `ref` inside gets exactly that
 * source (a re-run of a stored run, a pool job carrying its source), whatever the file holds now.
 */
export function withPinnedSource<T>(ref: string, source: StrategySource, fn: () => T): T {
  const before = pinned.get(ref);
  pinned.set(ref, source);
  registerUserStrategy(ref, source);
  try {
    return fn();
  } finally {
    if (before) pinned.set(ref, before);
    else pinned.delete(ref);
  }
}

/** {@link withPinnedSource} for async work (the pin holds until the promise settles). */
export async function withPinnedSourceAsync<T>(ref: string, source: StrategySource, fn: () => Promise<T>): Promise<T> {
  const before = pinned.get(ref);
  pinned.set(ref, source);
  registerUserStrategy(ref, source);
  try {
    return await fn();
  } finally {
    if (before) pinned.set(ref, before);
    else pinned.delete(ref);
  }
}

/**
 * A spec file's `"strategy"` (or a sweep's `"base"."strategy"`) that is a relative path to a
 * strategy file, made absolute against the spec file's folder, in place. Returns `raw`.
 */
export function absolutizeStrategyRef<T>(raw: T, specFile: string): T {
  const fix = (o: unknown) => {
    if (o && typeof o === 'object' && typeof (o as { strategy?: unknown }).strategy === 'string') {
      const ref = (o as { strategy: string }).strategy;
      if (isStrategyPath(ref) && !isAbsolute(ref))
        (o as { strategy: string }).strategy = resolve(dirname(resolve(specFile)), ref);
    }
  };
  fix(raw);
  if (raw && typeof raw === 'object') fix((raw as { base?: unknown }).base);
  return raw;
}
