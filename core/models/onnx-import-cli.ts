import { UsageError } from '../cli/args';
import type { CliIO } from '../cli/io';

/** `models import` (ONNX): see onnx.ts. */
export async function importOnnxCommand(_values: Record<string, unknown>, _io: CliIO): Promise<number> {
  throw new UsageError('models import: ONNX import is not available in this build');
}
