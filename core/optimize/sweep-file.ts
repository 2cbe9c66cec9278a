import { readFileSync } from 'node:fs';
import { absolutizeStrategyRef } from '../strategies/registry';
import { SweepSpecSchema, type SweepSpec } from './sweep-spec';

/** Thrown for an unreadable or invalid sweep file; the message names the file and, where known, line and field. */
export class SweepFileError extends Error {}

/**
 * Reads and validates a sweep file (see `SweepSpecSchema`). Errors name the file, the line of a
 * JSON syntax error, and the path of each invalid field (`sweep.json: grid.fast.step: ...`).
 */
export function readSweepFile(path: string): SweepSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SweepFileError(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    // Windows editors save UTF-8 with a byte order mark; JSON.parse rejects it.
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? text.slice(0, Number(pos[1])).split('\n').length : null;
    throw new SweepFileError(`${path}${line ? `:${line}` : ''}: invalid JSON: ${msg}`);
  }
  const parsed = SweepSpecSchema.safeParse(absolutizeStrategyRef(raw, path));
  if (!parsed.success) {
    throw new SweepFileError(
      parsed.error.issues
        .map((i) => `${path}: ${i.path.length ? i.path.join('.') : '(file)'}: ${i.message}`)
        .join('\n'),
    );
  }
  return parsed.data;
}
