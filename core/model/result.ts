/** Error codes a user can cause or see at a boundary (IPC, WebSocket, worker messages, CLI). */
export type ErrorCode = 'not-found' | 'invalid-input' | 'cancelled' | 'conflict' | 'unavailable' | 'internal';

/** An error as a value: what crosses every boundary instead of a thrown exception. */
export type AppError = { code: ErrorCode; message: string; details?: readonly string[] };

/** Success or a typed error; the renderer and the CLI branch on `ok`. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Wraps a value as a successful `Result`. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** Builds a failed `Result` with a code, a one-line message and optional per-item details (e.g. `FILE:LINE: column: reason`). */
export function fail<T = never>(code: ErrorCode, message: string, details?: readonly string[]): Result<T> {
  return details === undefined
    ? { ok: false, error: { code, message } }
    : { ok: false, error: { code, message, details } };
}

/** Throws for a broken invariant (a bug), never for bad user input. */
export function assert(condition: unknown, message = 'assertion failed'): asserts condition {
  if (!condition) throw new Error(message);
}
