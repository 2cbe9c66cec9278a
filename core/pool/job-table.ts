import { OPTIMIZE_JOBS } from '../optimize/backtest-job';
import { MODEL_JOBS } from '../models/pool-train';
import { DIAG_JOBS } from './diag-jobs';
import type { JobTable } from './worker-host';

/** Every job kind a pool worker runs: diagnostics and the optimisation kinds. */
export const JOB_TABLE: JobTable = { ...DIAG_JOBS, ...OPTIMIZE_JOBS, ...MODEL_JOBS };
