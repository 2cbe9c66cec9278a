import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Thrown for a usage error; the dispatcher prints it with the command's usage and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `args` strictly with node's `util.parseArgs`: unknown flags and missing values are usage
 * errors, never silently ignored. `required` names flags that must be present.
 */
export function parseFlags<O extends Options>(
  args: string[],
  options: O,
  required: readonly (keyof O & string)[] = [],
) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  for (const name of required) {
    if ((parsed.values as Record<string, unknown>)[name] === undefined)
      throw new UsageError(`missing required option --${name}`);
  }
  return parsed;
}

/** Parses `k=v` pairs (`--param period=14`) into numbers where numeric, strings otherwise. */
export function parseKeyValues(pairs: readonly string[] | undefined): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const p of pairs ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`expected key=value, got "${p}"`);
    const key = p.slice(0, eq);
    const raw = p.slice(eq + 1);
    const n = Number(raw);
    out[key] = raw.trim() !== '' && Number.isFinite(n) ? n : raw;
  }
  return out;
}
