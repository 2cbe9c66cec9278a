import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../args';
import { readJsonFile, lineOfPath } from './signals';
import { EXIT, type CliIO } from '../io';
import { FeatureSpecError } from '../../features/defs';
import { openStore } from '../../store/sqlite-bar-store';
import { importOnnx, parseManifest } from '../../models/onnx-service';

/** `models import --onnx FILE --manifest FILE --db DB [--json]`: prints the same shape as `models train`. */
export async function importOnnxCommand(
  values: { onnx?: string; manifest?: string; db?: string; json?: boolean },
  io: CliIO,
): Promise<number> {
  for (const k of ['onnx', 'manifest', 'db'] as const)
    if (values[k] === undefined) throw new UsageError(`missing required option --${k}`);
  if (!existsSync(values.onnx!)) throw new UsageError(`${values.onnx}: no such file`);
  if (!existsSync(values.db!)) throw new UsageError(`${values.db}: no such database`);
  const text = readFileSync(values.manifest!, 'utf8');
  const parsed = parseManifest(readJsonFile(values.manifest!));
  if (!parsed.ok) {
    for (const p of parsed.problems)
      io.err(`${values.manifest}:${lineOfPath(text, p.slice(0, p.indexOf(':')))}: ${p}\n`);
    return EXIT.badInput;
  }
  const store = openStore(values.db!);
  try {
    const out = await importOnnx(store, readFileSync(values.onnx!), parsed.manifest);
    io.out(
      values.json
        ? `${JSON.stringify(out)}\n`
        : `imported ${out.modelId}: out of sample ${out.windows[0].testStart}..${out.windows[0].testEnd} rankIc ${out.metrics.rankIc ?? '-'}\n`,
    );
    return EXIT.ok;
  } catch (e) {
    if (e instanceof FeatureSpecError) {
      io.err(`${values.manifest}:${lineOfPath(text, e.path)}: ${e.message}\n`);
      return EXIT.badInput;
    }
    io.err(`quantdesk models import: ${values.onnx}: ${(e as Error).message}\n`);
    return EXIT.badInput;
  } finally {
    store.close();
  }
}
