/**
 * User features (`defineFeature`) in desk columns, computed off the host's thread: the host reads each feature's
 * source (stored by hash with `quantdesk features add`, or a file) and hands it, the column definitions and the
 * panel (by data fingerprint and query) to a pool worker; the worker loads the feature in its sandbox (with the
 * host's time limit), computes the columns over the same panel as the host's built-in columns, and returns only
 * the values at each symbol's row. User code never runs on the host's main thread.
 */
import type { Panel } from '../data/panel-types';
import { FeatureSpecError, resolveFeatures, type FeatureDef } from '../features/defs';
import { featureMatrix, fieldsOf, matrixCacheDir, newsFor } from '../features/matrix';
import { isFeaturePath, readFeatureFile, registerUserFeature } from '../features/user';
import type { PanelRef, PoolJob } from '../pool/protocol';
import type { Pool } from '../pool/types';
import type { JobTable } from '../pool/worker-host';
import { strategyTimeoutMs } from '../sdk/sandbox';
import { latestUserFeature } from '../store/feature-sources';
import type { Store } from '../store/sqlite-bar-store';
import { getSource } from '../store/strategy-sources';
import { loadPitFacts } from '../strategies/pit-facts';
import type { StrategySource } from '../strategies/registry';

/** Job kind: the user-feature columns of one desk table (watchlist or screen). */
export const USER_COLUMNS_JOB = 'desk:user-columns';

interface UserColumnsData {
  /** One definition per distinct user-feature column, each with the source of its feature. */
  readonly defs: readonly { readonly def: FeatureDef; readonly source: StrategySource }[];
  /** Per panel symbol, the row (day index) whose value the table shows, or -1 (no bar by the date). */
  readonly rows: readonly number[];
  readonly timeoutMs: number;
}

/** The job's answer: per definition, per panel symbol, the value (null when not finite or no row), or the entry at fault. */
type UserColumnsAnswer =
  | { readonly values: readonly (readonly (number | null)[])[] }
  | { readonly error: { readonly def: number; readonly message: string } };

/** A user-feature definition that cannot be computed: its index among the job's definitions, and why. */
export class UserColumnError extends Error {
  constructor(
    readonly def: number,
    message: string,
  ) {
    super(message);
    this.name = 'UserColumnError';
  }
}

/** The pool job kinds of the desk's columns. */
export const USER_COLUMN_JOBS: JobTable = {
  [USER_COLUMNS_JOB]: async (data: UserColumnsData, ctx, job): Promise<UserColumnsAnswer> => {
    const store = ctx.store();
    if (!store) throw new Error(`${USER_COLUMNS_JOB}: the worker has no store`);
    if (!job.panel) throw new Error(`${USER_COLUMNS_JOB}: the job names no panel`);
    // The host's limit (the worker's environment may predate its --strategy-timeout).
    process.env.QUANTDESK_STRATEGY_TIMEOUT_MS = String(data.timeoutMs);
    const panel = await ctx.panel(job.panel);
    return userColumnValues(store, panel, data);
  },
};

function userColumnValues(store: Store, panel: Panel, data: UserColumnsData): UserColumnsAnswer {
  // Loaded from the carried source (by hash), then named as the feature declares itself.
  let defs: FeatureDef[];
  try {
    defs = data.defs.map(({ def, source }, i) => {
      try {
        return { ...def, name: registerUserFeature(source).name };
      } catch (e) {
        throw new FeatureSpecError(`features.${i}.name`, (e as Error).message);
      }
    });
    const features = resolveFeatures(defs, 'features', {});
    const src = {
      panel,
      fields: loadPitFacts(store, panel.symbols, fieldsOf(features)).fields,
      news: newsFor(store, features, panel.symbols),
    };
    const cacheDir = matrixCacheDir(store);
    const matrix = featureMatrix(src, features, cacheDir ? { cacheDir } : {});
    return {
      values: matrix.columns.map((col) =>
        data.rows.map((t, s) => {
          if (t < 0) return null;
          const v = col[s * panel.nDays + t];
          return Number.isFinite(v) ? v : null;
        }),
      ),
    };
  } catch (e) {
    const m = /^features\.(\d+)(\.[\w.]+)?: /.exec((e as Error).message);
    if (!m) throw e;
    return { error: { def: Number(m[1]), message: (e as Error).message.slice(m[0].length) } };
  }
}

/**
 * The source of the user feature a column definition names: a feature file (read, not run) or the newest
 * version stored under that name. @throws UserColumnError (index `i`) when there is none.
 */
export function userFeatureSource(store: Store, def: FeatureDef, i: number): StrategySource {
  if (isFeaturePath(def.name)) {
    try {
      return readFeatureFile(def.name);
    } catch (e) {
      throw new UserColumnError(i, (e as Error).message);
    }
  }
  const v = latestUserFeature(store, def.name);
  const s = v ? getSource(store, v.hash) : undefined;
  if (!s) throw new UserColumnError(i, `unknown feature "${def.name}" (see quantdesk features list)`);
  return { name: s.name, file: s.file, source: s.source, hash: s.hash };
}

/**
 * Computes user-feature column definitions on `pool` over the panel `panel` names, at `rows` (per panel symbol);
 * returns per definition, per panel symbol, the value or null. Aborting `signal` cancels the worker.
 * @throws UserColumnError for a definition the worker refuses (bad parameters, a feature that does not load,
 * its two forms disagreeing), CancelledError when cancelled.
 */
export async function userColumnsOnPool(
  pool: Pool,
  panel: PanelRef,
  defs: readonly { def: FeatureDef; source: StrategySource }[],
  rows: readonly number[],
  signal?: AbortSignal,
): Promise<readonly (readonly (number | null)[])[]> {
  const job: PoolJob<UserColumnsData> = {
    kind: USER_COLUMNS_JOB,
    data: { defs, rows, timeoutMs: strategyTimeoutMs() },
    panel,
  };
  const [o] = await pool.run<UserColumnsAnswer>([job], signal ? { signal } : {});
  if (!o.ok) throw new Error(o.error.message);
  if ('error' in o.value) throw new UserColumnError(o.value.error.def, o.value.error.message);
  return o.value.values;
}
