import { z } from 'zod';
import { method, noInput } from './define';

/**
 * A built-in strategy as `strategies:list` and `quantdesk strategies --json` describe it. `params` is
 * the JSON Schema (draft 2020-12, as a caller writes it) of its parameters: `properties` with `type`,
 * `default`, `minimum`/`maximum`, `enum`, `description`; the backtest form is generated from it.
 */
export interface StrategyDescription {
  readonly name: string;
  readonly description: string;
  readonly kind: 'single' | 'cross-sectional' | 'portfolio';
  readonly params: Record<string, unknown>;
  /** `builtin` or a stored `user` strategy (absent in older hosts: builtin). */
  readonly source?: 'builtin' | 'user';
}

/** A problem in a user strategy's source, at its line and column (1-based); line 0: no position. */
export interface StrategyProblem {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** One stored version of a user strategy. */
export interface StrategyVersionView {
  readonly version: number;
  readonly hash: string;
  readonly addedAt: number;
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

/** A TypeScript diagnostic in a user strategy, checked against the SDK's declarations (1-based; end exclusive). */
export interface StrategyTypeDiagnostic {
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** What `strategies:typecheck` gives: the diagnostics, or `timedOut` (then no diagnostics, not "no errors"). */
export interface StrategyTypecheckView {
  readonly diagnostics: readonly StrategyTypeDiagnostic[];
  readonly timedOut: boolean;
  readonly ms: number;
}

/** Source text of a user strategy, as the editor sends it (1 MB at most). */
const StrategySourceText = z.string().max(1_000_000);


/** The strategies methods (a slice of `METHODS`). */
export const strategiesMethods = {
  // -- backtest (engine issue)
  'strategies:list': method(noInput).returns<readonly StrategyDescription[]>(),
  // -- user strategies (issue 13): compiled and loaded in the sandbox, stored with their versions
  /** Compiles and loads a source in the sandbox (time-limited); problems carry the line and column. */
  'strategies:compile': method(z.object({ source: StrategySourceText }).strict()).returns<StrategyCompileView>(),
  /** Stores a source as the newest version of the strategy it names (`defineStrategy({ name })`, else `name`). */
  'strategies:save': method(z.object({ source: StrategySourceText, name: z.string().min(1).max(100).optional() }).strict()).returns<{
    readonly name: string;
    readonly version: number;
    readonly added: boolean;
  }>(),
  /** Type-checks a source against the SDK's type declarations (TypeScript, on a pool worker, time-limited; 200,000 characters at most). */
  'strategies:typecheck': method(z.object({ source: z.string().max(200_000), fileName: z.string().min(1).max(200).default('strategy.ts') }).strict()).returns<StrategyTypecheckView>(),
  /** A stored user strategy's source (newest, or `version`) and its history. */
  'strategies:source': method(z.object({ name: z.string().min(1), version: z.number().int().positive().optional() }).strict()).returns<StrategySourceView>(),
} as const;
