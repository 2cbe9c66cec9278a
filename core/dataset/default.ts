import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fail, ok, type Result } from '../model/result';
import { importCsv, type ImportKind } from '../store/import';
import type { Store } from '../store/sqlite-bar-store';
import { DEFAULT_MARKET, DEFAULT_SEED, generateMarket, type MarketSpec } from './synthetic';
import { countBars, countImportSources, countInstruments, recordUnchangedImport } from '../store/stats';

/** Progress of {@link loadDefaultDataset}: the current step, rows done in it, and whether all is finished. */
export interface DatasetProgress {
  readonly step: 'generate' | 'instruments' | 'bars' | 'actions' | 'fundamentals' | 'benchmark';
  readonly rows: number;
  /** Estimated share of the whole load finished, 0..1. */
  readonly fraction: number;
  readonly done: boolean;
}

/** What {@link loadDefaultDataset} did; `loaded` is false when the dataset was already there. */
export interface DatasetReport {
  readonly loaded: boolean;
  readonly message: string;
  readonly seed: number;
  readonly instruments: number;
  readonly bars: number;
  readonly durationMs: number;
}

/** Options for {@link loadDefaultDataset}. */
export interface DatasetOptions {
  readonly onProgress?: (p: DatasetProgress) => void;
  readonly signal?: AbortSignal;
  /** Folder holding `dataset/sp500-2000.csv`; found automatically from the CLI bundle, the repo or `QUANTDESK_RESOURCES`. */
  readonly resourcesDir?: string;
  /** The synthetic market to generate (tests use a smaller one); default {@link DEFAULT_MARKET}. */
  readonly market?: MarketSpec;
}

const PREFIX = 'quantdesk-default/v1/';
const STEPS = ['instruments', 'bars', 'actions', 'fundamentals', 'benchmark-instrument', 'benchmark-bars'] as const;
const SPX_FILE = join('dataset', 'sp500-2000.csv');

/**
 * Finds the bundled resources folder (the one containing `dataset/sp500-2000.csv`): `explicit`, then
 * `$QUANTDESK_RESOURCES`, then `resources/` in this module's folder or any parent, then the same from
 * the working directory. Throws when none exists.
 */
export function resolveResourcesDir(explicit?: string): string {
  const candidates: string[] = [];
  if (explicit) candidates.push(explicit);
  if (process.env.QUANTDESK_RESOURCES) candidates.push(process.env.QUANTDESK_RESOURCES);
  for (const start of [typeof __dirname === 'string' ? __dirname : undefined, process.cwd()]) {
    for (let d = start; d !== undefined; d = dirname(d) === d ? undefined : dirname(d))
      candidates.push(join(d, 'resources'));
  }
  const hit = candidates.find((c) => existsSync(join(c, SPX_FILE)));
  if (!hit)
    throw new Error(`Cannot find ${SPX_FILE} in ${candidates.slice(0, 4).join(', ')}, …; set QUANTDESK_RESOURCES`);
  return hit;
}

/** True when every file of the default dataset has been imported into `store`. */
export function hasDefaultDataset(store: Store): boolean {
  const n = countImportSources(store, PREFIX);
  return n >= STEPS.length;
}

/**
 * Loads the default dataset: a synthetic market generated from {@link DEFAULT_SEED} (500 instruments,
 * 10 sectors, business days 2015–2025, fundamentals, splits, dividends, IPOs, delistings) and the
 * real S&P 500 index (`SPX`, sector `Index`, type `index`, 2000-01-03..2020-04-17) as a benchmark, each file through
 * the import service. Idempotent: when it is already loaded, returns `loaded: false` and changes
 * nothing. Cancelling stops before the next file; files already imported stay (a later call finishes).
 */
export async function loadDefaultDataset(store: Store, options: DatasetOptions = {}): Promise<Result<DatasetReport>> {
  const t0 = performance.now();
  const count = () => ({
    instruments: countInstruments(store),
    bars: countBars(store),
  });
  if (hasDefaultDataset(store)) {
    return ok({
      loaded: false,
      message: 'The default dataset is already loaded; nothing changed.',
      seed: options.market?.seed ?? DEFAULT_SEED,
      ...count(),
      durationMs: performance.now() - t0,
    });
  }
  let spx: string;
  try {
    spx = readFileSync(join(resolveResourcesDir(options.resourcesDir), SPX_FILE), 'utf8');
  } catch (e) {
    return fail('not-found', (e as Error).message);
  }
  options.onProgress?.({ step: 'generate', rows: 0, fraction: 0, done: false });
  const m = generateMarket(options.market ?? DEFAULT_MARKET);
  const files: [ImportKind, (typeof STEPS)[number], DatasetProgress['step'], string][] = [
    ['instruments', 'instruments', 'instruments', m.instruments],
    ['bars', 'bars', 'bars', m.bars],
    ['actions', 'actions', 'actions', m.actions],
    ['fundamentals', 'fundamentals', 'fundamentals', m.fundamentals],
    [
      'instruments',
      'benchmark-instrument',
      'benchmark',
      'symbol,name,sector,currency,listed_on,delisted_on,type\nSPX,S&P 500 Index,Index,USD,2000-01-03,,index\n',
    ],
    ['bars', 'benchmark-bars', 'benchmark', spxBars(spx)],
  ];
  // Share of the total time each file takes (generation took the first 15%), for a progress bar.
  const weights = [0.01, 0.7, 0.02, 0.08, 0.0, 0.04];
  let before = 0.15;
  for (let f = 0; f < files.length; f++) {
    const [kind, name, step, content] = files[f];
    if (options.signal?.aborted) return fail('cancelled', 'Loading the default dataset was cancelled');
    const start = before;
    const r = await importCsv(
      store,
      kind,
      { fileName: `${PREFIX}${name}.csv`, content },
      {
        signal: options.signal,
        onProgress: (p) => {
          const within =
            p.phase === 'done'
              ? 1
              : p.phase === 'write'
                ? 0.6 + 0.4 * Math.min(1, p.rows / Math.max(1, p.totalRows ?? p.rows))
                : 0.6 * (p.bytes / Math.max(1, p.totalBytes));
          options.onProgress?.({
            step,
            rows: p.rows,
            fraction: Math.min(0.99, start + weights[f] * within),
            done: false,
          });
        },
      },
    );
    before += weights[f];
    if (!r.ok)
      return r.error.code === 'cancelled'
        ? fail('cancelled', r.error.message)
        : fail('internal', `default dataset: ${r.error.message}`, r.error.details);
    if (r.value.changed === 0 && r.value.importId === null) {
      // Already present (a previous, interrupted call): record it so the dataset counts as complete.
      recordUnchangedImport(store, kind, r.value.source, r.value.sha256, r.value.rows);
    }
  }
  options.onProgress?.({ step: 'benchmark', rows: 0, fraction: 1, done: true });
  const c = count();
  return ok({
    loaded: true,
    message: `Loaded the default dataset: ${c.instruments} instruments, ${c.bars} bars (synthetic, seed ${options.market?.seed ?? DEFAULT_SEED}, plus the real S&P 500 index as SPX).`,
    seed: options.market?.seed ?? DEFAULT_SEED,
    ...c,
    durationMs: performance.now() - t0,
  });
}

/** The vega-datasets S&P 500 file (`date,open,high,low,close,adjclose,volume`) as our bars CSV for `SPX`. */
function spxBars(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(',');
  const col = (n: string) => header.indexOf(n);
  const [d, o, h, l, c, v] = ['date', 'open', 'high', 'low', 'close', 'volume'].map(col);
  const out = ['symbol,date,open,high,low,close,volume'];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split(',');
    out.push(`SPX,${f[d]},${f[o]},${f[h]},${f[l]},${f[c]},${f[v]}`);
  }
  return out.join('\n') + '\n';
}
