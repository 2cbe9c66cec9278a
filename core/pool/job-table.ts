import { USER_RUN_JOBS } from '../backtest/user-run';
import { OPTIMIZE_JOBS } from '../optimize/backtest-job';
import { INTERACTIVE_JOBS } from '../optimize/interactive-jobs';
import { MODEL_JOBS } from '../models/pool-train';
import { TYPECHECK_JOBS } from '../sdk/typecheck-job';
import { USER_COLUMN_JOBS } from '../screener/user-columns';
import { DIAG_JOBS } from './diag-jobs';
import type { JobTable } from './worker-host';

/** Every job kind a pool worker runs: diagnostics, the optimisation kinds, model fitting, user-strategy runs and the API's interactive calls. */
export const JOB_TABLE: JobTable = {
  ...DIAG_JOBS,
  ...OPTIMIZE_JOBS,
  ...MODEL_JOBS,
  ...USER_RUN_JOBS,
  ...INTERACTIVE_JOBS,
  ...TYPECHECK_JOBS,
  ...USER_COLUMN_JOBS,
};
