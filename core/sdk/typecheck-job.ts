import type { JobTable } from '../pool/worker-host';
import { typecheckStrategy, type TypecheckResult } from './typecheck';

/** The pool job that type-checks a user strategy (the TypeScript checker takes seconds: never on the host's thread). */
export const TYPECHECK_JOB = 'strategies:typecheck';

export interface TypecheckJobData {
  readonly source: string;
  readonly fileName: string;
  readonly limitMs: number;
}

export const TYPECHECK_JOBS: JobTable = {
  [TYPECHECK_JOB]: (data: TypecheckJobData): TypecheckResult =>
    typecheckStrategy(data.source, data.fileName, data.limitMs),
};
