/** Where a command writes. The real CLI passes process streams; tests pass buffers. */
export interface CliIO {
  out(text: string): void;
  /** Writes UTF-8 bytes to stdout as they are (a large output built as bytes is not decoded and encoded again). */
  outBytes(bytes: Uint8Array): void;
  err(text: string): void;
  /** True when stderr is a terminal: progress bars are drawn only then. */
  readonly isTTY: boolean;
}

/** A CLI command: parses its own arguments and returns the process exit code (0 ok, 1 failure, 2 bad input). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: string[], io: CliIO): Promise<number>;
}

/** The process's own streams. */
export function processIO(): CliIO {
  return {
    out: (t) => void process.stdout.write(t),
    outBytes: (b) => void process.stdout.write(b),
    err: (t) => void process.stderr.write(t),
    isTTY: process.stderr.isTTY === true,
  };
}

/** An in-memory IO for tests: everything written is kept. */
export function bufferIO(): CliIO & { stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => void out.push(t),
    outBytes: (b) => void out.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')),
    err: (t) => void err.push(t),
    isTTY: false,
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failure: 1, badInput: 2 } as const;
