/**
 * User features (`defineFeature` from `quantdesk/sdk`) in the sandbox of user strategies (`./sandbox`): the
 * source is compiled by esbuild and evaluated in its own V8 context holding only the builtins and the SDK, with
 * code generation from strings off, no clock, a seeded `Math.random`, and every call under the time limit.
 * Bars cross into the context as numbers written into a Float64Array the context made; values come back as
 * numbers read from one it made. No host object is ever handed to user code.
 */
import vm from 'node:vm';
import type { StrategySource } from '../strategies/registry';
import {
  compile,
  HARDEN,
  SDK_MODULE,
  sdkRuntime,
  seedOf,
  StrategyCodeError,
  userError,
  withTimeLimit,
  type Compiled,
} from './sandbox';

const PRELUDE = String.raw`(function (sdk, factory) {
  'use strict';
  ${HARDEN}
  const MapC = Map, floor = Math.floor;
  const mod = { exports: {} };
  function require(name) {
    if (name === ${JSON.stringify(SDK_MODULE)}) return sdk;
    throw new CtxError('\u0000import:' + String(name));
  }
  factory(require, mod, mod.exports);
  const def = mod.exports && mod.exports.__esModule ? mod.exports.default : (mod.exports.default || mod.exports);
  if (!def || typeof def !== 'object' || def.kind !== 'feature') throw new CtxError('the default export must be defineFeature({...}) from ' + ${JSON.stringify(SDK_MODULE)});
  const parsedByJson = new MapC();
  function params(json) {
    let p = parsedByJson.get(json);
    if (p === undefined) { p = def.params.parse(JSONparse(json)); parsedByJson.set(json, p); }
    return p;
  }
  function schemaJson() {
    try { return JSONstringify(sdk.z.toJSONSchema(def.params, { io: 'input', unrepresentable: 'any' })); } catch (e) { return '{}'; }
  }
  let buf = new F64(0);
  const view = { index: 0, time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
  return {
    describe: () => JSONstringify({ name: '' + (def.name || ''), description: '' + (def.description || ''), hasBatch: typeof def.batch === 'function', hasStream: typeof def.next === 'function', schema: schemaJson() }),
    parse(json) {
      const r = def.params.safeParse(JSONparse(json));
      if (r.success) return JSONstringify({ ok: true, data: r.data });
      return JSONstringify({ ok: false, issues: r.error.issues.map((i) => ({ path: i.path.map(String), message: '' + i.message })) });
    },
    seed(s) { seed = s | 0; },
    getSeed: () => seed,
    window(json) {
      if (typeof def.window !== 'function') return -1;
      const w = +def.window(params(json));
      if (!(w >= 1 && w <= 100000 && floor(w) === w)) throw new CtxError('\u0000field:window:"window" must be a whole number of bars in 1..100000 (got ' + w + ')');
      return w;
    },
    alloc(n) { if (buf.length < 6 * n) buf = new F64(6 * n); return buf; },
    batch(json, n) {
      const cols = { length: n, time: buf.subarray(0, n), open: buf.subarray(n, 2 * n), high: buf.subarray(2 * n, 3 * n), low: buf.subarray(3 * n, 4 * n), close: buf.subarray(4 * n, 5 * n), volume: buf.subarray(5 * n, 6 * n) };
      const r = def.batch(cols, params(json));
      if (r === null || r === undefined || typeof r.length !== 'number') throw new CtxError('\u0000field:batch:"batch" must return an array of numbers, one per bar');
      if (r.length !== n) throw new CtxError('\u0000field:batch:"batch" returned ' + r.length + ' values for ' + n + ' bars');
      const out = new F64(n);
      for (let i = 0; i < n; i++) out[i] = +r[i];
      return out;
    },
    init: (json) => def.init(params(json)),
    next(state, index, time, open, high, low, close, volume) {
      view.index = index; view.time = time; view.open = open; view.high = high; view.low = low; view.close = close; view.volume = volume;
      return +def.next(state, view);
    },
  };
})`;

interface Bridge {
  describe(): string;
  parse(json: string): string;
  seed(s: number): void;
  getSeed(): number;
  window(json: string): number;
  alloc(n: number): Float64Array;
  batch(json: string, n: number): Float64Array;
  init(json: string): unknown;
  next(
    state: unknown,
    index: number,
    time: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
  ): number;
}

/** A symbol's bars as host columns, from its first bar (what a feature's batch form reads). */
export interface FeatureBars {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** One symbol's streaming feature: `next` takes the symbol's next bar and returns the value at it. */
export interface FeatureSeries {
  next(time: number, open: number, high: number, low: number, close: number, volume: number): number;
}

/** A user feature loaded in the sandbox. */
export interface SandboxedFeature {
  readonly name: string;
  readonly description: string;
  readonly file: string;
  readonly hash: string;
  /** JSON Schema of the parameters (properties with type, default, ...). */
  readonly jsonSchema: Record<string, unknown>;
  readonly hasBatch: boolean;
  readonly hasStream: boolean;
  /** Validates and defaults parameters (issues name their path). */
  parseParams(
    value: unknown,
  ): { ok: true; data: Record<string, unknown> } | { ok: false; issues: { path: string[]; message: string }[] };
  /** The declared window for parsed params, or undefined when none was declared. */
  window(params: Record<string, unknown>): number | undefined;
  /** The batch form over one symbol's bars: the user's `batch`, else the streaming form stepped over them. */
  batch(bars: FeatureBars, params: Record<string, unknown>): Float64Array;
  /** The streaming form: the user's `init`/`next`, else `batch` recomputed over the last `window` bars. */
  stream(params: Record<string, unknown>): FeatureSeries;
}

/** `FILE:LINE:COL` of the first definition of `field` in the source (the file alone when it cannot be found). */
function locateField(src: StrategySource, field: string): string {
  const lines = src.source.split('\n');
  const re = new RegExp(`\\b${field}\\s*[(:]`);
  for (let i = 0; i < lines.length; i++) {
    const m = re.exec(lines[i]);
    if (m) return `${src.file}:${i + 1}:${m.index + 1}`;
  }
  return src.file;
}

function featureError(e: unknown, src: StrategySource, compiled: Compiled, scriptName: string): Error {
  let message = '';
  try {
    message = String((e as { message?: unknown })?.message ?? '');
  } catch {
    // unreadable: userError reports it
  }
  if (message.startsWith('\u0000field:')) {
    const rest = message.slice('\u0000field:'.length);
    const colon = rest.indexOf(':');
    return new StrategyCodeError(`${locateField(src, rest.slice(0, colon))}: ${rest.slice(colon + 1)}`);
  }
  const err = userError(e, src, compiled, scriptName);
  return err.message.includes('may import only')
    ? new StrategyCodeError(err.message.replace('a strategy may import', 'a feature may import'))
    : err;
}

/**
 * Compiles and loads a user feature file in a fresh sandbox. Module evaluation and every later call into user
 * code run under the time limit.
 * @throws StrategyCodeError (`FILE:LINE:COL: message`) for a compile error, a forbidden import, a throw at load,
 * a default export that is not `defineFeature({...})`, or later a throw or a wrong result in `batch`/`next`.
 */
export function loadSandboxedFeature(src: StrategySource): SandboxedFeature {
  const compiled = compile(src);
  const context = vm.createContext(Object.create(null), {
    codeGeneration: { strings: false, wasm: false },
    name: src.file,
  });
  sdkRuntime().runInContext(context);
  const scriptName = `quantdesk-feature:${src.hash.slice(0, 12)}.js`;
  const wrapped = `(function (require, module, exports) {\n${compiled.code}\n})`;
  const fail = (e: unknown) => featureError(e, src, compiled, scriptName);
  const guarded = <T>(f: () => T): T => {
    try {
      return withTimeLimit(f, src.file);
    } catch (e) {
      throw fail(e);
    }
  };
  const bridge = guarded(() => {
    const factory = new vm.Script(wrapped, { filename: scriptName, lineOffset: -1 }).runInContext(context);
    const prelude = new vm.Script(PRELUDE, { filename: 'quantdesk-feature-prelude.js' }).runInContext(context) as (
      sdk: unknown,
      f: unknown,
    ) => Bridge;
    return prelude(vm.runInContext('__qd_sdk', context), factory);
  });
  const info = JSON.parse(bridge.describe()) as {
    name: string;
    description: string;
    hasBatch: boolean;
    hasStream: boolean;
    schema: string;
  };
  const key = (p: unknown) => JSON.stringify(p ?? {});
  const seed = seedOf(src.hash);
  const windowOf = (p: Record<string, unknown>): number | undefined => {
    const w = guarded(() => bridge.window(key(p)));
    return w < 0 ? undefined : w;
  };
  // Copies bars [from, to) of host columns into the context's buffer and runs `batch` over them.
  const runBatch = (bars: FeatureBars, from: number, to: number, json: string): Float64Array => {
    const n = to - from;
    const buf = bridge.alloc(n);
    const cols = [bars.time, bars.open, bars.high, bars.low, bars.close, bars.volume];
    for (let c = 0; c < 6; c++) {
      const col = cols[c];
      const at = c * n - from;
      for (let i = from; i < to; i++) buf[at + i] = col[i];
    }
    return bridge.batch(json, n);
  };
  const feature: SandboxedFeature = {
    name: info.name || src.name,
    description: info.description || `user feature ${info.name || src.name}`,
    file: src.file,
    hash: src.hash,
    jsonSchema: JSON.parse(info.schema) as Record<string, unknown>,
    hasBatch: info.hasBatch,
    hasStream: info.hasStream,
    parseParams(value) {
      return guarded(() => JSON.parse(bridge.parse(key(value))));
    },
    window: windowOf,
    batch(bars, p) {
      const json = key(p);
      const n = bars.close.length;
      return guarded(() => {
        bridge.seed(seed);
        const out = new Float64Array(n);
        if (info.hasBatch) {
          const r = runBatch(bars, 0, n, json);
          for (let i = 0; i < n; i++) out[i] = r[i];
          return out;
        }
        const state = bridge.init(json);
        for (let i = 0; i < n; i++)
          out[i] = bridge.next(
            state,
            i,
            bars.time[i],
            bars.open[i],
            bars.high[i],
            bars.low[i],
            bars.close[i],
            bars.volume[i],
          );
        return out;
      });
    },
    stream(p) {
      const json = key(p);
      if (info.hasStream) {
        // Each series keeps its own Math.random sequence (the context has one), so stepping many symbols
        // interleaved draws what stepping each alone (the batch form) draws.
        let own = seed;
        const state = guarded(() => {
          bridge.seed(own);
          const st = bridge.init(json);
          own = bridge.getSeed();
          return st;
        });
        let index = 0;
        return {
          next: (time, open, high, low, close, volume) =>
            guarded(() => {
              bridge.seed(own);
              const v = bridge.next(state, index++, time, open, high, low, close, volume);
              own = bridge.getSeed();
              return v;
            }),
        };
      }
      // Only a batch form: keep the last `window` bars and recompute it over them at each bar.
      const w = windowOf(p);
      if (w === undefined) throw new StrategyCodeError(`${src.file}: "window" is required when only "batch" is given`);
      const ring: FeatureBars = {
        time: new Float64Array(w),
        open: new Float64Array(w),
        high: new Float64Array(w),
        low: new Float64Array(w),
        close: new Float64Array(w),
        volume: new Float64Array(w),
      };
      let seen = 0;
      return {
        next(time, open, high, low, close, volume) {
          if (seen === w)
            for (const c of [ring.time, ring.open, ring.high, ring.low, ring.close, ring.volume]) c.copyWithin(0, 1);
          else seen++;
          const k = seen - 1;
          ring.time[k] = time;
          ring.open[k] = open;
          ring.high[k] = high;
          ring.low[k] = low;
          ring.close[k] = close;
          ring.volume[k] = volume;
          return guarded(() => {
            bridge.seed(seed);
            return runBatch(ring, 0, seen, json)[seen - 1];
          });
        },
      };
    },
  };
  return feature;
}
