import { OPTIMIZE_JOBS } from '../optimize/backtest-job';
import { INTERACTIVE_JOBS } from '../optimize/interactive-jobs';
import { MODEL_JOBS } from '../models/pool-train';
import { DIAG_JOBS } from './diag-jobs';
import type { JobTable } from './worker-host';

/** Every job kind a pool worker runs: diagnostics, the optimisation kinds, model fitting and the API's interactive calls. */
export const JOB_TABLE: JobTable = { ...DIAG_JOBS, ...OPTIMIZE_JOBS, ...MODEL_JOBS, ...INTERACTIVE_JOBS };
