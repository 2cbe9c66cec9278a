import { createRequire } from 'node:module';

/**
 * Test-only bridge to TA-Lib's C library through the `talib` devDependency (node-gyp build of TA-Lib 0.4).
 * Never import this from production code: `talib` is not shipped.
 */

interface TalibModule {
  execute(req: Record<string, unknown>): {
    begIndex: number;
    nbElement: number;
    result: Record<string, number[]>;
    error?: string;
  };
}

const talib = createRequire(import.meta.url)('talib') as TalibModule;

/**
 * Runs TA-Lib function `name` over the whole series and returns each output as a full-length column with NaN
 * before TA-Lib's first output (its `begIndex`). Inputs are copied to plain arrays: the binding misreads typed arrays.
 */
export function talibRun(
  name: string,
  inputs: Record<string, Float64Array>,
  opts: Record<string, number> = {},
): Record<string, Float64Array> {
  const req: Record<string, unknown> = { name, startIdx: 0 };
  let n = 0;
  for (const [k, v] of Object.entries(inputs)) {
    req[k] = Array.from(v);
    n = v.length;
  }
  req.endIdx = n - 1;
  Object.assign(req, opts);
  const res = talib.execute(req);
  if (res.error) throw new Error(`talib ${name}: ${res.error}`);
  const out: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(res.result)) {
    const col = new Float64Array(n).fill(Number.NaN);
    for (let j = 0; j < res.nbElement; j++) col[res.begIndex + j] = v[j];
    out[k] = col;
  }
  return out;
}
