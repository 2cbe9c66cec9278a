/** The `strategies` slice of the contract (composed in `core/contract.ts`): its input schemas and its method and event tables. Value types are the domain's, imported. */
import { z } from 'zod';
import { method, noInput } from './define';
import type { TypecheckResult } from '../sdk/typecheck';
import type { StrategyCompileView, StrategySourceView } from '../api/strategy-handlers';
import type { StrategyListing } from '../strategies';

export type {
  StrategyCompileView,
  StrategyProblem,
  StrategySourceView,
  StrategyVersionView,
} from '../api/strategy-handlers';
export type { StrategyListing as StrategyDescription } from '../strategies';
export type {
  TypeDiagnostic as StrategyTypeDiagnostic,
  TypecheckResult as StrategyTypecheckView,
} from '../sdk/typecheck';

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
  'strategies:save': method(
    z.object({ source: StrategySourceText, name: z.string().min(1).max(100).optional() }).strict(),
  ).returns<{
    readonly name: string;
    readonly version: number;
    readonly added: boolean;
  }>(),
  /** Type-checks a source against the SDK's type declarations (TypeScript, on a pool worker, time-limited; 200,000 characters at most). */
  'strategies:typecheck': method(
    z.object({ source: z.string().max(200_000), fileName: z.string().min(1).max(200).default('strategy.ts') }).strict(),
  ).returns<TypecheckResult>(),
  /** A stored user strategy's source (newest, or `version`) and its history. */
  'strategies:source': method(
    z.object({ name: z.string().min(1), version: z.number().int().positive().optional() }).strict(),
  ).returns<StrategySourceView>(),
} as const;
