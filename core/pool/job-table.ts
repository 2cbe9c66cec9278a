import { OPTIMIZE_JOBS } from '../optimize/backtest-job';
import { INTERACTIVE_JOBS } from '../optimize/interactive-jobs';
import { DIAG_JOBS } from './diag-jobs';
import type { JobTable } from './worker-host';

/** Every job kind a pool worker runs: diagnostics, the optimisation kinds and the API's interactive calls. */
export const JOB_TABLE: JobTable = { ...DIAG_JOBS, ...OPTIMIZE_JOBS, ...INTERACTIVE_JOBS };
