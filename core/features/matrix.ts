import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadPanel } from '../data/panel';
import type { Panel } from '../data/panel-types';
import { loadPitFacts } from '../strategies/pit-facts';
import type { Store } from '../store/sqlite-bar-store';
import { evaluateBatch, type FeatureSource } from './batch';
import { featureSetHash, resolveFeatures, type FeatureDef, type ResolvedFeature } from './defs';
import { fundamentalFields, readsNews } from './expr';
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
const MAGIC = 'QDFEAT1\n';
const HEADER = MAGIC.length + 8;

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

/**
 * The matrix of `features` over `src`, cached in process and (given `cacheDir`) on disk by data fingerprint
 * and feature-set hash: a second call on unchanged data is a file read. Files are written atomically
 * (temp + rename), so a kill at any moment leaves either no file or a whole one.
 */
export function featureMatrix(
  src: FeatureSource,
  features: readonly ResolvedFeature[],
  opts: { cacheDir?: string; noCache?: boolean } = {},
): FeatureMatrix {
  const featureHash = featureSetHash(features);
  const extra = [
    ...(src.universe ? [`universe:${src.universe.name}`] : []),
    ...(src.news ? [`news:${newsDigest(src.news)}`] : []),
  ];
  const key = matrixKey(src.panel, featureHash, extra);
  if (!opts.noCache) {
    const hit = memory.get(key);
    if (hit) return hit;
    if (opts.cacheDir) {
      const fromDisk = readMatrixFile(
        join(opts.cacheDir, `feat-${key}.bin`),
        features.length,
        src.panel.nInst * src.panel.nDays,
      );
      if (fromDisk) {
        const m: FeatureMatrix = {
          labels: features.map((f) => f.label),
          columns: fromDisk,
          featureHash,
          fingerprint: src.panel.fingerprint,
        };
        remember(key, m);
        return m;
      }
    }
  }
  const columns = evaluateBatch(
    src,
    features.map((f) => f.expr),
  );
  const m: FeatureMatrix = {
    labels: features.map((f) => f.label),
    columns,
    featureHash,
    fingerprint: src.panel.fingerprint,
  };
  if (!opts.noCache) {
    remember(key, m);
    if (opts.cacheDir) writeMatrixFile(join(opts.cacheDir, `feat-${key}.bin`), columns);
  }
  return m;
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

function remember(key: string, m: FeatureMatrix): void {
  memory.delete(key);
  memory.set(key, m);
  while (memory.size > MEMORY_MATRICES) memory.delete(memory.keys().next().value!);
}

/** Drops the in-process cache (benchmarks measure the disk path with it). */
export function clearMatrixMemory(): void {
  memory.clear();
}

/**
 * The file: `QDFEAT1\n`, u32 columns, u32 length, then each column's float64s (little-endian, as in memory).
 * Written column by column to a temp file then renamed (no whole-matrix copy; a kill leaves no partial file).
 */
function writeMatrixFile(file: string, columns: readonly Float64Array[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const head = Buffer.alloc(HEADER);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(columns.length, MAGIC.length);
    head.writeUInt32LE(columns[0]?.length ?? 0, MAGIC.length + 4);
    fd = openSync(tmp, 'w');
    writeAll(fd, head);
    for (const c of columns) writeAll(fd, new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch {
    // A read-only location only costs the next run a recompute.
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
  }
}

function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
}

/**
 * Reads each column straight into its own Float64Array (no whole-file buffer, no copy, no zero fill: the memory is
 * taken uninitialised and every byte of it is read from the file, or the file is refused). Column-sized blocks
 * are what the allocator recycles between loads, where one file-sized block is fresh pages to fault in every time.
 * A file of the wrong size, magic or shape is refused (null: the caller recomputes and rewrites it).
 */
function readMatrixFile(file: string, nCols: number, size: number): Float64Array[] | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    if (fstatSync(fd).size !== HEADER + nCols * size * 8) return null;
    const head = Buffer.alloc(HEADER);
    if (readSync(fd, head, 0, HEADER, 0) !== HEADER || head.toString('latin1', 0, MAGIC.length) !== MAGIC) return null;
    if (head.readUInt32LE(MAGIC.length) !== nCols || head.readUInt32LE(MAGIC.length + 4) !== size) return null;
    const columns: Float64Array[] = [];
    for (let j = 0; j < nCols; j++) {
      const bytes = Buffer.allocUnsafeSlow(size * 8);
      let got = 0;
      while (got < bytes.length) {
        const n = readSync(fd, bytes, got, bytes.length - got, HEADER + j * size * 8 + got);
        if (n === 0) return null;
        got += n;
      }
      columns.push(new Float64Array(bytes.buffer, bytes.byteOffset, size));
    }
    return columns;
  } finally {
    closeSync(fd);
  }
}
