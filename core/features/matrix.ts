import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadPanel } from '../data/panel';
import type { Panel } from '../data/panel-types';
import { loadPitFacts } from '../strategies/pit-facts';
import type { Store } from '../store/sqlite-bar-store';
import { evaluateBatch, type FeatureSource } from './batch';
import { featureSetHash, resolveFeatures, type FeatureDef, type ResolvedFeature } from './defs';
import { fundamentalFields, readsNews } from './expr';
import { canMapFiles, mapMatrixFile, readMatrixFile, readMatrixFileAsync, writeMatrixFile } from './matrix-file';
import { loadNewsEvents, type NewsEvents } from './news';
import type { FeatureContext } from './user';

/** A feature matrix: one column per feature in the panel's layout (`s * nDays + t`). */
export interface FeatureMatrix {
  readonly labels: readonly string[];
  readonly columns: readonly Float64Array[];
  readonly featureHash: string;
  /** The data fingerprint of the store the panel and facts came from. */
  readonly fingerprint: string;
}

/** The fundamentals a resolved feature set reads. */
export function fieldsOf(features: readonly ResolvedFeature[]): string[] {
  const s = new Set<string>();
  for (const f of features) fundamentalFields(f.expr, s);
  return [...s].sort();
}

/**
 * Loads the panel (PIT-adjusted, every day up to `to`) and the PIT facts the features read; with a named `universe`
 * ("all" = none) also its membership. Features are computed over every instrument of the panel (a member's windows
 * need its history from before it joined; cross-sectional ranks are over the panel's instruments).
 */
export function loadFeatureSource(
  store: Store,
  features: readonly ResolvedFeature[],
  opts: { symbols?: readonly string[]; to?: number; universe?: string } = {},
): FeatureSource {
  const panel = loadPanel(store, {
    adjustment: 'pit',
    ...(opts.symbols ? { symbols: opts.symbols } : {}),
    ...(opts.to !== undefined ? { to: opts.to } : {}),
  });
  // A named universe is read as the backtest's cross-sections read it (PIT membership rows, `loadPitFacts`).
  const named = opts.universe !== undefined && opts.universe !== 'all' ? opts.universe : undefined;
  const facts = loadPitFacts(store, panel.symbols, fieldsOf(features), named);
  return { panel, fields: facts.fields, universe: facts.universe, news: newsFor(store, features, panel.symbols) };
}

function newsDigest(n: NewsEvents): string {
  const h = createHash('sha256');
  for (const a of [n.offsets, n.at, n.sentiment]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex').slice(0, 16);
}

/** The stored news of `symbols` when some feature reads news, else null. */
export function newsFor(
  store: Store,
  features: readonly ResolvedFeature[],
  symbols: readonly string[],
): NewsEvents | null {
  return features.some((f) => readsNews(f.expr)) ? loadNewsEvents(store, symbols) : null;
}

const memory = new Map<string, FeatureMatrix>();
const MEMORY_MATRICES = 4;

/**
 * The cache key of a matrix: data fingerprint, feature-set hash, the panel's shape and symbols, and `extra`: the
 * named universe cross-sections rank within, a digest of the news read (news is not in the data fingerprint).
 */
export function matrixKey(panel: Panel, featureHash: string, extra: readonly string[] = []): string {
  const h = createHash('sha256')
    .update(
      JSON.stringify([
        panel.symbols,
        panel.nDays,
        panel.time[0],
        panel.time[panel.nDays - 1],
        panel.adjustment,
        ...extra,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  return `${panel.fingerprint}-${featureHash}-${h}`;
}

/** What a call needs to find, read or compute a matrix: its key, its cache file and how to wrap columns. */
function lookup(src: FeatureSource, features: readonly ResolvedFeature[], opts: { cacheDir?: string }) {
  const featureHash = featureSetHash(features);
  const extra = [
    ...(src.universe ? [`universe:${src.universe.name}`] : []),
    ...(src.news ? [`news:${newsDigest(src.news)}`] : []),
  ];
  const key = matrixKey(src.panel, featureHash, extra);
  const wrap = (columns: readonly Float64Array[]): FeatureMatrix => ({
    labels: features.map((f) => f.label),
    columns,
    featureHash,
    fingerprint: src.panel.fingerprint,
  });
  return {
    key,
    file: opts.cacheDir ? join(opts.cacheDir, `feat-${key}.bin`) : undefined,
    shape: { nCols: features.length, size: src.panel.nInst * src.panel.nDays },
    wrap,
  };
}

/**
 * How a call caches: `cacheDir` for the disk cache; `noCache` computes and keeps nothing; `map: false` reads and
 * writes compact files with readv as the desktop app's Electron processes must (default: map whole files where
 * this process can, see `canMapFiles`).
 */
export interface MatrixCacheOptions {
  cacheDir?: string;
  noCache?: boolean;
  map?: boolean;
}

/** Evaluates every expression (the cold path), remembers the matrix and writes its cache file. */
function compute(
  src: FeatureSource,
  features: readonly ResolvedFeature[],
  l: ReturnType<typeof lookup>,
  opts: MatrixCacheOptions,
): FeatureMatrix {
  const m = l.wrap(
    evaluateBatch(
      src,
      features.map((f) => f.expr),
    ),
  );
  if (!opts.noCache) {
    remember(l.key, m);
    if (l.file) writeMatrixFile(l.file, m.columns, mapping(opts));
  }
  return m;
}

const mapping = (opts: MatrixCacheOptions) => opts.map !== false && canMapFiles();

/**
 * The whole cache file of `l` mapped (no copy) where this call maps; `'compact'` when the file is valid but compact
 * (read it, then rewrite it whole once so that the next process maps it: a file the desktop app wrote, read by the
 * CLI); null otherwise (no file, refused, or not mapping).
 */
function mapFile(l: ReturnType<typeof lookup>, opts: MatrixCacheOptions): Float64Array[] | 'compact' | null {
  return l.file && mapping(opts) ? mapMatrixFile(l.file, l.shape.nCols, l.shape.size) : null;
}

/**
 * The matrix of `features` over `src`, cached in process and (given `cacheDir`) on disk by data fingerprint
 * and feature-set hash: a second call on unchanged data is a file mapping (or read). Files are written atomically
 * (temp + rename), so a kill at any moment leaves either no file or a whole one.
 */
export function featureMatrix(
  src: FeatureSource,
  features: readonly ResolvedFeature[],
  opts: MatrixCacheOptions = {},
): FeatureMatrix {
  const l = lookup(src, features, opts);
  if (!opts.noCache) {
    const hit = memory.get(l.key);
    if (hit) return hit;
    const m = mapFile(l, opts);
    if (m !== null && m !== 'compact') return remember(l.key, l.wrap(m));
    const fromDisk = l.file ? readMatrixFile(l.file, l.shape.nCols, l.shape.size) : null;
    if (fromDisk) {
      if (m === 'compact') writeMatrixFile(l.file!, fromDisk, true);
      return remember(l.key, l.wrap(fromDisk));
    }
  }
  return compute(src, features, l, opts);
}

/**
 * {@link featureMatrix} for async callers: the same matrix, cache and files, but a disk hit that is read rather
 * than mapped reads its columns as concurrent reads on libuv's thread pool (the copies out of the page cache, and the page faults of the fresh
 * arrays, run on every core instead of one). A miss computes on the calling thread, as `featureMatrix` does.
 */
export async function featureMatrixAsync(
  src: FeatureSource,
  features: readonly ResolvedFeature[],
  opts: MatrixCacheOptions = {},
): Promise<FeatureMatrix> {
  const l = lookup(src, features, opts);
  if (!opts.noCache) {
    const hit = memory.get(l.key);
    if (hit) return hit;
    // A mapping takes a few milliseconds whatever the size: done on this thread.
    const m = mapFile(l, opts);
    if (m !== null && m !== 'compact') return remember(l.key, l.wrap(m));
    const fromDisk = l.file ? await readMatrixFileAsync(l.file, l.shape.nCols, l.shape.size) : null;
    if (fromDisk) {
      // Another call may have filled the slot while this one read: keep one matrix per key.
      const again = memory.get(l.key);
      if (again) return again;
      if (m === 'compact') writeMatrixFile(l.file!, fromDisk, true);
      return remember(l.key, l.wrap(fromDisk));
    }
  }
  return compute(src, features, l, opts);
}

/** The on-disk cache folder of a file database (beside the panel cache), or undefined for `:memory:`. */
export function matrixCacheDir(store: Store): string | undefined {
  return store.path === ':memory:' || store.path === '' ? undefined : `${store.path}.qdcache`;
}

/** Resolves `defs`, loads what they read from `store` and returns the (cached) matrix with its source. */
export function storeFeatureMatrix(
  store: Store,
  defs: readonly FeatureDef[],
  opts: { symbols?: readonly string[]; to?: number; noCache?: boolean; universe?: string } = {},
) {
  const features = resolveFeatures(defs, 'features', { store } satisfies FeatureContext);
  const src = loadFeatureSource(store, features, opts);
  const cacheDir = matrixCacheDir(store);
  const matrix = featureMatrix(src, features, {
    ...(cacheDir ? { cacheDir } : {}),
    ...(opts.noCache ? { noCache: true } : {}),
  });
  return { features, src, matrix };
}

function remember(key: string, m: FeatureMatrix): FeatureMatrix {
  memory.delete(key);
  memory.set(key, m);
  while (memory.size > MEMORY_MATRICES) memory.delete(memory.keys().next().value!);
  return m;
}

/** Drops the in-process cache (benchmarks measure the disk path with it). */
export function clearMatrixMemory(): void {
  memory.clear();
}
