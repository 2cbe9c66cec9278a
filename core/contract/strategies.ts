import { z } from 'zod';
import { method, noInput } from './define';
import type { TypecheckResult } from '../sdk/typecheck';
import type { StrategyVersion } from '../store/strategy-sources';
import type { StrategyListing } from '../strategies';

export type { StrategyListing as StrategyDescription } from '../strategies';
export type { TypeDiagnostic as StrategyTypeDiagnostic, TypecheckResult as StrategyTypecheckView } from '../sdk/typecheck';

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

/** Source text of a user strategy, as the editor sends it (1 MB at most). */
const StrategySourceText = z.string().max(1_000_000);


/** The strategies methods (a slice of `METHODS`). */
export const strategiesMethods = {
  // -- backtest (engine issue)
  'strategies:list': method(noInput).returns<readonly StrategyListing[]>(),
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
  'strategies:typecheck': method(z.object({ source: z.string().max(200_000), fileName: z.string().min(1).max(200).default('strategy.ts') }).strict()).returns<TypecheckResult>(),
  /** A stored user strategy's source (newest, or `version`) and its history. */
  'strategies:source': method(z.object({ name: z.string().min(1), version: z.number().int().positive().optional() }).strict()).returns<StrategySourceView>(),
} as const;
