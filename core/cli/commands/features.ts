import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BacktestInputError } from '../../backtest/types';
import { isBuiltinFeature, listFeatures, FeatureSpecError } from '../../features/defs';
import { checkUserFeature, loadUserFeature, readFeatureFile } from '../../features/user';
import { addUserFeature } from '../../store/feature-sources';
import { exportParquet } from '../../features/export';
import { storeFeatureMatrix } from '../../features/matrix';
import { parseDate } from '../../model/time';
import { parseModelSpec } from '../../models/spec';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type CliIO, type Command } from '../io';
import { lineOfPath, readJsonFile } from './signals';

const USAGE = `Usage: quantdesk features list [--db DB] [--json]
       quantdesk features add FILE --db DB [--json]
       quantdesk features export --spec FILE.json --db DB --out DIR

list: every named feature with its parameters and defaults (--json: [{"name","description","params"}]), then
  the user features stored in DB (with "source":"user","file","hash").
  Besides named features, {"name":"expr","expr":"Mean($close, 5) / $close"} takes any expression over
  $open $high $low $close $volume $rawclose and PIT fundamentals ($eps, $book_value_per_share, ...).
add: stores a feature file (.ts or .js, default export defineFeature({...}) from quantdesk/sdk) in DB under its
  name, after checking on a synthetic market that its batch and streaming forms agree at every bar (default
  params); adding a changed file makes a new version. Specs then name it like a built-in feature.
export: computes the spec's features (a model spec: "features", "start", "end", optional "symbols") over the
  store and writes DIR/features-<featureSetHash>.parquet with columns symbol, date and one per feature.`;

/** `quantdesk features list|export`. */
export const featuresCommand: Command = {
  name: 'features',
  summary: 'List the feature library; export a feature matrix to Parquet',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'add') return add(rest, io);
    } catch (e) {
      if (e instanceof BacktestInputError) {
        io.err(e.errors.map((x) => `quantdesk features: ${x}\n`).join(''));
        return EXIT.badInput;
      }
      throw e;
    }
    if (sub === 'list') {
      const { values, positionals } = parseFlags(rest, { json: { type: 'boolean' }, db: { type: 'string' } });
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      if (values.db && !existsSync(values.db)) throw new UsageError(`${values.db}: no such database`);
      const store = values.db ? openStore(values.db, { readonly: true }) : null;
      let list;
      try {
        list = listFeatures({ store });
      } catch (e) {
        if (e instanceof BacktestInputError) {
          io.err(e.errors.map((x) => `quantdesk features: ${x}\n`).join(''));
          return EXIT.badInput;
        }
        throw e;
      } finally {
        store?.close();
      }
      if (values.json) io.out(`${JSON.stringify(list)}\n`);
      else
        for (const f of list)
          io.out(
            `${f.name.padEnd(16)} ${JSON.stringify(f.params).padEnd(40)} ${f.source === 'user' ? `[user ${f.file}] ` : ''}${f.description}\n`,
          );
      return EXIT.ok;
    }
    if (sub === 'export') {
      const { values, positionals } = parseFlags(
        rest,
        { spec: { type: 'string' }, db: { type: 'string' }, out: { type: 'string' } },
        ['spec', 'db', 'out'],
      );
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const raw = readJsonFile(values.spec!);
      const text = readFileSync(values.spec!, 'utf8');
      const parsed = parseModelSpec(raw);
      if (!parsed.ok) {
        for (const p of parsed.problems)
          io.err(`${values.spec}:${lineOfPath(text, p.slice(0, p.indexOf(':')))}: ${p}\n`);
        return EXIT.badInput;
      }
      if (!existsSync(values.db!)) throw new UsageError(`${values.db}: no such database`);
      const spec = parsed.spec;
      const store = openStore(values.db!, { readonly: true });
      try {
        let built;
        try {
          built = storeFeatureMatrix(store, spec.features as never, {
            ...(spec.symbols ? { symbols: spec.symbols } : {}),
            to: parseDate(spec.end)!,
            universe: spec.universe,
          });
        } catch (e) {
          if (e instanceof FeatureSpecError) {
            io.err(`${values.spec}:${lineOfPath(text, e.path)}: ${e.message}\n`);
            return EXIT.badInput;
          }
          throw e;
        }
        const r = await exportParquet(
          built.src.panel,
          built.matrix,
          values.out!,
          parseDate(spec.start)!,
          parseDate(spec.end)!,
        );
        io.out(
          `${JSON.stringify({ file: r.file, rows: r.rows, features: built.matrix.labels.length, featureHash: built.matrix.featureHash, dataFingerprint: built.matrix.fingerprint })}\n`,
        );
        return EXIT.ok;
      } finally {
        store.close();
      }
    }
    throw new UsageError('expected a subcommand: list or export');
  },
};

/** `features add FILE --db DB`: load in the sandbox, check batch = streaming, store by source hash. */
function add(args: string[], io: CliIO): number {
  const { values, positionals } = parseFlags(args, { db: { type: 'string' }, json: { type: 'boolean' } }, ['db']);
  if (positionals.length !== 1) throw new UsageError('expected one FILE');
  const src = readFeatureFile(resolve(positionals[0]));
  const f = loadUserFeature(src);
  const name = f.name;
  if (isBuiltinFeature(name))
    throw new UsageError(`${positionals[0]}: "${name}" is a built-in feature's name; give defineFeature another name`);
  if (!/^[a-z][a-z0-9_-]*$/i.test(name))
    throw new UsageError(
      `${positionals[0]}: name "${name}" must start with a letter and hold letters, digits, - and _`,
    );
  const defaults = f.parseParams({});
  if (!defaults.ok) {
    const i = defaults.issues[0];
    throw new BacktestInputError([
      `${src.file}: params.${i.path.join('.')}: every parameter needs a default (${i.message})`,
    ]);
  }
  const mismatch = checkUserFeature(f, defaults.data);
  if (mismatch) throw new BacktestInputError([mismatch]);
  if (!existsSync(values.db!)) throw new UsageError(`${values.db}: no such database`);
  const store = openStore(values.db!);
  try {
    const r = addUserFeature(store, { ...src, name });
    if (values.json)
      io.out(
        `${JSON.stringify({ name, version: r.version, hash: src.hash, added: r.added, batch: f.hasBatch, stream: f.hasStream })}\n`,
      );
    else
      io.out(
        r.added
          ? `stored feature ${name} version ${r.version} (${src.hash.slice(0, 12)})\n`
          : `feature ${name} version ${r.version} already holds this source\n`,
      );
    return EXIT.ok;
  } finally {
    store.close();
  }
}
