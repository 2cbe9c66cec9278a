import {
  closeSync,
  fstat,
  fstatSync,
  mkdirSync,
  open,
  openSync,
  close,
  read,
  readSync,
  readv,
  readvSync,
  renameSync,
  rmSync,
  writevSync,
} from 'node:fs';
import { dirname } from 'node:path';

/*
 * The feature matrix's disk cache file.
 *
 * Version 2 (written): `QDFEAT2\n`, u32 columns, u32 length (slots per column), u32 runs, u32 0; then `runs` pairs of
 * u32 (first slot, slot count), sorted and disjoint; then each column's float64s (little-endian, as in memory) for
 * the slots of the runs only, column after column. A slot outside every run is NaN in every column: the slots
 * where an instrument is not listed (before its IPO, after its delisting) take no room, which is 14 % of the
 * default dataset's panel. Gaps shorter than {@link MIN_GAP} slots are stored (as NaN) to keep the runs few.
 *
 * Version 1 (still read): `QDFEAT1\n`, u32 columns, u32 length, then every column whole: one run over all slots.
 *
 * A file is written compact (the runs above) or whole (version 2 with one run over every slot, gaps stored as NaN).
 * A whole file can be mapped rather than read: {@link mapMatrixFile} maps it copy-on-write through the
 * `quantdesk-mapfile` addon, and each column is a view into the mapping. No byte is copied and no fresh page is
 * faulted in up front: the kernel hands the page cache's own pages to the process as it reads them (copy-on-write
 * if it writes). Where mapping is possible (Node with the addon built) files are written whole, 14 % larger on the
 * default dataset; elsewhere (Electron's processes, whose V8 forbids memory it does not own in an ArrayBuffer; a
 * machine where the addon did not build) they are written compact and read with readv.
 *
 * A mapped file must never be truncated in place while mapped (the process would get SIGBUS on a page past the new
 * end): this module only ever replaces a file by renaming a new one over it, which leaves a mapping of the old file
 * intact.
 *
 * A NaN read back (not mapped) is the canonical NaN (its payload bits are not kept; no reader can tell NaNs apart).
 */

const MAGIC1 = 'QDFEAT1\n';
const MAGIC2 = 'QDFEAT2\n';
const HEADER1 = 16;
const HEADER2 = 24;
/** Gaps shorter than this many slots are stored rather than split into another run. */
export const MIN_GAP = 16;
/** Buffers per readv/writev call (POSIX guarantees IOV_MAX ≥ 16; Linux and macOS allow 1024). */
const IOV = 1024;

/** Where a file's columns are: the runs of stored slots (pairs), the slots per column, the first column's offset. */
interface Layout {
  readonly runs: Uint32Array;
  readonly stored: number;
  readonly dataAt: number;
}

/** The runs of slots where some column is not NaN, gaps under {@link MIN_GAP} merged: flat (start, count) pairs. */
export function dataRuns(columns: readonly Float64Array[], size: number): Uint32Array {
  const any = new Uint8Array(size);
  for (const c of columns) for (let i = 0; i < size; i++) if (c[i] === c[i]) any[i] = 1;
  const out: number[] = [];
  let i = 0;
  while (i < size) {
    while (i < size && any[i] === 0) i++;
    if (i === size) break;
    const start = i;
    let end = i; // one past the last slot with data seen
    while (i < size) {
      if (any[i] === 1) end = ++i;
      else {
        let j = i;
        while (j < size && any[j] === 0) j++;
        if (j === size || j - i >= MIN_GAP) break;
        i = j;
      }
    }
    out.push(start, end - start);
    i = end;
  }
  return Uint32Array.from(out);
}

/** One view per run into `column`: the scatter list a column's stored slots are read into or written from. */
function runViews(column: Float64Array, runs: Uint32Array): Uint8Array[] {
  const views: Uint8Array[] = [];
  for (let r = 0; r < runs.length; r += 2)
    views.push(new Uint8Array(column.buffer, column.byteOffset + runs[r] * 8, runs[r + 1] * 8));
  return views;
}

/** Consumes `n` bytes from the front of `views` (from index `i`), and any empty view; returns the new index. */
function advance(views: Uint8Array[], i: number, n: number): number {
  while (i < views.length && (n > 0 || views[i].length === 0)) {
    const v = views[i];
    if (n >= v.length) {
      n -= v.length;
      i++;
    } else {
      views[i] = v.subarray(n);
      n = 0;
    }
  }
  return i;
}

/** Fills the slots outside the runs with NaN. */
function fillGaps(column: Float64Array, runs: Uint32Array): void {
  let at = 0;
  for (let r = 0; r < runs.length; r += 2) {
    if (runs[r] > at) column.fill(Number.NaN, at, runs[r]);
    at = runs[r] + runs[r + 1];
  }
  if (at < column.length) column.fill(Number.NaN, at);
}

/**
 * Writes `columns` to `file` in version 2, compact (only the runs of {@link dataRuns}) or `whole` (one run over every
 * slot, so it can be mapped): to a temp file then renamed (a kill leaves no partial file; a process that mapped the
 * old file keeps it), each column written straight from its array (no staging copy). A failure (read-only folder)
 * only costs a recompute.
 */
export function writeMatrixFile(file: string, columns: readonly Float64Array[], whole = canMapFiles()): void {
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    const size = columns[0]?.length ?? 0;
    const runs = whole && size > 0 ? Uint32Array.of(0, size) : dataRuns(columns, size);
    const head = Buffer.alloc(HEADER2);
    head.write(MAGIC2, 0, 'latin1');
    head.writeUInt32LE(columns.length, 8);
    head.writeUInt32LE(size, 12);
    head.writeUInt32LE(runs.length / 2, 16);
    fd = openSync(tmp, 'w');
    let pos = 0;
    const write = (views: Uint8Array[]) => {
      for (let i = 0; i < views.length;) {
        const n = writevSync(fd!, views.slice(i, i + IOV), pos);
        pos += n;
        i = advance(views, i, n);
      }
    };
    write([head, new Uint8Array(runs.buffer, runs.byteOffset, runs.byteLength)]);
    for (const c of columns) write(runViews(c, runs));
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, file);
  } catch {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
  }
}

/**
 * Checks a file's header, runs and size against the expected shape; null when it does not fit (wrong version,
 * magic, shape, runs out of order or out of range, or a size that is not exactly what they imply: truncated).
 */
function layoutOf(head: Buffer, runBytes: Buffer | null, fileSize: number, nCols: number, size: number) {
  const magic = head.toString('latin1', 0, 8);
  if (magic === MAGIC1) {
    if (head.readUInt32LE(8) !== nCols || head.readUInt32LE(12) !== size) return null;
    if (fileSize !== HEADER1 + nCols * size * 8) return null;
    return { runs: Uint32Array.of(0, size), stored: size, dataAt: HEADER1 };
  }
  if (magic !== MAGIC2 || head.length < HEADER2) return null;
  if (head.readUInt32LE(8) !== nCols || head.readUInt32LE(12) !== size || head.readUInt32LE(20) !== 0) return null;
  const nRuns = head.readUInt32LE(16);
  if (nRuns > size || runBytes === null) return null;
  const runs = new Uint32Array(nRuns * 2);
  let at = 0;
  let stored = 0;
  for (let r = 0; r < nRuns; r++) {
    const start = runBytes.readUInt32LE(r * 8);
    const count = runBytes.readUInt32LE(r * 8 + 4);
    if (start < at || count === 0 || start + count > size) return null;
    runs[r * 2] = start;
    runs[r * 2 + 1] = count;
    at = start + count;
    stored += count;
  }
  const dataAt = HEADER2 + nRuns * 8;
  if (fileSize !== dataAt + nCols * stored * 8) return null;
  return { runs, stored, dataAt } satisfies Layout;
}

/** The number of runs a version-2 header announces (0 for anything else), to know how many bytes to read next. */
function runCount(head: Buffer, size: number): number {
  if (head.toString('latin1', 0, 8) !== MAGIC2) return 0;
  const n = head.readUInt32LE(16);
  return n <= size ? n : 0;
}

/** Fresh, uninitialised columns: every byte is then either read from the file or a gap's NaN. */
function allocate(nCols: number, size: number): Float64Array[] {
  return Array.from({ length: nCols }, () => {
    const bytes = Buffer.allocUnsafeSlow(size * 8);
    return new Float64Array(bytes.buffer, bytes.byteOffset, size);
  });
}

/**
 * Reads a cache file (version 1 or 2) into fresh columns, each column's stored slots scattered into place by
 * readv (no staging copy). Null when the file is missing or refused (the caller recomputes and rewrites it).
 */
export function readMatrixFile(file: string, nCols: number, size: number): Float64Array[] | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const fileSize = fstatSync(fd).size;
    const head = Buffer.alloc(HEADER2);
    if (readSync(fd, head, 0, Math.min(HEADER2, fileSize), 0) < HEADER1) return null;
    const nRuns = runCount(head, size);
    const runBytes = Buffer.alloc(nRuns * 8);
    if (nRuns > 0 && readSync(fd, runBytes, 0, runBytes.length, HEADER2) !== runBytes.length) return null;
    const layout = layoutOf(head, runBytes, fileSize, nCols, size);
    if (!layout) return null;
    const columns = allocate(nCols, size);
    for (let j = 0; j < nCols; j++) {
      fillGaps(columns[j], layout.runs);
      const views = runViews(columns[j], layout.runs);
      let pos = layout.dataAt + j * layout.stored * 8;
      for (let i = 0; i < views.length;) {
        const n = readvSync(fd, views.slice(i, i + IOV), pos);
        if (n === 0) return null;
        pos += n;
        i = advance(views, i, n);
      }
    }
    return columns;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The mapping addon: loaded on first use; null where it is not built, or in Electron (see the file's comment). */
let mapper: { map(path: string): ArrayBuffer } | null | undefined;

/** Whether this process can map cache files: Node, with `quantdesk-mapfile` built at install. */
export function canMapFiles(): boolean {
  if (mapper === undefined) {
    mapper = null;
    if (!process.versions.electron) {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mapper = require('quantdesk-mapfile') as { map(path: string): ArrayBuffer };
      } catch {
        // Not built (no compiler at install, or not a POSIX system): files are read instead.
      }
    }
  }
  return mapper !== null;
}

/**
 * A whole cache file's columns as views into one copy-on-write mapping of it: nothing is read or copied until the
 * caller reads a value, and writes to a column stay in this process. `'compact'` when the file is valid but stores
 * only some slots (read it with {@link readMatrixFile}); null when the file is missing or refused, or where
 * mapping is not possible (see {@link canMapFiles}).
 */
export function mapMatrixFile(file: string, nCols: number, size: number): Float64Array[] | 'compact' | null {
  if (!canMapFiles()) return null;
  let bytes: ArrayBuffer;
  try {
    bytes = mapper!.map(file);
  } catch {
    return null; // missing, empty, or the mapping failed
  }
  if (bytes.byteLength < HEADER1) return null;
  const head = Buffer.from(bytes, 0, Math.min(HEADER2, bytes.byteLength));
  const nRuns = runCount(head, size);
  const runsAt = HEADER2;
  if (runsAt + nRuns * 8 > bytes.byteLength) return null;
  const layout = layoutOf(head, Buffer.from(bytes, runsAt, nRuns * 8), bytes.byteLength, nCols, size);
  if (!layout) return null;
  if (layout.stored !== size) return 'compact';
  return Array.from({ length: nCols }, (_, j) => new Float64Array(bytes, layout.dataAt + j * size * 8, size));
}

const call = <T>(f: (cb: (err: NodeJS.ErrnoException | null, v: T) => void) => void) =>
  new Promise<T>((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));

/**
 * {@link readMatrixFile} with every column's readv issued at once on libuv's thread pool: the page-cache copies
 * and the page faults of the fresh arrays run on every core. The gaps' NaN are filled on this thread meanwhile.
 */
export async function readMatrixFileAsync(file: string, nCols: number, size: number): Promise<Float64Array[] | null> {
  let fd: number;
  try {
    fd = await call<number>((cb) => open(file, 'r', cb));
  } catch {
    return null;
  }
  try {
    const fileSize = (await call<import('node:fs').Stats>((cb) => fstat(fd, cb))).size;
    const head = Buffer.alloc(HEADER2);
    const got = await call<number>((cb) => read(fd, head, 0, Math.min(HEADER2, fileSize), 0, cb));
    if (got < HEADER1) return null;
    const nRuns = runCount(head, size);
    const runBytes = Buffer.alloc(nRuns * 8);
    if (
      nRuns > 0 &&
      (await call<number>((cb) => read(fd, runBytes, 0, runBytes.length, HEADER2, cb))) !== runBytes.length
    )
      return null;
    const layout = layoutOf(head, runBytes, fileSize, nCols, size);
    if (!layout) return null;
    const columns = allocate(nCols, size);
    const readColumn = async (j: number): Promise<boolean> => {
      const views = runViews(columns[j], layout.runs);
      let pos = layout.dataAt + j * layout.stored * 8;
      for (let i = 0; i < views.length;) {
        const batch = views.slice(i, i + IOV);
        const n = await call<number>((cb) => readv(fd, batch, pos, cb));
        if (n === 0) return false;
        pos += n;
        i = advance(views, i, n);
      }
      return true;
    };
    const reads = columns.map((_, j) => readColumn(j));
    for (const c of columns) fillGaps(c, layout.runs);
    const ok = await Promise.allSettled(reads);
    return ok.every((r) => r.status === 'fulfilled' && r.value) ? columns : null;
  } catch {
    return null;
  } finally {
    await call<void>((cb) => close(fd, (err) => cb(err, undefined))).catch(() => undefined);
  }
}
