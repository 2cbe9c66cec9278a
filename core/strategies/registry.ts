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
import type { Strategy } from '../strategy/types';
import { BacktestInputError } from '../backtest/types';

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
/** Loads a source into a strategy (the sandbox); set by `core/sdk/user-strategies` so this module stays light. */
let loader: ((src: StrategySource) => Strategy) | null = null;
const loadedByHash = new Map<string, Strategy>();

/** Registers a built-in strategy under its name. @throws Error when the name is taken. */
export function registerBuiltin(strategy: Strategy): void {
  if (builtins.has(strategy.name)) throw new Error(`strategy "${strategy.name}" is registered twice`);
  builtins.set(strategy.name, strategy);
}

/** Every built-in, in registration order. */
export function builtinStrategies(): Strategy[] {
  return [...builtins.values()];
}

/** Whether `name` is a built-in strategy. */
export function isBuiltin(name: string): boolean {
  return builtins.has(name);
}

/** Sets how a user source becomes a strategy (the sandbox loader). */
export function setStrategyLoader(load: (src: StrategySource) => Strategy): void {
  loader = load;
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
    if (!loader) throw new BacktestInputError([`strategy: "${ref}" is a user strategy, but this process has no strategy sandbox loaded`]);
    strategy = loader(source);
    loadedByHash.set(source.hash, strategy);
  }
  userRefs.set(ref, { strategy, source });
  return strategy;
}

/** The source registered under `ref`, if it names a user strategy (what a pool job must carry). */
export function strategySourceFor(ref: string): StrategySource | undefined {
  return builtins.has(ref) ? undefined : userRefs.get(ref)?.source;
}

/**
 * The strategy a spec (or a name) refers to: a built-in, or a user strategy registered under that
 * reference in this process.
 * @throws BacktestInputError naming the `strategy` field for an unknown one.
 */
export function resolveStrategy(specOrName: string | { readonly strategy: string }): Strategy {
  const ref = typeof specOrName === 'string' ? specOrName : specOrName.strategy;
  const s = builtins.get(ref) ?? userRefs.get(ref)?.strategy;
  if (!s) throw new BacktestInputError([`strategy: unknown strategy "${ref}" (see \`quantdesk strategies\`)`]);
  return s;
}

/** {@link resolveStrategy} returning undefined instead of throwing. */
export function findStrategy(specOrName: string | { readonly strategy: string }): Strategy | undefined {
  const ref = typeof specOrName === 'string' ? specOrName : specOrName.strategy;
  return builtins.get(ref) ?? userRefs.get(ref)?.strategy;
}
