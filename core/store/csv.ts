import { open } from 'node:fs/promises';

/** Where CSV text comes from: a file path, or text already in memory (drag-and-drop). */
export type CsvSource = { readonly path: string } | { readonly fileName: string; readonly content: string };

/** The name used in `FILE:LINE` messages for a source. */
export function sourceName(src: CsvSource): string {
  return 'path' in src ? src.path : src.fileName;
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
  const fh = await open(src.path, 'r');
  if (options.lineSink) {
    try {
      await readLines(fh, options.lineSink, reader, chunkBytes, options);
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
    if (carry === buf.length) {
      // A line longer than the buffer: grow it.
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const { bytesRead } = await fh.read(buf, carry, buf.length - carry, null);
    if (bytesRead > 0) {
      read += bytesRead;
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
  constructor(readonly line: number, message: string) {
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
  }

  end(): void {
    if (this.#rest.length > 0) this.#lineDone(this.#rest.endsWith('\r') ? this.#rest.slice(0, -1) : this.#rest, false);
    this.#rest = '';
    if (this.#pending !== null) throw new CsvSyntaxError(this.#pendingLine, 'unterminated quoted field');
  }

  #lineDone(text: string, hadNewline: boolean): void {
    this.#line++;
    if (this.#pending !== null) {
      const joined = this.#pending + '\n' + text;
      if (countQuotes(joined) % 2 === 1) {
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
