import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BacktestInputError } from '../../backtest/types';
import { loadSandboxedStrategy } from '../../sdk/sandbox';
import { openStore, type Store } from '../../store/sqlite-bar-store';
import { addUserStrategy, getSource, listUserStrategies } from '../../store/strategy-sources';
import { describeStrategy, listStrategies, type StrategyListing } from '../../strategies';
import { isBuiltin, readStrategyFile } from '../../strategies/registry';
import { parseFlags, UsageError } from '../args';
import { EXIT, type CliIO, type Command } from '../io';

const USAGE = `Usage: quantdesk strategies [NAME] [--json] [--db DB]
       quantdesk strategies add FILE --db DB [--json]
       quantdesk strategies check FILE [--db DB] [--symbol S] [--json]

Lists the built-in strategies (and, with --db, the user strategies stored there) with their parameters
and defaults; NAME shows one. --json prints [{"name","description","kind","params","source"}] on stdout,
params being the JSON Schema of the strategy's parameters (properties with type, default, minimum,
maximum, enum, description) and source "builtin" or "user".
add     stores a strategy file (.ts or .js, default export defineStrategy({...})) in DB under its name
        (defineStrategy's name, else the file name); adding a changed file makes a new version.
check   the look-ahead proof: runs FILE (or a strategy name) on DB's bars (or a synthetic market), then
        truncates and perturbs every bar after several dates T and reports the first decision before T
        that changed (exit 1, naming the bar); and runs it twice for determinism.`;

interface Prop {
  type?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  description?: string;
}

/** The stored user strategies of `store`, described (each loaded in the sandbox once). */
function storedListings(store: Store): StrategyListing[] {
  const out: StrategyListing[] = [];
  for (const v of listUserStrategies(store)) {
    const src = getSource(store, v.hash);
    if (!src) continue;
    const s = loadSandboxedStrategy({ name: src.name, file: src.file, source: src.source, hash: src.hash });
    out.push({ ...describeStrategy(s, 'user'), name: v.name });
  }
  return out;
}

function openExisting(db: string, readonly = false): Store {
  if (!existsSync(db)) throw new UsageError(`${db}: no such database`);
  return openStore(db, readonly ? { readonly: true } : undefined);
}

async function add(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(args, { db: { type: 'string' }, json: { type: 'boolean' } }, ['db']);
  if (positionals.length !== 1) throw new UsageError('expected one FILE');
  const file = resolve(positionals[0]);
  const src = readStrategyFile(file);
  const strategy = loadSandboxedStrategy(src);
  const name = strategy.name || src.name;
  if (isBuiltin(name))
    throw new UsageError(
      `${positionals[0]}: "${name}" is a built-in strategy's name; give defineStrategy another name`,
    );
  if (!/^[a-z0-9][a-z0-9-]*$/i.test(name))
    throw new UsageError(`${positionals[0]}: name "${name}" must be letters, digits and dashes`);
  const store = openExisting(values.db as string);
  try {
    const r = addUserStrategy(store, { ...src, name });
    if (values.json)
      io.out(`${JSON.stringify({ name, version: r.version, hash: src.hash, added: r.added, kind: strategy.kind })}\n`);
    else
      io.out(
        r.added
          ? `stored ${name} version ${r.version} (${src.hash.slice(0, 12)})\n`
          : `${name} version ${r.version} already holds this source\n`,
      );
    return EXIT.ok;
  } finally {
    store.close();
  }
}

/** `quantdesk strategies [NAME] [--json] [--db DB]`, `strategies add`, `strategies check`. */
export const strategiesCommand: Command = {
  name: 'strategies',
  summary: 'List the built-in strategies and their parameters',
  usage: USAGE,
  async run(args, io) {
    try {
      if (args[0] === 'add') return await add(args.slice(1), io);
      if (args[0] === 'check') return await (await import('./strategies-check')).check(args.slice(1), io);
    } catch (e) {
      if (e instanceof BacktestInputError) {
        io.err(e.errors.map((x) => `quantdesk strategies: ${x}\n`).join(''));
        return EXIT.badInput;
      }
      throw e;
    }
    const { values, positionals } = parseFlags(args, { json: { type: 'boolean' }, db: { type: 'string' } });
    if (positionals.length > 1) throw new UsageError('expected at most one NAME');
    let list = listStrategies();
    if (values.db) {
      const store = openExisting(values.db, true);
      try {
        list = [...list, ...storedListings(store)];
      } catch (e) {
        if (e instanceof BacktestInputError) {
          io.err(e.errors.map((x) => `quantdesk strategies: ${x}\n`).join(''));
          return EXIT.badInput;
        }
        throw e;
      } finally {
        store.close();
      }
    }
    if (positionals.length === 1) {
      const all = list;
      list = list.filter((s) => s.name === positionals[0]);
      if (list.length === 0) {
        io.err(`quantdesk strategies: unknown strategy "${positionals[0]}" (${all.map((s) => s.name).join(', ')})\n`);
        return EXIT.badInput;
      }
    }
    if (values.json) {
      io.out(`${JSON.stringify(list)}\n`);
      return EXIT.ok;
    }
    for (const s of list) {
      io.out(`${s.name}  (${s.kind}${s.source === 'user' ? ', user' : ''})\n  ${s.description}\n`);
      const props = (s.params.properties ?? {}) as Record<string, Prop>;
      for (const [name, p] of Object.entries(props)) {
        const bits = [p.enum ? p.enum.join('|') : (p.type ?? 'any')];
        if (p.default !== undefined) bits.push(`default ${JSON.stringify(p.default)}`);
        if (p.minimum !== undefined) bits.push(`min ${p.minimum}`);
        if (p.maximum !== undefined) bits.push(`max ${p.maximum}`);
        io.out(`    ${name.padEnd(18)} ${bits.join(', ')}${p.description ? `  ${p.description}` : ''}\n`);
      }
      io.out('\n');
    }
    return EXIT.ok;
  },
};
