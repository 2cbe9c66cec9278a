import { existsSync, readFileSync } from 'node:fs';
import { listFeatures, FeatureSpecError } from '../../features/defs';
import { exportParquet } from '../../features/export';
import { storeFeatureMatrix } from '../../features/matrix';
import { parseDate } from '../../model/time';
import { parseModelSpec } from '../../models/spec';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type Command } from '../io';
import { lineOfPath, readJsonFile } from './signals';

const USAGE = `Usage: quantdesk features list [--json]
       quantdesk features export --spec FILE.json --db DB --out DIR

list: every named feature with its parameters and defaults (--json: [{"name","description","params"}]).
  Besides named features, {"name":"expr","expr":"Mean($close, 5) / $close"} takes any expression over
  $open $high $low $close $volume $rawclose and PIT fundamentals ($eps, $book_value_per_share, ...).
export: computes the spec's features (a model spec: "features", "start", "end", optional "symbols") over the
  store and writes DIR/features-<featureSetHash>.parquet with columns symbol, date and one per feature.`;

/** `quantdesk features list|export`. */
export const featuresCommand: Command = {
  name: 'features',
  summary: 'List the feature library; export a feature matrix to Parquet',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'list') {
      const { values, positionals } = parseFlags(rest, { json: { type: 'boolean' } });
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const list = listFeatures();
      if (values.json) io.out(`${JSON.stringify(list)}\n`);
      else
        for (const f of list) io.out(`${f.name.padEnd(16)} ${JSON.stringify(f.params).padEnd(40)} ${f.description}\n`);
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
