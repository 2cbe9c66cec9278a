import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';

/**
 * Bounds on what an import reads (README "Limits"): a file larger than `fileBytes` (or in-memory
 * text longer than `fileBytes` characters), a physical line (or quoted record) longer than `lineBytes`,
 * or any NUL byte is refused before anything is stored; the reader never holds more than one bounded line.
 */
export const CSV_LIMITS = { fileBytes: 1024 * 1024 * 1024, lineBytes: 64 * 1024 } as const;

/**
 * The source as a whole cannot be read as a CSV (not a regular file, too large, binary, unreadable).
 * Its message names the file and the reason; it never quotes the file's content.
 */
export class InputFileError extends Error {
  override name = 'InputFileError';
}

/** Why `st` is not something an import may read, or null for a regular file. */
function notRegular(st: {
  isFile(): boolean;
  isDirectory(): boolean;
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isSocket(): boolean;
}): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'is a directory, not a file';
  if (st.isFIFO()) return 'is a FIFO (named pipe), not a regular file';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a regular file';
  if (st.isSocket()) return 'is a socket, not a regular file';
  return 'is not a regular file';
}

/**
 * Opens `path` for an import: only a regular file no larger than {@link CSV_LIMITS}`.fileBytes`.
 * Checks with `stat` before opening (a FIFO would block `open`), opens non-blocking and checks the
 * open descriptor again (the path may have been swapped in between). Throws {@link InputFileError}.
 */
async function openRegularFile(path: string, label = path): Promise<Awaited<ReturnType<typeof open>>> {
  let why: string | null;
  try {
    why = notRegular(await stat(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw e;
    throw new InputFileError(`${label}: cannot read (${code ?? (e as Error).message})`);
  }
  if (why) throw new InputFileError(`${label}: ${why}`);
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw e;
    throw new InputFileError(`${label}: cannot read (${code ?? (e as Error).message})`);
  }
  const st = await fh.stat();
  why =
    notRegular(st) ??
    (st.size > CSV_LIMITS.fileBytes ? `is ${st.size} bytes, over the ${CSV_LIMITS.fileBytes}-byte import limit` : null);
  if (why) {
    await fh.close();
    throw new InputFileError(`${label}: ${why}`);
  }
  return fh;
}

/** Throws when a file grew past the size limit while being read. */
function checkSize(path: string, read: number): void {
  if (read > CSV_LIMITS.fileBytes)
    throw new InputFileError(`${path}: more than ${CSV_LIMITS.fileBytes} bytes, over the import limit`);
}

/** The 1-based line of the first NUL in `buf[from, to)` given `line` complete lines before `buf[0]`, or 0 when none. */
function nulLine(buf: Buffer, from: number, to: number, line: number): number {
  const z = buf.indexOf(0, from);
  if (z < 0 || z >= to) return 0;
  let n = line + 1;
  for (let i = buf.indexOf(10, 0); i >= 0 && i < z; i = buf.indexOf(10, i + 1)) n++;
  return n;
}

function binary(path: string, line: number): InputFileError {
  return new InputFileError(`${path}:${line}: binary data (a NUL byte); not a CSV text file`);
}

/**
 * Where CSV text comes from: a file path, or text already in memory (drag-and-drop). A path may carry
 * `name`, the label its messages use instead of the path (an upload's temp file is named by the user's file).
 */
export type CsvSource =
  { readonly path: string; readonly name?: string } | { readonly fileName: string; readonly content: string };

/** The name used in `FILE:LINE` messages for a source. */
export function sourceName(src: CsvSource): string {
  return 'path' in src ? (src.name ?? src.path) : src.fileName;
}

/** Called once per record with its fields and the physical line (1-based) where the record starts. */
export type RecordSink = (fields: string[], line: number) => void;

/** Options for {@link readCsv}. */
export interface ReadCsvOptions {
  /** Called between chunks with the bytes consumed so far and the total (when known). */
  readonly onChunk?: (bytesRead: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
  readonly chunkBytes?: number;
  /** Sees every raw chunk (bytes for files, text for in-memory content), e.g. to hash the source. */
  readonly onData?: (chunk: Uint8Array | string) => void;
  /**
   * File sources only: receives each non-empty physical line as bytes `buf[start, end)` (CR/LF
   * stripped) instead of `sink` receiving its fields, for as long as the file has shown no double
   * quote; from the first chunk holding a quote on, the rest goes through the RFC 4180 reader to
   * `sink` as usual. Lets a caller parse plain rows without making strings.
   */
  readonly lineSink?: (buf: Buffer, start: number, end: number, line: number) => void;
}

/**
 * Streams a CSV (RFC 4180: quoted fields may hold commas, doubled quotes and newlines; CRLF or LF)
 * record by record into `sink`, without holding the whole file. Empty lines are skipped. Yields to
 * the event loop between chunks so the caller can show progress and honour `signal` (throws an
 * `AbortError`-named error when aborted). Throws `CsvSyntaxError` for an unterminated quote.
 */
export async function readCsv(src: CsvSource, sink: RecordSink, options: ReadCsvOptions = {}): Promise<void> {
  const reader = new RecordReader(sink);
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  if ('content' in src) {
    const total = src.content.length;
    if (total > CSV_LIMITS.fileBytes)
      throw new InputFileError(`${src.fileName}: ${total} characters, over the ${CSV_LIMITS.fileBytes} import limit`);
    const z = src.content.indexOf('\u0000');
    if (z >= 0) throw binary(src.fileName, src.content.slice(0, z).split('\n').length);
    for (let at = 0; at < total; at += chunkBytes) {
      throwIfAborted(options.signal);
      const piece = src.content.slice(at, at + chunkBytes);
      options.onData?.(piece);
      reader.push(piece);
      options.onChunk?.(Math.min(total, at + chunkBytes), total);
      if (at + chunkBytes < total) await yieldToLoop();
    }
    reader.end();
    return;
  }
  const label = sourceName(src);
  const fh = await openRegularFile(src.path, label);
  if (options.lineSink) {
    try {
      await readLines(label, fh, options.lineSink, reader, chunkBytes, options);
    } finally {
      await fh.close();
    }
    return;
  }
  try {
    const total = (await fh.stat()).size;
    const buf = Buffer.allocUnsafe(chunkBytes);
    const decoder = new TextDecoder('utf-8');
    let read = 0;
    for (;;) {
      throwIfAborted(options.signal);
      const { bytesRead } = await fh.read(buf, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      read += bytesRead;
      checkSize(label, read);
      const nul = nulLine(buf, 0, bytesRead, reader.line);
      if (nul > 0) throw binary(label, nul);
      options.onData?.(buf.subarray(0, bytesRead));
      reader.push(decoder.decode(buf.subarray(0, bytesRead), { stream: true }));
      options.onChunk?.(read, total);
    }
    reader.push(decoder.decode());
    reader.end();
  } finally {
    await fh.close();
  }
}

/** The byte-level line path of {@link readCsv} (see `lineSink`). */
async function readLines(
  path: string,
  fh: Awaited<ReturnType<typeof open>>,
  lineSink: NonNullable<ReadCsvOptions['lineSink']>,
  reader: RecordReader,
  chunkBytes: number,
  options: ReadCsvOptions,
): Promise<void> {
  const total = (await fh.stat()).size;
  let buf = Buffer.allocUnsafe(chunkBytes);
  let carry = 0; // bytes of an unfinished line kept at the start of buf
  let line = 0;
  let read = 0;
  let decoder: InstanceType<typeof TextDecoder> | null = null; // set once the file switched to the quoted-text path
  for (;;) {
    throwIfAborted(options.signal);
    if (carry >= CSV_LIMITS.lineBytes)
      throw new CsvSyntaxError(line + 1, `line longer than ${CSV_LIMITS.lineBytes} bytes`);
    if (carry === buf.length) {
      // A line longer than the buffer: grow it (up to the line limit).
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const { bytesRead } = await fh.read(buf, carry, buf.length - carry, null);
    if (bytesRead > 0) {
      read += bytesRead;
      checkSize(path, read);
      const nul = nulLine(buf, carry, carry + bytesRead, decoder ? reader.line : line);
      if (nul > 0) throw binary(path, nul);
      options.onData?.(buf.subarray(carry, carry + bytesRead));
    }
    const end = carry + bytesRead;
    if (decoder) {
      if (bytesRead === 0) break;
      reader.push(decoder.decode(buf.subarray(0, end), { stream: true }));
      carry = 0;
      options.onChunk?.(read, total);
      continue;
    }
    let start = 0;
    const quote = buf.indexOf(34, 0);
    if (quote >= 0 && quote < end) {
      // A quote: hand everything from here on to the RFC 4180 reader, continuing the line count.
      decoder = new TextDecoder('utf-8', { ignoreBOM: line > 0 });
      reader.startAtLine(line);
      reader.push(decoder.decode(buf.subarray(0, end), { stream: true }));
      carry = 0;
      options.onChunk?.(read, total);
      if (bytesRead === 0) break;
      continue;
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0 || nl >= end) break;
      line++;
      if (nl - start > CSV_LIMITS.lineBytes)
        throw new CsvSyntaxError(line, `line longer than ${CSV_LIMITS.lineBytes} bytes`);
      const stop = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      if (stop > start) lineSink(buf, start, stop, line);
      start = nl + 1;
    }
    if (bytesRead === 0) {
      // The last line, without a newline.
      if (end > start) {
        line++;
        const stop = buf[end - 1] === 13 ? end - 1 : end;
        if (stop > start) lineSink(buf, start, stop, line);
      }
      break;
    }
    buf.copy(buf, 0, start, end);
    carry = end - start;
    options.onChunk?.(read, total);
  }
  if (decoder) reader.push(decoder.decode());
  reader.end();
}

/** An unterminated quoted field: the file cannot be split into records. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const e = new Error('cancelled');
    e.name = 'AbortError';
    throw e;
  }
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Splits pushed text into records. Unquoted lines (the common case) take a fast `split(',')` path. */
class RecordReader {
  #rest = '';
  #line = 0;
  // A quoted record spanning lines: the text so far and its first line.
  #pending: string | null = null;
  #pendingLine = 0;
  readonly #sink: RecordSink;

  constructor(sink: RecordSink) {
    this.#sink = sink;
  }

  /** Physical lines completed so far. */
  get line(): number {
    return this.#line;
  }

  /** Continues a file whose first `lines` physical lines were consumed elsewhere. */
  startAtLine(lines: number): void {
    this.#line = lines;
  }

  push(text: string): void {
    const s = this.#rest + text;
    let start = 0;
    for (;;) {
      const nl = s.indexOf('\n', start);
      if (nl < 0) break;
      this.#lineDone(s.slice(start, nl > start && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl), true);
      start = nl + 1;
    }
    this.#rest = s.slice(start);
    // A line without an end in sight is refused, not buffered (a 10 MB line, /dev/zero as a file).
    if (this.#rest.length > CSV_LIMITS.lineBytes)
      throw new CsvSyntaxError(this.#line + 1, `line longer than ${CSV_LIMITS.lineBytes} bytes`);
  }

  end(): void {
    if (this.#rest.length > 0) this.#lineDone(this.#rest.endsWith('\r') ? this.#rest.slice(0, -1) : this.#rest, false);
    this.#rest = '';
    if (this.#pending !== null) throw new CsvSyntaxError(this.#pendingLine, 'unterminated quoted field');
  }

  #lineDone(text: string, hadNewline: boolean): void {
    this.#line++;
    if (text.length > CSV_LIMITS.lineBytes)
      throw new CsvSyntaxError(this.#line, `line longer than ${CSV_LIMITS.lineBytes} bytes`);
    if (this.#pending !== null) {
      const joined = this.#pending + '\n' + text;
      if (countQuotes(joined) % 2 === 1) {
        if (joined.length > CSV_LIMITS.lineBytes)
          throw new CsvSyntaxError(
            this.#pendingLine,
            `quoted record longer than ${CSV_LIMITS.lineBytes} bytes (an unterminated quote?)`,
          );
        this.#pending = joined;
        return;
      }
      this.#pending = null;
      this.#sink(parseQuoted(joined), this.#pendingLine);
      return;
    }
    if (text.length === 0) return;
    if (text.indexOf('"') < 0) {
      this.#sink(text.split(','), this.#line);
      return;
    }
    if (countQuotes(text) % 2 === 1 && hadNewline) {
      this.#pending = text;
      this.#pendingLine = this.#line;
      return;
    }
    if (countQuotes(text) % 2 === 1) throw new CsvSyntaxError(this.#line, 'unterminated quoted field');
    this.#sink(parseQuoted(text), this.#line);
  }
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
}

/** Parses one complete record that contains quotes (RFC 4180). */
export function parseQuoted(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  for (;;) {
    if (s.charCodeAt(i) === 34) {
      let field = '';
      i++;
      for (;;) {
        const q = s.indexOf('"', i);
        if (q < 0) {
          field += s.slice(i);
          i = n;
          break;
        }
        field += s.slice(i, q);
        if (s.charCodeAt(q + 1) === 34) {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      // Text after a closing quote and before the comma is kept (lenient, like most readers).
      const comma = s.indexOf(',', i);
      const end = comma < 0 ? n : comma;
      field += s.slice(i, end);
      out.push(field);
      if (comma < 0) return out;
      i = comma + 1;
    } else {
      const comma = s.indexOf(',', i);
      if (comma < 0) {
        out.push(s.slice(i));
        return out;
      }
      out.push(s.slice(i, comma));
      i = comma + 1;
    }
  }
}
