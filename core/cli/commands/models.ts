import { existsSync, readFileSync } from 'node:fs';
import { FeatureSpecError } from '../../features/defs';
import { championId, getModel, listModels, modelEvents, promoteModel } from '../../models/registry';
import { explainOnnxAt, predictOnnxAt } from '../../models/onnx-service';
import { explainAt, predictAt, trainAndRegister } from '../../models/service';
import { parseModelSpec } from '../../models/spec';
import { createThreadPool } from '../../pool/thread-pool';
import { openStore } from '../../store/sqlite-bar-store';
import { parseFlags, UsageError } from '../args';
import { EXIT, type CliIO, type Command } from '../io';
import { lineOfPath, readJsonFile } from './signals';

const USAGE = `Usage: quantdesk models train --spec FILE.json --db DB [--workers N] [--json]
       quantdesk models list --db DB [--json]
       quantdesk models show ID --db DB [--json]
       quantdesk models predict ID --db DB --date YYYY-MM-DD [--symbol S] [--json]
       quantdesk models explain ID --db DB --symbol S --date YYYY-MM-DD [--json]
       quantdesk models import --onnx FILE.onnx --manifest FILE.json --db DB [--json]
       quantdesk models promote ID --db DB [--note TEXT] [--json]

train: walk-forward training of a model spec ({"universe","symbols","start","end","features","label","model",
  "walkForward"}; see quantdesk features list), recorded in the model registry with its lineage.
  --workers N fits the windows on N worker threads at once (same models and numbers as without).
  --json prints {"modelId","windows":[{"trainStart","trainEnd","testStart","testEnd","metrics"}],"metrics"},
  metrics {"ic","icir","rankIc","rankIcir","hitRate","rmse"|"auc","n","dates"} out of sample.
predict: the model's prediction per symbol at a date, by the window model whose test window covers it
  (the last window's model after the last window).
explain: {"prediction","base","contributions":[{"feature","value","contribution"}]} where
  base + sum(contribution) = prediction (exact TreeSHAP for gbdt; log-odds for classification; for ONNX
  models exact Shapley values against 32 background rows from the training window).
import: an ONNX model and a manifest {"features","label","trainStart","trainEnd"[,"name","input","output",
  "symbols","source"]}; scored out of sample on the store's days after trainEnd + horizon; prints as train.
promote: makes ID the champion, recorded append-only in the registry ({"seq","modelId","ts","action","note"});
  list marks the champion ("champion": true) and show lists the version's events.`;

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(4));

function specError(io: CliIO, file: string, text: string, problems: readonly string[]): number {
  for (const p of problems) io.err(`${file}:${lineOfPath(text, p.slice(0, p.indexOf(':')))}: ${p}\n`);
  return EXIT.badInput;
}

function openDb(path: string | undefined, readonly: boolean) {
  if (path === undefined) throw new UsageError('missing required option --db');
  if (!existsSync(path)) throw new UsageError(`${path}: no such database`);
  return openStore(path, { readonly });
}

/** `quantdesk models train|list|show|predict|explain|import`. */
export const modelsCommand: Command = {
  name: 'models',
  summary: 'Train models walk-forward, list, show, import, predict and explain them',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    const { values, positionals } = parseFlags(rest, {
      spec: { type: 'string' },
      db: { type: 'string' },
      json: { type: 'boolean' },
      date: { type: 'string' },
      symbol: { type: 'string' },
      onnx: { type: 'string' },
      manifest: { type: 'string' },
      workers: { type: 'string' },
      note: { type: 'string' },
    });
    const json = values.json === true;
    if (sub === 'train') {
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      if (values.spec === undefined) throw new UsageError('missing required option --spec');
      const raw = readJsonFile(values.spec);
      const text = readFileSync(values.spec, 'utf8');
      const parsed = parseModelSpec(raw);
      if (!parsed.ok) return specError(io, values.spec, text, parsed.problems);
      const store = openDb(values.db, false);
      const ac = new AbortController();
      const onSigint = () => ac.abort();
      process.once('SIGINT', onSigint);
      const workers = values.workers === undefined ? 0 : Number(values.workers);
      if (!Number.isInteger(workers) || workers < 0 || workers > 256)
        throw new UsageError(`--workers: expected an integer 0..256, got "${values.workers}"`);
      const pool = workers > 0 ? createThreadPool({ workers, dbPath: null }) : undefined;
      try {
        let last = 0;
        const out = await trainAndRegister(store, parsed.spec, {
          ...(pool ? { pool } : {}),
          signal: ac.signal,
          onProgress: (p) => {
            const now = Date.now();
            if (io.isTTY && now - last > 200) {
              last = now;
              io.err(`\rwindow ${p.window + 1}/${p.windows}  ${p.step}/${p.steps}   `);
            }
          },
        });
        if (io.isTTY) io.err('\n');
        if (json) io.out(`${JSON.stringify({ modelId: out.modelId, windows: out.windows, metrics: out.metrics })}\n`);
        else {
          io.out(
            `model ${out.modelId}\n${'test window'.padEnd(24)} ${'ic'.padStart(8)} ${'rankIc'.padStart(8)} ${'hit'.padStart(8)}\n`,
          );
          for (const w of out.windows)
            io.out(
              `${`${w.testStart}..${w.testEnd}`.padEnd(24)} ${fmt(w.metrics?.ic).padStart(8)} ${fmt(w.metrics?.rankIc).padStart(8)} ${fmt(w.metrics?.hitRate).padStart(8)}\n`,
            );
          const m = out.metrics;
          io.out(
            `overall: ic ${fmt(m.ic)} icir ${fmt(m.icir)} rankIc ${fmt(m.rankIc)} rankIcir ${fmt(m.rankIcir)} hitRate ${fmt(m.hitRate)}\n`,
          );
        }
        return EXIT.ok;
      } catch (e) {
        if (e instanceof FeatureSpecError) return specError(io, values.spec, text, [e.message]);
        if ((e as Error).message === 'cancelled' || (e as Error).name === 'CancelledError') {
          io.err('quantdesk models train: cancelled\n');
          return EXIT.failure;
        }
        if (/^walkForward|^no trading days|no training rows/.test((e as Error).message)) {
          io.err(`${values.spec}: ${(e as Error).message}\n`);
          return EXIT.badInput;
        }
        throw e;
      } finally {
        process.off('SIGINT', onSigint);
        await pool?.close();
        store.close();
      }
    }
    if (sub === 'list') {
      const store = openDb(values.db, true);
      try {
        const champion = championId(store);
        const list = listModels(store).map((r) => ({
          id: r.id,
          kind: r.kind,
          name: r.name,
          createdAt: r.createdAt,
          dataFingerprint: r.lineage.dataFingerprint,
          featureSetHash: r.lineage.featureSetHash,
          metrics: r.metrics,
          champion: r.id === champion,
        }));
        if (json) io.out(`${JSON.stringify(list)}\n`);
        else
          for (const r of list)
            io.out(
              `${r.id}  ${r.kind.padEnd(7)} ${new Date(r.createdAt).toISOString()}  rankIc ${fmt(r.metrics?.rankIc)}  ic ${fmt(r.metrics?.ic)}${r.champion ? '  champion' : ''}\n`,
            );
        return EXIT.ok;
      } finally {
        store.close();
      }
    }
    const [id] = positionals;
    if (sub === 'show' || sub === 'predict' || sub === 'explain') {
      if (id === undefined) throw new UsageError(`models ${sub}: expected a model ID`);
      const store = openDb(values.db, true);
      try {
        if (sub === 'show') {
          const got = getModel(store, id);
          if (!got) {
            io.err(`quantdesk models: no model "${id}"\n`);
            return EXIT.badInput;
          }
          const shown = { ...got.record, events: modelEvents(store, id) };
          io.out(json ? `${JSON.stringify(shown)}\n` : `${JSON.stringify(shown, null, 2)}\n`);
          return EXIT.ok;
        }
        if (values.date === undefined) throw new UsageError('missing required option --date');
        const isOnnx = getModel(store, id)?.record.kind === 'onnx';
        if (sub === 'predict') {
          const preds = (
            isOnnx
              ? await predictOnnxAt(store, id, values.date, values.symbol)
              : predictAt(store, id, values.date, values.symbol)
          ).map((p) => ({ symbol: p.symbol, date: p.date, prediction: p.prediction, window: p.window }));
          if (json) io.out(`${JSON.stringify(preds)}\n`);
          else for (const p of preds) io.out(`${p.symbol.padEnd(10)} ${p.date} ${p.prediction.toFixed(6)}\n`);
          return EXIT.ok;
        }
        if (values.symbol === undefined) throw new UsageError('missing required option --symbol');
        const e = isOnnx
          ? await explainOnnxAt(store, id, values.symbol, values.date)
          : explainAt(store, id, values.symbol, values.date);
        if (json) io.out(`${JSON.stringify(e)}\n`);
        else {
          io.out(`prediction ${e.prediction.toFixed(6)} = base ${e.base.toFixed(6)} + contributions:\n`);
          for (const c of e.contributions)
            io.out(
              `  ${c.feature.padEnd(28)} value ${c.value === null ? 'NaN' : c.value.toPrecision(6).padStart(12)}  ${c.contribution >= 0 ? '+' : ''}${c.contribution.toFixed(6)}\n`,
            );
        }
        return EXIT.ok;
      } catch (e) {
        if (/^no model|^no out-of-sample|^no bars on|not in the model's universe|^--date/.test((e as Error).message)) {
          io.err(`quantdesk models ${sub}: ${(e as Error).message}\n`);
          return EXIT.badInput;
        }
        throw e;
      } finally {
        store.close();
      }
    }
    if (sub === 'promote') {
      if (id === undefined) throw new UsageError('models promote: expected a model ID');
      const store = openDb(values.db, false);
      try {
        const ev = promoteModel(store, id, values.note ?? null);
        io.out(json ? `${JSON.stringify(ev)}\n` : `${id} is now the champion (event ${ev.seq})\n`);
        return EXIT.ok;
      } catch (e) {
        io.err(`quantdesk models promote: ${(e as Error).message}\n`);
        return EXIT.badInput;
      } finally {
        store.close();
      }
    }
    if (sub === 'import') {
      const { importOnnxCommand } = await import('./models-import');
      return importOnnxCommand(values, io);
    }
    throw new UsageError('expected a subcommand: train, list, show, predict, explain, import or promote');
  },
};
