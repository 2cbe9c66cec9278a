import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DATA_UPLOAD_CHUNK_BYTES,
  DATA_UPLOAD_IDLE_MS,
  DATA_UPLOAD_MAX_BYTES,
  DATA_UPLOADS_MAX_OPEN,
} from '../contract';
import { fail, ok, type Result } from '../model/result';
import type { ImportKind, ImportReport } from './import';
import { importCsvOffThread, type OffThreadImportOptions } from './import-thread';
import type { Store } from './sqlite-bar-store';

/** Bounds of {@link Uploads}; the defaults are the contract's (README "Limits"). */
export interface UploadLimits {
  readonly chunkBytes: number;
  readonly maxBytes: number;
  readonly maxOpen: number;
  /** An open upload that receives nothing for this long is discarded. */
  readonly idleMs: number;
}

export const UPLOAD_LIMITS: UploadLimits = {
  chunkBytes: DATA_UPLOAD_CHUNK_BYTES,
  maxBytes: DATA_UPLOAD_MAX_BYTES,
  maxOpen: DATA_UPLOADS_MAX_OPEN,
  idleMs: DATA_UPLOAD_IDLE_MS,
};

interface Upload {
  readonly id: string;
  readonly kind: ImportKind;
  readonly fileName: string;
  readonly size: number;
  readonly path: string;
  readonly fh: FileHandle;
  state: 'open' | 'committing';
  nextSeq: number;
  received: number;
  touched: number;
  /** The chain of chunk writes, in order; a failed write rejects it. */
  writing: Promise<void>;
  /** Aborts the import while committing (`cancel`). */
  readonly abort: AbortController;
}

/** How many ended uploads are remembered, to say why an id is gone (expired, discarded, …). */
const ENDED_KEPT = 64;
const DIR_PREFIX = 'quantdesk-upload-';

/**
 * Files the user picked in the page, received in bounded chunks and imported on commit (the contract's
 * `data:upload-*`). Chunks go straight to a temp file (mode 0600, in a 0700 directory of the OS temp
 * folder), never into memory; at most `maxOpen` uploads are open, each at most `maxBytes`; chunks must
 * come in order, once each; an upload idle for `idleMs` is discarded. Any error discards the upload and
 * its file, and nothing is stored: the store is written only by the commit's {@link importCsv}, which
 * validates the whole file first. The host's file system is never read at a path the page names.
 */
export class Uploads {
  readonly limits: UploadLimits;
  readonly #open = new Map<string, Upload>();
  readonly #ended = new Map<string, string>();
  readonly #now: () => number;
  readonly #baseDir: string;
  #dir: string | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: Partial<UploadLimits> & { readonly tmpDir?: string; readonly now?: () => number } = {}) {
    this.limits = { ...UPLOAD_LIMITS, ...options };
    this.#now = options.now ?? Date.now;
    this.#baseDir = options.tmpDir ?? tmpdir();
  }

  /** Uploads open now (begun, not yet committed, cancelled or expired). */
  get openCount(): number {
    return this.#open.size;
  }

  /** The temp directory, once an upload made it (for tests). */
  get dir(): string | null {
    return this.#dir;
  }

  /** Opens an upload of `size` bytes; its temp file is created empty. */
  async begin(input: {
    readonly kind: ImportKind;
    readonly fileName: string;
    readonly size: number;
  }): Promise<Result<{ uploadId: string; chunkBytes: number; maxBytes: number; idleMs: number }>> {
    await this.expire();
    const { maxBytes, maxOpen, chunkBytes, idleMs } = this.limits;
    if (input.size > maxBytes) {
      return fail(
        'invalid-input',
        `${input.fileName}: ${input.size} bytes, over the ${maxBytes}-byte upload limit (import larger files with \`quantdesk import\`); nothing was imported`,
      );
    }
    if (this.#open.size >= maxOpen) {
      return fail(
        'unavailable',
        `${maxOpen} uploads are already open; finish or cancel one (an abandoned upload is discarded after ${Math.round(idleMs / 1000)} s)`,
      );
    }
    const id = `up-${randomBytes(12).toString('hex')}`;
    const path = join(this.#tempDir(), `${id}.csv`);
    const fh = await open(path, 'wx', 0o600);
    this.#open.set(id, {
      id,
      kind: input.kind,
      fileName: input.fileName,
      size: input.size,
      path,
      fh,
      state: 'open',
      nextSeq: 0,
      received: 0,
      touched: this.#now(),
      writing: Promise.resolve(),
      abort: new AbortController(),
    });
    this.#startTimer();
    return ok({ uploadId: id, chunkBytes, maxBytes, idleMs });
  }

  /**
   * Appends chunk `seq` (`bytes`) to the upload's file. The expected `seq` is checked and the byte
   * count taken before the write starts, so chunks sent without waiting still land in order. A
   * chunk out of order or repeated, larger than `chunkBytes`, or past the declared size discards
   * the upload.
   */
  async chunk(
    id: string,
    seq: number,
    bytes: Uint8Array,
  ): Promise<Result<{ uploadId: string; received: number; size: number }>> {
    await this.expire();
    const u = this.#open.get(id);
    if (!u) return this.#gone(id);
    if (u.state !== 'open')
      return fail('conflict', `${u.fileName}: the upload is being imported; it takes no more chunks`);
    if (seq !== u.nextSeq) {
      const what =
        seq < u.nextSeq ? `chunk ${seq} was already received` : `chunk ${seq} came before chunk ${u.nextSeq}`;
      return this.#discard(u, `${what} (chunks go in order, once each)`);
    }
    if (bytes.length === 0 || bytes.length > this.limits.chunkBytes) {
      return this.#discard(u, `chunk ${seq} holds ${bytes.length} bytes; a chunk holds 1 to ${this.limits.chunkBytes}`);
    }
    if (u.received + bytes.length > u.size) {
      return this.#discard(u, `chunk ${seq} goes past the declared size of ${u.size} bytes`);
    }
    u.nextSeq++;
    u.received += bytes.length;
    u.touched = this.#now();
    const write = u.writing.then(async () => {
      await u.fh.write(bytes);
    });
    u.writing = write;
    try {
      await write;
    } catch (e) {
      if (this.#open.get(id) === u)
        return this.#discard(
          u,
          `cannot write the temp file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
        );
      return this.#gone(id);
    }
    return ok({ uploadId: id, received: u.received, size: u.size });
  }

  /**
   * Imports the upload's file as `importCsv` would import the user's file (messages name `fileName`),
   * once every declared byte arrived, on its own thread for a file store (`importCsvOffThread`).
   * The temp file is removed whatever the outcome.
   */
  async commit(id: string, store: Store, options: OffThreadImportOptions = {}): Promise<Result<ImportReport>> {
    await this.expire();
    const u = this.#open.get(id);
    if (!u) return this.#gone(id);
    if (u.state !== 'open') return fail('conflict', `${u.fileName}: the upload is already being imported`);
    u.state = 'committing';
    let why = 'was already imported (committed)';
    try {
      try {
        await u.writing;
      } catch {
        why = 'was discarded: its temp file could not be written';
        return fail('internal', `${u.fileName}: the upload could not be written; nothing was imported`);
      }
      if (u.received !== u.size) {
        why = 'was discarded: it was committed before all its chunks arrived';
        return fail(
          'invalid-input',
          `${u.fileName}: received ${u.received} of the declared ${u.size} bytes; the upload was discarded and nothing was imported`,
        );
      }
      await u.fh.close();
      const signal = options.signal ? AbortSignal.any([options.signal, u.abort.signal]) : u.abort.signal;
      return await importCsvOffThread(store, u.kind, { path: u.path, name: u.fileName }, { ...options, signal });
    } finally {
      await this.#end(u, why);
    }
  }

  /** Discards an open upload, or cancels its import while committing (nothing is stored). False when the id is unknown. */
  async cancel(id: string): Promise<boolean> {
    const u = this.#open.get(id);
    if (!u) return false;
    if (u.state === 'committing') {
      u.abort.abort();
      return true;
    }
    await this.#end(u, 'was cancelled');
    return true;
  }

  /** Discards every upload idle for longer than `idleMs` (called on each call and by a timer). */
  async expire(): Promise<void> {
    const now = this.#now();
    const stale = [...this.#open.values()].filter((u) => u.state === 'open' && now - u.touched > this.limits.idleMs);
    for (const u of stale)
      await this.#end(u, `expired: nothing was received for ${Math.round(this.limits.idleMs / 1000)} s`);
  }

  /** Aborts imports under way, removes every temp file and the directory (host shutdown). */
  async dispose(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    for (const u of [...this.#open.values()]) {
      u.abort.abort();
      await this.#end(u, 'was discarded: the host stopped');
    }
    if (this.#dir) rmSync(this.#dir, { recursive: true, force: true });
    this.#dir = null;
  }

  #gone(id: string): Result<never> {
    const why = this.#ended.get(id);
    return fail(
      'not-found',
      why
        ? `upload ${id} ${why}; start the upload again`
        : `no upload ${id} (unknown, or ended); start the upload again`,
    );
  }

  async #discard(u: Upload, reason: string): Promise<Result<never>> {
    await this.#end(u, `was discarded: ${reason}`);
    return fail('invalid-input', `${u.fileName}: ${reason}; the upload was discarded and nothing was imported`);
  }

  /** Forgets the upload and removes its file (idempotent). */
  async #end(u: Upload, why: string): Promise<void> {
    if (this.#open.get(u.id) !== u) return;
    this.#open.delete(u.id);
    this.#ended.set(u.id, why);
    if (this.#ended.size > ENDED_KEPT) this.#ended.delete(this.#ended.keys().next().value!);
    await u.writing.catch(() => undefined);
    await u.fh.close().catch(() => undefined);
    await rm(u.path, { force: true });
    if (this.#open.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }

  #startTimer(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.expire(), Math.max(10, Math.min(30_000, this.limits.idleMs / 2)));
    this.#timer.unref();
  }

  /**
   * This host's temp directory, made on first use. Directories left by a host that was killed (its
   * pid no longer runs) are removed then, so a kill -9 leaves no upload behind for long.
   */
  #tempDir(): string {
    if (this.#dir) return this.#dir;
    try {
      for (const name of readdirSync(this.#baseDir)) {
        const m = /^quantdesk-upload-(\d+)-/.exec(name);
        if (m && Number(m[1]) !== process.pid && !alive(Number(m[1])))
          rmSync(join(this.#baseDir, name), { recursive: true, force: true });
      }
    } catch {
      // Best effort: another user's directory, or a race with another host.
    }
    this.#dir = mkdtempSync(join(this.#baseDir, `${DIR_PREFIX}${process.pid}-`));
    return this.#dir;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
