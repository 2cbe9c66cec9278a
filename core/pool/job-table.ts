import { USER_RUN_JOBS } from '../backtest/user-run';
import { OPTIMIZE_JOBS } from '../optimize/backtest-job';
import { DIAG_JOBS } from './diag-jobs';
import type { JobTable } from './worker-host';

/** Every job kind a pool worker runs: diagnostics and the optimisation kinds. */
export const JOB_TABLE: JobTable = { ...DIAG_JOBS, ...OPTIMIZE_JOBS, ...USER_RUN_JOBS };
