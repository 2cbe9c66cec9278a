import { fail, ok } from '../model/result';
import { loadSandboxedStrategy, sourceHash, StrategyCodeError } from '../sdk/sandbox';
import { typecheckStrategy, type TypecheckResult } from '../sdk/typecheck';
import { TYPECHECK_JOB, type TypecheckJobData } from '../sdk/typecheck-job';
import {
  addUserStrategy,
  getSource,
  listUserStrategies,
  strategyVersions,
  type StrategyVersion,
} from '../store/strategy-sources';
import { describeStrategy, listStrategies, type StrategyListing } from '../strategies';
import { isBuiltin } from '../strategies/registry';
import type { strategiesMethods } from '../contract/strategies';
import type { Handlers } from './registry';
import type { Services } from './services';

/** One stored version of a user strategy. */
export type StrategyVersionView = Omit<StrategyVersion, 'name'>;

/** A problem in a user strategy's source, at its line and column (1-based); line 0: no position. */
export interface StrategyProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** A stored user strategy's source (the newest, or the version asked for) and its version history, newest first. */
export interface StrategySourceView {
  readonly name: string;
  readonly version: number;
  readonly source: string;
  readonly versions: readonly StrategyVersionView[];
}

/** What compiling (loading in the sandbox) a source gives: its problems, or its name, kind and params. */
export interface StrategyCompileView {
  readonly ok: boolean;
  readonly problems: readonly StrategyProblem[];
  readonly name: string | null;
  readonly kind: 'single' | 'cross-sectional' | 'portfolio' | null;
}

/** `FILE:LINE:COL: message` (or `FILE: message`) as a problem at a position. */
function problemOf(message: string): StrategyProblem {
  const m = /^[^:]*:(\d+):(\d+): ([\s\S]*)$/.exec(message);
  if (m) return { line: Number(m[1]), column: Number(m[2]), message: m[3] };
  return { line: 0, column: 0, message: message.replace(/^[^:]*: /, '') };
}

/**
 * Loads `source` in the sandbox: the strategy or its problems. This evaluates the module's top level
 * on the host's thread (to report its name, kind and params), so it gets a short limit of its own;
 * the strategy's bars only ever run on the pool.
 */
const COMPILE_LIMIT_MS = 2000;
/** The type check's limit (the first check of a worker parses the library and SDK declarations). */
const TYPECHECK_LIMIT_MS = 20_000;
function compile(source: string, name = 'strategy') {
  try {
    return {
      strategy: loadSandboxedStrategy({ name, file: `${name}.ts`, source, hash: sourceHash(source) }, COMPILE_LIMIT_MS),
      problems: [] as StrategyProblem[],
    };
  } catch (e) {
    if (e instanceof StrategyCodeError) return { strategy: null, problems: e.errors.map(problemOf) };
    throw e;
  }
}

/**
 * Handlers of the strategy catalogue and the user strategies: `strategies:list` (built-ins, then the
 * stored user strategies), `strategies:compile`, `strategies:save`, `strategies:source`.
 */
export function strategyHandlers(s: Services): Pick<Handlers, keyof typeof strategiesMethods> {
  const builtins = listStrategies(); // static: computed once per host
  const described = new Map<string, StrategyListing>(); // by source hash
  return {
    'strategies:list': () => {
      const users: StrategyListing[] = [];
      for (const v of listUserStrategies(s.store)) {
        let d = described.get(v.hash);
        if (!d) {
          const src = getSource(s.store, v.hash);
          if (!src) continue;
          const c = compile(src.source, v.name);
          if (!c.strategy) continue;
          d = { ...describeStrategy(c.strategy, 'user'), name: v.name };
          described.set(v.hash, d);
        }
        users.push(d);
      }
      return ok([...builtins, ...users]);
    },
    'strategies:compile': ({ source }) => {
      const c = compile(source);
      const view: StrategyCompileView = c.strategy
        ? { ok: true, problems: [], name: c.strategy.name || null, kind: c.strategy.kind }
        : { ok: false, problems: c.problems, name: null, kind: null };
      return ok(view);
    },
    'strategies:save': ({ source, name }) => {
      const c = compile(source, name ?? 'strategy');
      if (!c.strategy)
        return fail(
          'invalid-input',
          c.problems.map((p) => `${p.line}:${p.column}: ${p.message}`).join('\n'),
          c.problems.map((p) => `${p.line}:${p.column}: ${p.message}`),
        );
      const finalName = c.strategy.name || name;
      if (!finalName) return fail('invalid-input', 'name: give the strategy a name (defineStrategy({ name }))');
      if (!/^[a-z0-9][a-z0-9-]*$/i.test(finalName))
        return fail('invalid-input', `name: "${finalName}" must be letters, digits and dashes`);
      if (isBuiltin(finalName))
        return fail('invalid-input', `name: "${finalName}" is a built-in strategy; choose another name`);
      const r = addUserStrategy(s.store, {
        name: finalName,
        file: `${finalName}.ts`,
        source,
        hash: sourceHash(source),
      });
      return ok({ name: finalName, version: r.version, added: r.added });
    },
    // The TypeScript checker takes a second or more (zod's types): it runs on the interactive pool's
    // worker, which keeps the parsed library and SDK declarations between calls; a store in memory has
    // no pool (tests), so there it runs here.
    'strategies:typecheck': async ({ source, fileName }) => {
      const data: TypecheckJobData = { source, fileName, limitMs: TYPECHECK_LIMIT_MS };
      if (s.dbPath === ':memory:') return ok(typecheckStrategy(data.source, data.fileName, data.limitMs));
      const [o] = await s.optimize.interactivePool().run<TypecheckResult>([{ kind: TYPECHECK_JOB, data }]);
      return o;
    },
    'strategies:source': ({ name, version }) => {
      const versions = strategyVersions(s.store, name);
      if (versions.length === 0) return fail('not-found', `no stored strategy "${name}"`);
      const v = version === undefined ? versions[0] : versions.find((x) => x.version === version);
      if (!v) return fail('not-found', `strategy "${name}" has no version ${version}`);
      const src = getSource(s.store, v.hash);
      if (!src) return fail('not-found', `the source of "${name}" version ${v.version} is missing`);
      return ok({
        name,
        version: v.version,
        source: src.source,
        versions: versions.map((x) => ({ version: x.version, hash: x.hash, addedAt: x.addedAt })),
      });
    },
  };
}
